/*
 * The families of the engineering table (internal): which function
 * belongs to which family and whether it is a safe (bounded) variant,
 * from data/unsafe-functions.txt plus the user's --families lines, and a
 * counter that turns per-function counts into table rows.
 */
#ifndef FWVET_ENGINEERING_FAMILIES_H
#define FWVET_ENGINEERING_FAMILIES_H

#include <stddef.h>
#include <stdint.h>

#include "fwvet/audit.h"
#include "fwvet/status.h"

typedef struct fwvet_families fwvet_families;

typedef struct fwvet_family_fn {
  char *name;
  unsigned family; /* index into the family names */
  int safe;
} fwvet_family_fn;

/*
 * Builds the table from the built-in list, then the lines of `path`
 * (NULL: none), which add or override entries.  On FWVET_EINVAL, *badline
 * (if not NULL) is the 1-based line of `path` that is not
 * "FAMILY FUNCTION safe|unsafe"; FWVET_EIO when `path` cannot be read.
 */
fwvet_status fwvet_families_new(const char *path, fwvet_families **out,
                                unsigned *badline);
void fwvet_families_free(fwvet_families *f);

/* The function called `name` (`len` bytes, no NUL needed), or -1. */
long fwvet_families_lookup(const fwvet_families *f, const char *name,
                           size_t len);
size_t fwvet_families_fn_count(const fwvet_families *f);
const fwvet_family_fn *fwvet_families_fn(const fwvet_families *f, size_t i);
size_t fwvet_families_count(const fwvet_families *f);
const char *fwvet_families_name(const fwvet_families *f, size_t i);

/*
 * Per-function counts, indexed like fwvet_families_fn(); not
 * thread-safe.  fwvet_eng_rows() writes one row per family (the array
 * has fwvet_families_count() entries, malloc'd; family names point into
 * `f`), fwvet_eng_functions() the functions counted at least once.
 */
typedef struct fwvet_eng_counter {
  const fwvet_families *fam;
  uint64_t *n;
} fwvet_eng_counter;

fwvet_status fwvet_eng_counter_init(fwvet_eng_counter *c,
                                    const fwvet_families *f);
void fwvet_eng_counter_release(fwvet_eng_counter *c);
void fwvet_eng_counter_merge(fwvet_eng_counter *into,
                             const fwvet_eng_counter *from);
fwvet_status fwvet_eng_rows(const fwvet_eng_counter *c, const char *method,
                            fwvet_eng_row **rows, size_t *n);
fwvet_status fwvet_eng_functions(const fwvet_eng_counter *c,
                                 fwvet_eng_count **out, size_t *n);

#endif
