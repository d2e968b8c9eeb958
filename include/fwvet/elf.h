/* fwvet — what a scan learns about each ELF file (binary hardening). */
#ifndef FWVET_ELF_H
#define FWVET_ELF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fwvet_relro {
  FWVET_RELRO_NONE = 0,
  FWVET_RELRO_PARTIAL,
  FWVET_RELRO_FULL,
} fwvet_relro;

/* "none", "partial", "full". */
const char *fwvet_relro_name(fwvet_relro r);

/*
 * Properties of one ELF file.  Strings and the imports array belong to
 * the scan that produced the record and live as long as it does.
 */
typedef struct fwvet_elf_info {
  const char *machine;   /* "x86-64", "aarch64", "arm", "mips", ... */
  const char *elf_type;  /* "exec", "dyn", "rel", "core" */
  unsigned bits;         /* 32 or 64 */
  int big_endian;
  int is_static;         /* no PT_INTERP and no DT_NEEDED */
  int stripped;          /* no .symtab */
  int has_gnu_stack;     /* a PT_GNU_STACK header exists */
  int nx;                /* PT_GNU_STACK without PF_X */
  int pie;               /* ET_DYN with PT_INTERP, or DF_1_PIE */
  int canary;            /* __stack_chk_fail / __stack_chk_guard & co */
  fwvet_relro relro;
  unsigned fortified;    /* distinct *_chk functions imported */
  unsigned fortifiable;  /* distinct imports that have a *_chk variant */
  const char *rpath;     /* DT_RPATH or NULL */
  const char *runpath;   /* DT_RUNPATH or NULL */
  const char *const *imports; /* undefined dynamic symbols (functions) */
  size_t nimports;
} fwvet_elf_info;

#ifdef __cplusplus
}
#endif
#endif
