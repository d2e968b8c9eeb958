/* The diff and history writers, one format per file (internal). */
#ifndef FWVET_REPORT_DIFF_REPORT_H
#define FWVET_REPORT_DIFF_REPORT_H

#include <stdio.h>

#include "fwvet/diff.h"

/* diff_json.c */
fwvet_status fwvet_report_diff_json(const fwvet_diff *d, FILE *out);
fwvet_status fwvet_report_history_json(const fwvet_history *h, FILE *out);

#endif
