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
} fwvet_elf_facts;

/*
 * Reads `data` (not modified).  On success *out is written and the
 * caller owns out->info.  Fails with FWVET_ECORRUPT when libelf cannot
 * make sense of the bytes, FWVET_ENOMEM when memory runs out.
 */
fwvet_status fwvet_elf_facts_read(const uint8_t *data, size_t len,
                                  fwvet_elf_facts *out);

/* "__memcpy_chk" and other fortified names (__*_chk). */
int fwvet_elf_fortified(const char *name);
/* A function of glibc's fortify family ("memcpy", "sprintf", ...). */
int fwvet_elf_fortifiable(const char *name);

#endif
