/* The progress rules of docs/progress.md (internal). */
#ifndef FWVET_DIFF_VERDICT_H
#define FWVET_DIFF_VERDICT_H

#include <stddef.h>

#include "fwvet/diff.h"

/* The verdict and, in `why`, the sentence that decided it. */
fwvet_verdict verdict_decide(const fwvet_verdict_input *in, char *why,
                               size_t cap);

/* The supporting reasons in their fixed order, each passed to `fn`;
 * stops and returns -1 when `fn` does. */
int verdict_reasons(const fwvet_verdict_input *in,
                     int (*fn)(void *ud, const char *reason), void *ud);

/* A severity name of the vulnerability database ("critical" ... "low",
 * "none", "unknown") as a finding severity; info for the rest. */
int verdict_vuln_severity(const char *name);

#endif
