/*
 * fwvet — release over release: what a new release fixed, kept and
 * introduced, and the progress verdict (rules in docs/progress.md).
 */
#ifndef FWVET_DIFF_H
#define FWVET_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "equiv.h"
#include "report.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fwvet_verdict {
  FWVET_VERDICT_MATERIAL = 0, /* "material progress" */
  FWVET_VERDICT_LIMITED,      /* "limited progress" */
  FWVET_VERDICT_NONE,         /* "no material progress" */
  FWVET_VERDICT_REGRESSION,   /* "regression" */
} fwvet_verdict;

/* The verdict as written in reports; never NULL. */
const char *fwvet_verdict_name(fwvet_verdict p);

/*
 * What the verdict is decided on (docs/progress.md).  Severities index
 * the arrays (FWVET_SEV_*); a vulnerability's severity "unknown" or
 * "none" counts as info.
 */
typedef struct fwvet_verdict_input {
  size_t findings_before[5], findings_fixed[5], findings_new[5];
  size_t vulns_before[5], vulns_fixed[5], vulns_new[5];
  size_t hardening_improved;  /* binaries with a property gained */
  size_t hardening_regressed; /* binaries with a property lost */
  double unsafe_before, unsafe_after; /* percent; -1 when no calls */
} fwvet_verdict_input;

/* Applies the rules; deterministic, no other input. */
fwvet_verdict fwvet_verdict_judge(const fwvet_verdict_input *in);

typedef struct fwvet_diff fwvet_diff; /* opaque */

/* Compares two evaluations.  The diff refers to both: they must outlive
 * it.  The caller frees *out (written only on success) with
 * fwvet_diff_destroy(). */
fwvet_status fwvet_diff_create(const fwvet_eval *before,
                               const fwvet_eval *after, fwvet_diff **out);
void fwvet_diff_destroy(fwvet_diff *d); /* NULL is a no-op */

const fwvet_eval *fwvet_diff_before(const fwvet_diff *d);
const fwvet_eval *fwvet_diff_after(const fwvet_diff *d);

fwvet_verdict fwvet_diff_verdict(const fwvet_diff *d);
const fwvet_verdict_input *fwvet_diff_input(const fwvet_diff *d);
/* The reasons, the deciding one first; owned by `d`. */
size_t fwvet_diff_reason_count(const fwvet_diff *d);
const char *fwvet_diff_reason(const fwvet_diff *d, size_t i);

/* Findings matched by fingerprint: fixed ones are the earlier
 * evaluation's, new and persisting ones the later's; each list in the
 * evaluation's order.  A fingerprint seen n times before and m times
 * after persists min(n, m) times. */
typedef enum fwvet_diff_state {
  FWVET_DIFF_FIXED = 0,
  FWVET_DIFF_NEW,
  FWVET_DIFF_PERSISTING,
} fwvet_diff_state;

/* "fixed", "new", "persisting". */
const char *fwvet_diff_state_name(fwvet_diff_state s);

size_t fwvet_diff_finding_count(const fwvet_diff *d, fwvet_diff_state s);
const fwvet_finding *fwvet_diff_finding(const fwvet_diff *d,
                                        fwvet_diff_state s, size_t i);

/* Vulnerabilities matched by id and component name, as findings. */
size_t fwvet_diff_vuln_count(const fwvet_diff *d, fwvet_diff_state s);
const fwvet_eval_vuln *fwvet_diff_vuln(const fwvet_diff *d,
                                       fwvet_diff_state s, size_t i);

/* Components compared by name (docs/progress.md says how several
 * versions of one name pair up). */
typedef enum fwvet_component_change {
  FWVET_COMPONENT_UPGRADED = 0,
  FWVET_COMPONENT_DOWNGRADED,
  FWVET_COMPONENT_ADDED,
  FWVET_COMPONENT_REMOVED,
} fwvet_component_change;

/* "upgraded", "downgraded", "added", "removed". */
const char *fwvet_component_change_name(fwvet_component_change c);

typedef struct fwvet_diff_component {
  const char *name;
  const char *from; /* version before; NULL when added or unknown */
  const char *to;   /* version after; NULL when removed or unknown */
} fwvet_diff_component;

/* Ordered by name, then version. */
const fwvet_diff_component *fwvet_diff_components(const fwvet_diff *d,
                                                  fwvet_component_change c,
                                                  size_t *n);

