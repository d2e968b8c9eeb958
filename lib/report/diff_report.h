/* The diff and history writers, one format per file (internal). */
#ifndef FWVET_REPORT_DIFF_REPORT_H
#define FWVET_REPORT_DIFF_REPORT_H

#include <stdio.h>

#include "fwvet/diff.h"

/* diff_text.c: what the attached equivalence result says of the changed
 * files (fwvet_diff_attach_equiv). */
typedef struct diff_equiv_counts {
  size_t identical, equivalent, different, unpaired;
  unsigned classes; /* FWVET_EQC_* bits that made the equivalent ones so */
} diff_equiv_counts;

void diff_equiv_count(const fwvet_diff *d, diff_equiv_counts *c);
/* Why equivalence was not computed; NULL when it was. */
const char *diff_equiv_missing(const fwvet_diff *d);

/* diff_json.c */
fwvet_status fwvet_report_diff_json(const fwvet_diff *d, FILE *out);
fwvet_status fwvet_report_history_json(const fwvet_history *h, FILE *out);

#endif
