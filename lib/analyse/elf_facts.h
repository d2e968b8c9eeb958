/*
 * Reading the hardening facts of one ELF file (lib/analyse/elf_facts.c),
 * for the binary hardening analyser (elf_hardening.c).
 */
#ifndef FWVET_ANALYSE_ELF_FACTS_H
#define FWVET_ANALYSE_ELF_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "analyse/analyser.h"
#include "fwvet/status.h"

/* The public record plus what the rules need and JSON does not show. */
typedef struct fwvet_elf_facts {
  fwvet_elf_info *info; /* malloc'd, for fwvet_sink_elf() */
  unsigned type;        /* e_type */
  unsigned em;          /* e_machine */
  int has_interp;       /* PT_INTERP */
  int has_dynamic;      /* PT_DYNAMIC */
  unsigned needed;      /* DT_NEEDED entries */
  int needs_libc;       /* a DT_NEEDED names a C library */
  int stack_x;          /* PT_GNU_STACK has PF_X */
  int relro_seg;        /* PT_GNU_RELRO */
  int bind_now;         /* DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW */
  uint64_t flags_1;     /* DT_FLAGS_1 */
  char soname[128];     /* DT_SONAME, "" when none (or longer) */
  char libc_needed[128]; /* the first DT_NEEDED naming a C library */
  /* The __*_chk functions the file defines and exports (a C library's
   * FORTIFY entry points), sorted, distinct; malloc'd, NULL when none. */
  char **chk_exports;
  size_t nchk_exports;
} fwvet_elf_facts;

/*
 * Reads `data` (not modified).  On success *out is written and the
 * caller owns out->info.  Fails with FWVET_ECORRUPT when libelf cannot
 * make sense of the bytes, FWVET_ENOMEM when memory runs out.
 */
fwvet_status fwvet_elf_facts_read(const uint8_t *data, size_t len,
                                  fwvet_elf_facts *out);
/* Frees out->chk_exports (not out->info, which may have been handed to
 * the sink). */
void fwvet_elf_facts_release(fwvet_elf_facts *f);

/* Whether a DT_SONAME or a file name is a C library's: libc.so[.N]
 * (glibc, musl, uClibc), libuClibc-*, ld-musl-*, libc.musl-*. */
int fwvet_elf_is_libc_name(const char *name);

/* "__memcpy_chk" and other fortified names (__*_chk). */
int fwvet_elf_fortified(const char *name);
/* A function of glibc 2.36's fortify family ("memcpy", "sprintf", ...),
 * the judgement when the image's own C library is not known. */
int fwvet_elf_fortifiable(const char *name);

#endif
