/* Pieces the HTML reports share (internal): html.c writes the page. */
#ifndef FWVET_REPORT_HTML_H
#define FWVET_REPORT_HTML_H

#include <jansson.h>
#include <stdio.h>

#include "fwvet/finding.h"
#include "fwvet/status.h"

/* A finding as the page's row [rule, severity, path, fspath, line,
 * offset, message, evidence, fingerprint]; adds its rule's meaning and
 * help (docs/rules.md) to the object `rules` on first use. */
json_t *fwvet_html_finding(const fwvet_finding *f, json_t *rules);

/* Writes the page (lib/report/report.html) with `data` embedded; its
 * "kind" ("scan", "diff") says which report the script draws.  Takes no
 * reference; NULL `data` is FWVET_ENOMEM. */
fwvet_status fwvet_html_write(json_t *data, FILE *out);

/* The diff of two evaluations as a page (diff_html.c). */
struct fwvet_diff;
fwvet_status fwvet_report_diff_html(const struct fwvet_diff *d, FILE *out);

#endif
