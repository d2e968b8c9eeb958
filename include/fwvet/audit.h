/*
 * fwvet — the engineering table: safe and unsafe variants of the copy,
 * format and input families (data/unsafe-functions.txt), counted in the
 * imports of an image's binaries (fwvet_scan_engineering()) or in the
 * direct calls of a C/C++ source tree (fwvet_audit_src()).
 */
#ifndef FWVET_AUDIT_H
#define FWVET_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One row of the published table.  For a scan, a "call" is one binary
 * importing the function (method "imports"); for a source tree it is one
 * direct call `name(` (method "source").  `unsafe_percent` is
 * 100 * unsafe_calls / (safe_calls + unsafe_calls), 0 without calls.
 */
typedef struct fwvet_eng_row {
  const char *family;
  const char *method;
  size_t safe_variants;   /* distinct safe functions seen */
  uint64_t safe_calls;
  size_t unsafe_variants; /* distinct unsafe functions seen */
  uint64_t unsafe_calls;
  double unsafe_percent;
} fwvet_eng_row;

/* One function of the families and how often it was seen. */
typedef struct fwvet_eng_count {
  const char *name;
  uint64_t count;
} fwvet_eng_count;

/*
 * Checks a file of extra family lines ("FAMILY FUNCTION safe|unsafe", as
 * data/unsafe-functions.txt): FWVET_EIO when it cannot be read,
 * FWVET_EINVAL with *badline (1-based, if not NULL) on a malformed line.
 */
fwvet_status fwvet_families_check(const char *path, unsigned *badline);

typedef struct fwvet_audit fwvet_audit; /* opaque; see fwvet_audit_src() */

typedef struct fwvet_audit_options {
  const char *families; /* extra family lines (--families), or NULL */
} fwvet_audit_options;

/*
 * Lexes every C/C++ file (.c .h .cc .cpp .cxx .hpp .hh .inl) under `dir`
 * and counts direct calls of the family functions.  Symbolic links are
 * not followed; hidden files and directories (.git, quilt's .pc) are
 * skipped.  The caller owns
 * *out (written only on success) and frees it with fwvet_audit_destroy().
 * Fails with FWVET_EIO when `dir` cannot be read, FWVET_EINVAL (and
 * *badline when not NULL) when the families file is malformed.
 */
fwvet_status fwvet_audit_src(const char *dir, const fwvet_audit_options *opt,
                             fwvet_audit **out, unsigned *badline);
void fwvet_audit_destroy(fwvet_audit *a); /* NULL is a no-op */

/* The table, one row per family in data file order.  Owned by `a`. */
const fwvet_eng_row *fwvet_audit_table(const fwvet_audit *a, size_t *n);
/* Functions with at least one call, by name.  Owned by `a`. */
const fwvet_eng_count *fwvet_audit_functions(const fwvet_audit *a,
                                             size_t *n);
/* Files with at least one call, by path; the counts of file i. */
size_t fwvet_audit_file_count(const fwvet_audit *a);
const char *fwvet_audit_file_path(const fwvet_audit *a, size_t i);
const fwvet_eng_count *fwvet_audit_file_functions(const fwvet_audit *a,
                                                  size_t i, size_t *n);
/* Findings (engineering.unsafe-macro, engineering.unchecked-wrapper),
 * sorted. */
size_t fwvet_audit_finding_count(const fwvet_audit *a);
const fwvet_finding *fwvet_audit_finding(const fwvet_audit *a, size_t i);

#ifdef __cplusplus
}
#endif
#endif
