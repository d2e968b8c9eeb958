/*
 * Internal to the call-site counter (callsites.c and one file per
 * architecture: callsites_x86.c, callsites_arm.c, callsites_mips.c).
 *
 * callsites.c reads the ELF file: section headers, and the GOT slots of
 * imported functions named by relocations (or, on MIPS, by the global
 * GOT).  An architecture pass then finds the stubs that jump through the
 * slots and counts the calls to stubs and slots in the code.  All reads
 * go through these helpers, which check every offset against the file.
 */
#ifndef FWVET_ANALYSE_CALLSITES_ELF_H
#define FWVET_ANALYSE_CALLSITES_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "fwvet/status.h"

#define FWVET_CS_MAX_TEXT_BYTES (64u << 20)
#define FWVET_CS_MAX_SLOTS 65536u

#define FWVET_CS_EM_MIPS 8u
#define FWVET_CS_EM_ARM 40u
#define FWVET_CS_EM_X86_64 62u
#define FWVET_CS_EM_AARCH64 183u

typedef struct fwvet_cs_slot {
  uint64_t addr; /* a GOT slot, or a stub's first byte */
  size_t sym;    /* index into names */
} fwvet_cs_slot;

typedef struct fwvet_cs_shdr {
  uint32_t name, type, link;
  uint64_t flags, addr, off, size, entsize;
} fwvet_cs_shdr;

typedef struct fwvet_cs_elf {
  const uint8_t *d;
  size_t len;
  int is64, be;
  unsigned em;
  uint64_t entry;
  uint64_t gp; /* MIPS: the value of $gp, once the GOT is read */
  uint64_t shoff;
  unsigned shnum, shentsize, shstrndx;
  const char **names; /* point into d */
  uint64_t *calls;    /* per name, allocated once names are known */
  size_t nnames, capnames;
  fwvet_cs_slot *got, *plt; /* sorted by address before the code pass */
  size_t ngot, capgot, nplt, capplt;
} fwvet_cs_elf;

/* A `n`-byte (1..8) unsigned integer in the file's byte order. */
uint64_t fwvet_cs_rd(const fwvet_cs_elf *c, const uint8_t *p, unsigned n);

/* Section header `i`; -1 when out of range or its bytes are not in the
 * file (SHT_NOBITS sections have none). */
int fwvet_cs_shdr_get(const fwvet_cs_elf *c, unsigned i, fwvet_cs_shdr *s);

/* The NUL-terminated string at `off` of string section `sec`, or NULL. */
const char *fwvet_cs_str(const fwvet_cs_elf *c, unsigned sec, uint64_t off);

/* Records that the GOT slot at `addr` belongs to function `name`. */
fwvet_status fwvet_cs_add_got(fwvet_cs_elf *c, uint64_t addr, const char *name);
/* Records a stub at `addr` jumping to the function of names[sym]. */
fwvet_status fwvet_cs_add_stub(fwvet_cs_elf *c, uint64_t addr, size_t sym);
/* The slot or stub at `addr` in a sorted array, or NULL. */
const fwvet_cs_slot *fwvet_cs_find(const fwvet_cs_slot *v, size_t n,
                                   uint64_t addr);

/* Counts one call when `addr` is a stub (or, with `got`, a GOT slot). */
static inline void fwvet_cs_call(fwvet_cs_elf *c, uint64_t addr, int got) {
  const fwvet_cs_slot *s = got ? fwvet_cs_find(c->got, c->ngot, addr)
                               : fwvet_cs_find(c->plt, c->nplt, addr);
  if (s)
    c->calls[s->sym]++;
}

/*
 * Calls `fn` for each executable PROGBITS section holding stubs (`stubs`
 * set: .plt*, .MIPS.stubs) or code (the others), in section order.  The
 * total is capped at FWVET_CS_MAX_TEXT_BYTES (FWVET_ELIMIT).
 */
typedef fwvet_status (*fwvet_cs_section_fn)(fwvet_cs_elf *c, void *ud,
                                            uint64_t addr, const uint8_t *code,
                                            size_t size);
fwvet_status fwvet_cs_each_section(fwvet_cs_elf *c, int stubs,
                                   fwvet_cs_section_fn fn, void *ud);

/* Sorts the stubs found so far for fwvet_cs_find(). */
void fwvet_cs_sort_stubs(fwvet_cs_elf *c);

/* The architecture passes: find the stubs, then count the calls. */
fwvet_status fwvet_cs_x86_64(fwvet_cs_elf *c);
fwvet_status fwvet_cs_aarch64(fwvet_cs_elf *c);
fwvet_status fwvet_cs_arm(fwvet_cs_elf *c);
fwvet_status fwvet_cs_mips(fwvet_cs_elf *c);

/* MIPS: the global GOT entries of .dynamic, .dynsym (callsites_mips.c). */
fwvet_status fwvet_cs_mips_got(fwvet_cs_elf *c);

#endif
