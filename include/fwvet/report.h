/* fwvet — writing results for people and programs. */
#ifndef FWVET_REPORT_H
#define FWVET_REPORT_H

#include <stdio.h>

#include "audit.h"
#include "scan.h"
#include "vfs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fwvet_report_format {
  FWVET_REPORT_TEXT = 0,
  FWVET_REPORT_JSON,
  FWVET_REPORT_CYCLONEDX, /* CycloneDX 1.6 JSON SBOM (scan only) */
  FWVET_REPORT_SARIF,     /* SARIF 2.1.0 (scan) */
  FWVET_REPORT_HTML,      /* one self-contained page (scan) */
} fwvet_report_format;

/* Parses "text" / "json" / "cyclonedx" / "sarif" / "html"; returns -1
 * for anything else. */
int fwvet_report_format_parse(const char *name);

typedef struct fwvet_report_options {
  fwvet_report_format format;
  int color;             /* ANSI colour in text output */
  fwvet_severity min_severity; /* findings below this are not printed */
} fwvet_report_options;

/* The unpacked tree: text, one line per node, or JSON {"tool", "input",
 * "files", "findings"}.  FWVET_EIO when writing to `out` fails. */
fwvet_status fwvet_report_ls(const fwvet_vfs *vfs,
                             const fwvet_report_options *opt, FILE *out);

/* The evaluation of an input in the shape of the scan JSON contract
 * (tool, input, files, components, census, vulnerabilities, findings,
 * engineering, summary), or a text summary followed by the details. */
fwvet_status fwvet_report_scan(const fwvet_scan *scan,
                               const fwvet_report_options *opt, FILE *out);

/* The components of a scan as a CycloneDX 1.6 JSON SBOM: each component
 * with CPE, purl, hashes of the files holding it and its occurrences as
 * evidence; known vulnerabilities when a database was used. */
fwvet_status fwvet_report_cyclonedx(const fwvet_scan *scan, FILE *out);

/* The findings of a scan as a SARIF 2.1.0 log: one run, rules described
 * from docs/rules.md, one result per finding at or above
 * opt->min_severity (location: the provenance path as a relative URI). */
fwvet_status fwvet_report_sarif(const fwvet_scan *scan,
                                const fwvet_report_options *opt, FILE *out);

/* The scan as one HTML page that needs nothing else (no network): a
 * summary with charts, and tables of findings (with their evidence),
 * components, vulnerabilities, binaries and files, built by its script
 * from the data embedded in the page. */
fwvet_status fwvet_report_html(const fwvet_scan *scan,
                               const fwvet_report_options *opt, FILE *out);

/* The engineering table of a source tree: text (the table, the
 * findings) or the audit-src JSON contract {"families", "functions",
 * "files", "findings"}.  FWVET_EIO when writing to `out` fails. */
fwvet_status fwvet_report_audit(const fwvet_audit *audit,
                                const fwvet_report_options *opt, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
