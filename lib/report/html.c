/*
 * The HTML report: one page (lib/report/report.html, compiled in) whose
 * script draws everything from the scan's data, embedded in the page as
 * JSON.  Rows are arrays, not objects, and paths are stored relative to
 * their parent node, so a tree of 100,000 files stays a few megabytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwvet/fwvet.h"
#include "report/html.h"
#include "report/json_util.h"
#include "report/sarif.h"
#include "report_html.h" /* generated from lib/report/report.html */

#define DATA_MARKER "/*FWVET-DATA*/"

/* Index of each node by address, for the nodes' parent links. */
typedef struct node_index {
  const fwvet_node *node;
  size_t index;
} node_index;

static int cmp_node_index(const void *a, const void *b) {
  const fwvet_node *x = ((const node_index *)a)->node;
  const fwvet_node *y = ((const node_index *)b)->node;
  return x < y ? -1 : x > y;
}

static long long parent_index(const node_index *idx, size_t n,
                              const fwvet_node *parent) {
  if (!parent)
    return -1;
  node_index key = {parent, 0};
  const node_index *hit = bsearch(&key, idx, n, sizeof *idx, cmp_node_index);
  return hit ? (long long)hit->index : -1;
}

/* The name of a node under its parent: the rest of its provenance path
 * after the parent's and a '/', else the whole path (and no parent). */
static const char *rel_name(const fwvet_node *n, long long *parent,
                            const fwvet_node *p) {
  const char *path = fwvet_node_path(n);
  if (p) {
    const char *pp = fwvet_node_path(p);
    size_t len = strlen(pp);
    if (!strncmp(path, pp, len) && path[len] == '/')
      return path + len + 1;
  }
  *parent = -1;
  return path;
}

static json_t *html_files(const fwvet_vfs *vfs) {
  size_t n = fwvet_vfs_count(vfs);
  node_index *idx = malloc((n ? n : 1) * sizeof *idx);
  json_t *arr = json_array();
  if (!idx || !arr)
    goto fail;
  for (size_t i = 0; i < n; i++)
    idx[i] = (node_index){fwvet_vfs_node(vfs, i), i};
  qsort(idx, n, sizeof *idx, cmp_node_index);
  for (size_t i = 0; i < n; i++) {
    const fwvet_node *node = fwvet_vfs_node(vfs, i);
    const fwvet_node *p = fwvet_node_parent(node);
    long long parent = parent_index(idx, n, p);
    const char *name = rel_name(node, &parent, parent < 0 ? NULL : p);
    json_t *row = json_pack(
        "[I,o,s,s,I,i,o]", (json_int_t)parent, fwvet_json_str(name),
        fwvet_kind_name(fwvet_node_kind(node)), fwvet_node_type(node),
        (json_int_t)fwvet_node_size(node), (int)fwvet_node_mode(node),
        fwvet_json_str(fwvet_node_sha256(node)));
    if (fwvet_json_push(arr, row))
      goto fail;
  }
  free(idx);
  return arr;
fail:
  free(idx);
  json_decref(arr);
  return NULL;
}

json_t *fwvet_html_finding(const fwvet_finding *f, json_t *rules) {
  const fwvet_rule_doc *d = fwvet_rule_doc_find(f->rule);
  if (d && !json_object_get(rules, f->rule) &&
      fwvet_json_set(rules, f->rule,
                     json_pack("[s,s]", d->meaning, d->help_text)))
    return NULL;
  return json_pack(
      "[s,i,o,o,o,o,o,o,s]", f->rule, (int)f->severity,
      fwvet_json_str(f->path), fwvet_json_str(f->fspath),
      f->line ? json_integer(f->line) : json_null(),
      f->offset != FWVET_NO_OFFSET ? json_integer((json_int_t)f->offset)
                                   : json_null(),
      fwvet_json_str(f->message), fwvet_json_str(f->evidence),
      f->fingerprint);
}

static json_t *html_findings(const fwvet_scan *scan, fwvet_severity min,
                             json_t *rules) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *f = fwvet_scan_finding(scan, i);
    if (f->severity >= min &&
        fwvet_json_push(arr, fwvet_html_finding(f, rules))) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

