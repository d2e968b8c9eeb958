/* The evaluation model's representation, shared by the code that builds
 * it from a scan and the code that loads it from the store (internal). */
#ifndef FWVET_STORE_EVAL_INT_H
#define FWVET_STORE_EVAL_INT_H

#include <stddef.h>

#include "fwvet/store.h"

/* Strings of an evaluation live in chunks freed together. */
typedef struct eval_chunk eval_chunk;

struct fwvet_eval {
  eval_chunk *chunks;
  fwvet_eval_info info;
  fwvet_finding *findings;
  size_t nfindings, capfindings;
  fwvet_eval_file *files;
  size_t nfiles, capfiles;
  fwvet_eval_component *components;
  size_t ncomponents, capcomponents;
  fwvet_eval_vuln *vulns;
  size_t nvulns, capvulns;
  fwvet_eval_elf *elfs;
  size_t nelfs, capelfs;
  fwvet_eng_row *eng;
  size_t neng, capeng;
  fwvet_eng_row *calls;
  size_t ncalls, capcalls;
};

fwvet_eval *eval_new(void);
/* A copy of `s` owned by `ev`; NULL stays NULL.  *bad is set when out of
 * memory, so a caller can copy many fields and test once. */
const char *eval_strdup(fwvet_eval *ev, const char *s, int *bad);
/* Makes room for one more element of `size` bytes in *arr; the new slot
 * (zeroed) or NULL when out of memory. */
void *eval_grow(void **arr, size_t *n, size_t *cap, size_t size);

#endif
