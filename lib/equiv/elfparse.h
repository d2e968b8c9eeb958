/* A bounds-checked ELF reader for the equivalence rules (internal). */
#ifndef FWVET_EQUIV_ELFPARSE_H
#define FWVET_EQUIV_ELFPARSE_H

#include <stddef.h>
#include <stdint.h>

enum { EQ_SHT_NOBITS = 8, EQ_SHT_SYMTAB = 2, EQ_SHT_DYNSYM = 11,
       EQ_SHT_NOTE = 7, EQ_SHF_WRITE = 1, EQ_SHF_ALLOC = 2,
       EQ_SHF_EXECINSTR = 4, EQ_ET_REL = 1, EQ_PT_NOTE = 4 };

typedef struct eq_shdr {
  const char *name; /* points into the image's .shstrtab; "" if none */
  uint32_t type;
  uint64_t flags, addr, off, size, link, info, align, entsize;
} eq_shdr;

typedef struct eq_phdr {
  uint32_t type, flags;
  uint64_t off, vaddr, paddr, filesz, memsz, align;
} eq_phdr;

typedef struct eq_sym {
  const char *name;
  uint64_t value, size;
  unsigned sec;  /* section index for ET_REL, 0 otherwise (addresses) */
} eq_sym;

typedef struct eq_elf {
  const uint8_t *d;
  size_t len;
  int is64, be;
  unsigned type, machine, version, flags;
  uint64_t entry, phoff, shoff;
  unsigned ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
  eq_phdr *ph;
  eq_shdr *sh;
  eq_sym *sym;     /* functions and objects, sorted by (sec, value) */
  size_t nsym;
  int has_symtab;  /* a .symtab (not only .dynsym) */
} eq_elf;

/* Parses d[0..len); 0 on success (release with eq_elf_release), -1 when
 * the bytes are not a consistent ELF image: every header, section and
 * segment must lie inside the bytes. */
int eq_elf_parse(const uint8_t *d, size_t len, eq_elf *e);
void eq_elf_release(eq_elf *e);

/* The section (with file bytes) holding file offset `off`, preferring
 * allocated ones; NULL when none. */
const eq_shdr *eq_elf_section_at(const eq_elf *e, uint64_t off);
/* The function or object symbol covering `addr` (section index `sec` for
 * ET_REL, 0 otherwise), or NULL. */
const eq_sym *eq_elf_symbol_at(const eq_elf *e, unsigned sec, uint64_t addr);
/* The n-th (0-based) section named `name`, or NULL. */
const eq_shdr *eq_elf_section_named(const eq_elf *e, const char *name,
                                    unsigned nth);
/* Which occurrence of its name section `s` is (0 for the first). */
unsigned eq_elf_section_nth(const eq_elf *e, const eq_shdr *s);

/* The normalisation class (FWVET_EQC_*) under which section `s`, not
 * loaded, may differ; 0 when it must be compared (elfcmp.c). */
unsigned eq_elf_section_class(const eq_shdr *s, int rel);
/* Relocatable objects: 1 when sections `sa` of `a` and `sb` of `b` (a
 * symbol table, relocations or a group) hold the same entries once
 * section and symbol indices are read as what they name (relcmp.c). */
int eq_rel_same(const eq_elf *a, const eq_shdr *sa, const eq_elf *b,
                const eq_shdr *sb);

#endif
