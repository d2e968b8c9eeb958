/*
 * SARIF 2.1.0 logs (internal): a small builder the scan, diff and equiv
 * reports share, and the rule documentation compiled in from
 * docs/rules.md.
 */
#ifndef FWVET_REPORT_SARIF_H
#define FWVET_REPORT_SARIF_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "fwvet/finding.h"
#include "fwvet/status.h"

/* One rule as docs/rules.md documents it (cmake/EmbedRules.cmake). */
typedef struct fwvet_rule_doc {
  const char *id;            /* "account.uid0", or "yara.<rule>" */
  const char *severity;      /* as the table says: "low (high for gets)" */
  const char *meaning;       /* the table's one-line meaning */
  const char *what;          /* the "What:" paragraph, plain text */
  const char *help_text;     /* the rule's section, plain text */
  const char *help_markdown; /* the rule's section, markdown */
} fwvet_rule_doc;

/* The documentation of `rule` ("yara.x" finds "yara.<rule>"), or NULL. */
const fwvet_rule_doc *fwvet_rule_doc_find(const char *rule);
/* Every documented rule, in the order of the table. */
const fwvet_rule_doc *fwvet_rule_docs(size_t *n);

/* SARIF level of a severity: critical/high "error", medium "warning",
 * low/info "note". */
const char *fwvet_sarif_level(fwvet_severity sev);

/* A relative URI reference for a provenance path: unreserved characters,
 * '/' and '@' as they are, every other byte percent-encoded.  NULL on out
 * of memory. */
json_t *fwvet_sarif_uri(const char *path);

typedef struct fwvet_sarif fwvet_sarif; /* one run being built */

fwvet_sarif *fwvet_sarif_create(void); /* NULL on out of memory */
void fwvet_sarif_destroy(fwvet_sarif *s); /* NULL is a no-op */

/*
 * Index of rule `id` in tool.driver.rules, adding it on first use with
 * the description, help and default level docs/rules.md gives it; a rule
 * that is not documented gets `fallback` (may be NULL) as its short
 * description and level `level` ("error", "warning", "note").  -1 on out
 * of memory.
 */
int fwvet_sarif_rule(fwvet_sarif *s, const char *id, const char *fallback,
                     const char *level);

/*
 * Appends the result of a finding: ruleId and ruleIndex, level, message,
 * the location (artifact URI from the provenance path, region from line
 * and offset), partialFingerprints "fwvet/v1", and properties (severity,
 * fspath, evidence).  `baseline` is NULL or a SARIF baselineState ("new",
 * "unchanged", "updated", "absent").  -1 on out of memory.
 */
int fwvet_sarif_add_finding(fwvet_sarif *s, const fwvet_finding *f,
                            const char *baseline);

/* Appends a result built by the caller (its ruleIndex must come from
 * fwvet_sarif_rule()); steals `result`.  -1 when it is NULL. */
int fwvet_sarif_add_result(fwvet_sarif *s, json_t *result);

/*
 * The log {"$schema", "version", "runs": [run]} with tool.driver (name,
 * version, rules), invocations, results and `properties` (stolen; may be
 * NULL) of the run.  Takes the rules and results: afterwards the builder
 * can only be destroyed.  NULL on out of memory.
 */
json_t *fwvet_sarif_finish(fwvet_sarif *s, json_t *properties);

/* The diff's findings as SARIF: new ones with baselineState "new",
 * persisting ones "unchanged", fixed ones "absent"; the verdict and both
 * inputs in the run's properties (diff_sarif.c). */
struct fwvet_diff;
fwvet_status fwvet_report_diff_sarif(const struct fwvet_diff *d, FILE *out);

#endif