static json_t *html_components(const fwvet_scan *scan) {
  size_t n, nv;
  const fwvet_component *c = fwvet_scan_components(scan, &n);
  const fwvet_vulnerability *v = fwvet_scan_vulnerabilities(scan, &nv);
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++) {
    size_t nvul = 0;
    for (size_t j = 0; j < nv; j++)
      nvul += v[j].component == i;
    const fwvet_location *l = c[i].nlocations ? &c[i].locations[0] : NULL;
    json_t *row = json_pack(
        "[o,o,o,o,s,i,I,o,o,I]", fwvet_json_str(c[i].name),
        fwvet_json_str(c[i].version), fwvet_json_str(c[i].cpe),
        fwvet_json_str(c[i].purl), c[i].confidence, (int)c[i].copies,
        (json_int_t)nvul, fwvet_json_str(l ? l->path : NULL),
        fwvet_json_str(l ? l->evidence : NULL),
        (json_int_t)c[i].nlocations);
    if (fwvet_json_push(arr, row)) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

static json_t *html_vulns(const fwvet_scan *scan) {
  size_t n, nc;
  const fwvet_vulnerability *v = fwvet_scan_vulnerabilities(scan, &n);
  const fwvet_component *c = fwvet_scan_components(scan, &nc);
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++) {
    const fwvet_component *k = &c[v[i].component];
    json_t *row = json_pack(
        "[o,o,o,s,o,s,o,o,b]", fwvet_json_str(v[i].id),
        fwvet_json_str(k->name), fwvet_json_str(k->version), v[i].severity,
        v[i].cvss >= 0 ? json_real(v[i].cvss) : json_null(), v[i].source,
        fwvet_json_str(v[i].match), fwvet_json_str(v[i].summary),
        v[i].distro_may_fix);
    if (fwvet_json_push(arr, row)) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

static json_t *html_binaries(const fwvet_scan *scan) {
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    const fwvet_elf_info *e = fwvet_scan_elf(scan, n);
    if (!e)
      continue;
    json_t *row = json_pack(
        "[o,o,i,o,b,b,b,b,s,b,i,i,o]", fwvet_json_str(fwvet_node_path(n)),
        fwvet_json_str(e->machine), (int)e->bits, fwvet_json_str(e->elf_type),
        e->is_static, e->stripped, e->nx, e->pie, fwvet_relro_name(e->relro),
        e->canary, (int)e->fortified, (int)e->fortifiable,
        fwvet_json_str(e->rpath ? e->rpath : e->runpath));
    if (fwvet_json_push(arr, row)) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

static json_t *html_census(const fwvet_scan *scan) {
  size_t n;
  const fwvet_census_row *r = fwvet_scan_census(scan, &n);
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++) {
    json_t *vers = json_array();
    for (size_t j = 0; vers && j < r[i].nversions; j++)
      if (fwvet_json_push(vers, json_pack("[o,i]",
                                          fwvet_json_str(
                                              r[i].versions[j].version),
                                          (int)r[i].versions[j].copies))) {
        json_decref(vers);
        vers = NULL;
      }
    if (fwvet_json_push(arr, json_pack("[o,i,o*]", fwvet_json_str(r[i].name),
                                       (int)r[i].copies, vers))) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

static json_t *html_data(const fwvet_scan *scan,
                         const fwvet_report_options *opt) {
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  size_t nrows;
  const fwvet_eng_row *rows = fwvet_scan_engineering(scan, &nrows);
  json_t *rules = json_object();
  if (!rules)
    return NULL;
  json_t *findings = html_findings(scan, opt->min_severity, rules);
  return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "kind",
                   "scan", "tool",
                   fwvet_json_tool(), "input", fwvet_json_input(vfs),
                   "rules", rules, "findings", findings, "components",
                   html_components(scan), "census", html_census(scan),
                   "vulnerabilities", html_vulns(scan), "binaries",
                   html_binaries(scan), "files", html_files(vfs),
                   "engineering", fwvet_json_eng_table(rows, nrows));
}

/* Inside <script> the HTML parser looks for "</script" and "<!--": with
 * every '<', '>' and '&' written as a JSON escape neither can occur, and
 * the text is still the same JSON. */
static int put_escaped_json(const char *buf, size_t size, void *data) {
  FILE *out = data;
  size_t start = 0;
  for (size_t i = 0; i < size; i++) {
    const char *esc = buf[i] == '<'   ? "\\u003c"
                      : buf[i] == '>' ? "\\u003e"
                      : buf[i] == '&' ? "\\u0026"
                                      : NULL;
    if (!esc)
      continue;
    if (fwrite(buf + start, 1, i - start, out) != i - start ||
        fputs(esc, out) == EOF)
      return -1;
    start = i + 1;
  }
  return fwrite(buf + start, 1, size - start, out) == size - start ? 0 : -1;
}

fwvet_status fwvet_html_write(json_t *data, FILE *out) {
  const char *page = (const char *)report_html;
  const char *mark = strstr(page, DATA_MARKER);
  if (!data)
    return FWVET_ENOMEM;
  if (!mark)
    return FWVET_EINVAL; /* the template is broken: a build error */
  size_t head = (size_t)(mark - page);
  const char *tail = mark + strlen(DATA_MARKER);
  if (fwrite(page, 1, head, out) != head ||
      json_dump_callback(data, put_escaped_json, out, JSON_COMPACT) != 0 ||
      fputs(tail, out) == EOF)
    return FWVET_EIO;
  return FWVET_OK;
}

fwvet_status fwvet_report_html(const fwvet_scan *scan,
                               const fwvet_report_options *opt, FILE *out) {
  json_t *data = html_data(scan, opt);
  fwvet_status st = fwvet_html_write(data, out);
  json_decref(data);
  return st;
}
