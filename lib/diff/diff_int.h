/* The diff's representation (internal). */
#ifndef FWVET_DIFF_DIFF_INT_H
#define FWVET_DIFF_DIFF_INT_H

#include "fwvet/diff.h"

struct fwvet_diff {
  const fwvet_eval *before, *after;
  const fwvet_finding **findings[3]; /* by fwvet_diff_state */
  size_t nfindings[3];
  const fwvet_eval_vuln **vulns[3];
  size_t nvulns[3];
  fwvet_diff_component *comps[4]; /* by fwvet_component_change */
  size_t ncomps[4];
  fwvet_diff_binary *bins;
  size_t nbins;
  fwvet_diff_file *files[3]; /* by fwvet_file_change */
  size_t nfiles[3];
  const fwvet_equiv *equiv; /* attached, or NULL */
  char **keys; /* logical paths the lists point to */
  size_t nkeys;
  fwvet_verdict_input input;
  fwvet_verdict verdict;
  char **reasons;
  size_t nreasons;
};

/* The logical path of a provenance path: carving offsets and the input's
 * own name removed ("router.bin/squashfs@0x200000/etc/passwd" gives
 * "squashfs/etc/passwd"; the input itself is "(input)").  Owned by `d`;
 * NULL when out of memory. */
char *diff_key(fwvet_diff *d, const char *path);
/* The same, owned by the caller. */
char *diff_key_dup(const char *path);

/* Makes room for element `n` of an array that only grows by one at a
 * time, doubling its capacity at powers of two; -1 when out of memory. */
int diff_grow(void *arrp, size_t n, size_t size);

/* diff_parts.c: components, hardening, files; diff_judge: the verdict
 * and the reasons.  Each returns -1 when out of memory. */
int diff_components(fwvet_diff *d);
int diff_binaries(fwvet_diff *d);
int diff_files(fwvet_diff *d);
int diff_judge(fwvet_diff *d);

#endif
