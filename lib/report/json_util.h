/* JSON helpers shared by the report writers (internal). */
#ifndef FWVET_REPORT_JSON_UTIL_H
#define FWVET_REPORT_JSON_UTIL_H

#include <jansson.h>

#include "fwvet/audit.h"
#include "fwvet/scan.h"
#include "fwvet/elf.h"
#include "fwvet/vfs.h"

/* A JSON string from bytes that may not be UTF-8: invalid bytes become
 * the text "\xNN" so nothing is lost or rejected.  NULL gives JSON null. */
json_t *fwvet_json_str(const char *s);
json_t *fwvet_json_node(const fwvet_node *n);
json_t *fwvet_json_finding(const fwvet_finding *f);
/* The "elf" object of a file in the scan JSON. */
json_t *fwvet_json_elf(const fwvet_elf_info *e);
json_t *fwvet_json_tool(void);
json_t *fwvet_json_input(const fwvet_vfs *vfs);
/* Appends `obj` to `arr` / sets a key, stealing the reference; returns -1
 * when `obj` is NULL (out of memory). */
int fwvet_json_push(json_t *arr, json_t *obj);
int fwvet_json_set(json_t *o, const char *key, json_t *v);
/* The engineering table: the JSON "families" array, and the text table
 * (a heading line, then one line per family). */
json_t *fwvet_json_eng_table(const fwvet_eng_row *rows, size_t n);
void fwvet_text_eng_table(const fwvet_eng_row *rows, size_t n, FILE *out);
/* Writes `root` and a newline; FWVET_EIO on a write error. */
fwvet_status fwvet_json_write(json_t *root, FILE *out);

/* components.c: the scan's components, census and vulnerabilities as the
 * JSON contract's arrays, and as text sections. */
json_t *fwvet_json_components(const fwvet_scan *scan);
json_t *fwvet_json_census(const fwvet_scan *scan);
json_t *fwvet_json_vulnerabilities(const fwvet_scan *scan);
void fwvet_text_components(const fwvet_scan *scan, FILE *out);

/* text_summary.c: the rest of the text report's first screen (most
 * severe findings, vulnerable components, hardening coverage). */
void fwvet_text_summary(const fwvet_scan *scan, int color, FILE *out);

#endif