/* Hardening properties, as bits. */
enum {
  FWVET_HARDEN_NX = 1u << 0,
  FWVET_HARDEN_PIE = 1u << 1,
  FWVET_HARDEN_RELRO = 1u << 2, /* none < partial < full */
  FWVET_HARDEN_CANARY = 1u << 3,
  FWVET_HARDEN_FORTIFY = 1u << 4, /* at least one *_chk function */
};

/* Name of one property bit ("nx", "pie", "relro", "canary", "fortify"). */
const char *fwvet_harden_name(unsigned bit);

/* An ELF file in both evaluations (same logical path) whose hardening
 * changed; `improved` and `regressed` are FWVET_HARDEN_* masks. */
typedef struct fwvet_diff_binary {
  const char *key; /* logical path (docs/progress.md) */
  const fwvet_eval_elf *before, *after;
  unsigned improved, regressed;
} fwvet_diff_binary;

/* Ordered by key. */
const fwvet_diff_binary *fwvet_diff_binaries(const fwvet_diff *d,
                                             size_t *n);

/* Regular files compared by logical path and sha256 (docs/progress.md). */
typedef enum fwvet_file_change {
  FWVET_FILE_CHANGED = 0,
  FWVET_FILE_ADDED,
  FWVET_FILE_REMOVED,
} fwvet_file_change;

typedef struct fwvet_diff_file {
  const char *key;
  const fwvet_eval_file *before, *after; /* NULL when absent */
  /* Its pair in the attached equivalence result, or NULL (none attached,
   * or the file was not paired): for a changed file the pair of that
   * logical path on both sides; for a removed or added one the pair that
   * found it moved or renamed (paired by content). */
  const fwvet_equiv_pair *equiv;
} fwvet_diff_file;

/* Ordered by key. */
const fwvet_diff_file *fwvet_diff_files(const fwvet_diff *d,
                                        fwvet_file_change c, size_t *n);

/*
 * Attaches fwvet_equiv_compare(before's input, after's input): a stored
 * evaluation keeps no file bytes, so only a caller that has both inputs
 * on disk can compute it.  Each file of the lists above gets its pair,
 * matched by logical path; nothing else of the diff (findings,
 * components, verdict) changes.  `eq` must outlive the diff.
 * FWVET_EINVAL when one is already attached; FWVET_ENOMEM.
 */
fwvet_status fwvet_diff_attach_equiv(fwvet_diff *d, const fwvet_equiv *eq);
/* The attached result, or NULL when equivalence was not computed. */
const fwvet_equiv *fwvet_diff_equiv(const fwvet_diff *d);

/*
 * Writes the diff: text (the verdict and its reasons first, then the
 * details) or the `fwvet diff --format json` contract of DESIGN.md.
 * FWVET_EUNSUPPORTED for a format that has no diff report.
 */
fwvet_status fwvet_report_diff(const fwvet_diff *d,
                               const fwvet_report_options *opt, FILE *out);

/* The releases of a product in a store, each with the verdict against
 * the one before it. */
typedef struct fwvet_history fwvet_history; /* opaque */

typedef struct fwvet_history_row {
  int64_t id;
  const char *release;
  const char *created;
  const char *input_sha256;
  size_t runs;                  /* evaluations stored for the release */
  size_t findings[5];           /* per severity (FWVET_SEV_*) */
  size_t vulnerabilities;
  size_t vulnerable_components; /* components with at least one */
  double unsafe_percent;        /* -1 when no calls */
  fwvet_hardening_coverage coverage;
  int has_verdict;              /* 0 for the first release */
  fwvet_verdict verdict;
  const char *reason;           /* the deciding reason, or NULL */
} fwvet_history_row;

/* Loads the latest evaluation of every release of `product`, in release
 * order (fwvet_store_releases()).  FWVET_ENOTFOUND when the product has
 * none. */
fwvet_status fwvet_history_create(fwvet_store *s, const char *product,
                                  fwvet_history **out);
void fwvet_history_destroy(fwvet_history *h); /* NULL is a no-op */
const char *fwvet_history_product(const fwvet_history *h);
size_t fwvet_history_count(const fwvet_history *h);
const fwvet_history_row *fwvet_history_row_at(const fwvet_history *h,
                                              size_t i);

/* Text (one line per release) or JSON {"product", "releases": [...]}. */
fwvet_status fwvet_report_history(const fwvet_history *h,
                                  const fwvet_report_options *opt,
                                  FILE *out);

#ifdef __cplusplus
}
#endif
#endif
