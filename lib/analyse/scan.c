/* A scan: the unpack run with the analysers attached as its visitor. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyser.h"
#include "core/findings.h"
#include "fwvet/fwvet.h"

struct fwvet_sink {
  fwvet_findings findings;
  fwvet_visit_fn next;
  void *next_ud;
};

struct fwvet_scan {
  fwvet_vfs *vfs;
  fwvet_sink sink;
  const fwvet_finding **all; /* unpack findings and the analysers' */
  size_t nall;
};

void fwvet_scan_options_init(fwvet_scan_options *opt) {
  memset(opt, 0, sizeof *opt);
  fwvet_open_options_init(&opt->open);
}

void fwvet_sink_report(fwvet_sink *sink, const fwvet_node *node,
                       const char *rule, fwvet_severity sev, uint64_t offset,
                       unsigned line, const char *evidence, const char *fmt,
                       ...) {
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  int r = vasprintf(&msg, fmt, ap);
  va_end(ap);
  if (r < 0)
    return;
  fwvet_findings_add(&sink->findings, rule, sev, fwvet_node_path(node),
                     fwvet_node_fspath(node), offset, line, evidence, msg);
  free(msg);
}

static int visit(void *ud, const fwvet_node *node, const uint8_t *data,
                 size_t len) {
  fwvet_sink *sink = ud;
  for (size_t i = 0; fwvet_analysers[i]; i++)
    fwvet_analysers[i]->analyse(sink, node, data, len);
  return sink->next ? sink->next(sink->next_ud, node, data, len) : 0;
}

static int cmp_ptr(const void *a, const void *b) {
  return fwvet_finding_cmp(*(const fwvet_finding *const *)a,
                           *(const fwvet_finding *const *)b);
}

fwvet_status fwvet_scan_run(const char *path, const fwvet_scan_options *opt,
                            fwvet_scan **out) {
  fwvet_scan_options o;
  if (opt)
    o = *opt;
  else
    fwvet_scan_options_init(&o);
  fwvet_scan *s = calloc(1, sizeof *s);
  if (!s)
    return FWVET_ENOMEM;
  fwvet_findings_init(&s->sink.findings);
  s->sink.next = o.open.visit;
  s->sink.next_ud = o.open.visit_ud;
  o.open.visit = visit;
  o.open.visit_ud = &s->sink;
  fwvet_status st = fwvet_vfs_open(path, &o.open, &s->vfs);
  if (st)
    goto fail;
  size_t nu = fwvet_vfs_finding_count(s->vfs);
  size_t na = s->sink.findings.count;
  s->all = malloc((nu + na + 1) * sizeof *s->all);
  if (!s->all) {
    st = FWVET_ENOMEM;
    goto fail;
  }
  for (size_t i = 0; i < nu; i++)
    s->all[s->nall++] = fwvet_vfs_finding(s->vfs, i);
  for (size_t i = 0; i < na; i++)
    s->all[s->nall++] = &s->sink.findings.items[i];
  qsort(s->all, s->nall, sizeof *s->all, cmp_ptr);
  *out = s;
  return FWVET_OK;
fail:
  fwvet_scan_destroy(s);
  return st;
}

void fwvet_scan_destroy(fwvet_scan *s) {
  if (!s)
    return;
  fwvet_vfs_destroy(s->vfs);
  fwvet_findings_release(&s->sink.findings);
  free(s->all);
  free(s);
}

const fwvet_vfs *fwvet_scan_vfs(const fwvet_scan *s) { return s->vfs; }

size_t fwvet_scan_finding_count(const fwvet_scan *s) { return s->nall; }

const fwvet_finding *fwvet_scan_finding(const fwvet_scan *s, size_t i) {
  return i < s->nall ? s->all[i] : NULL;
}

size_t fwvet_scan_findings_at_least(const fwvet_scan *s, fwvet_severity sev) {
  size_t n = 0;
  for (size_t i = 0; i < s->nall; i++)
    if (s->all[i]->severity >= sev)
      n++;
  return n;
}
