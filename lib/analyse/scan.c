/* A scan: the unpack run with the analysers attached as its visitor. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyser.h"
#include "analyse/fortify.h"
#include "analyse/inventory.h"
#include "analyse/scriptrefs.h"
#include "core/findings.h"
#include "engineering/families.h"
#include "fwvet/fwvet.h"
#include "sig/sigdb.h"

typedef struct elf_rec {
  const fwvet_node *node;
  fwvet_elf_info *info;
} elf_rec;

struct fwvet_sink {
  fwvet_findings findings;
  pthread_mutex_t lock; /* for elf and eng */
  elf_rec *elf;
  size_t nelf, capelf;
  fwvet_visit_fn next;
  void *next_ud;
  fwvet_families *fam;
  fwvet_eng_counter eng;
  fwvet_eng_counter calls; /* call sites, where counted */
  fwvet_scan_options opt; /* as the caller gave them */
  fwvet_sigdb *sigdb;     /* compiled component signatures */
  fwvet_comp_ev *ev;      /* component evidence, under lock */
  size_t nev, capev;
  int ev_failed;          /* out of memory while recording it */
  fwvet_fortify fortify;  /* C libraries and their users, under lock */
  fwvet_scriptrefs scripts; /* scripts found by reference, under lock */
};

struct fwvet_scan {
  fwvet_vfs *vfs;
  fwvet_sink sink;
  const fwvet_finding **all; /* unpack findings and the analysers' */
  size_t nall;
  fwvet_eng_row *rows; /* the engineering table */
  size_t nrows;
  fwvet_eng_row *crows; /* its call-sites rows */
  size_t ncrows;
  fwvet_inventory inv;
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

const fwvet_scan_options *fwvet_sink_options(const fwvet_sink *sink) {
  return &sink->opt;
}

const char *fwvet_relro_name(fwvet_relro r) {
  return r == FWVET_RELRO_FULL ? "full"
         : r == FWVET_RELRO_PARTIAL ? "partial" : "none";
}

void fwvet_elf_info_free(fwvet_elf_info *info) {
  if (!info)
    return;
  free((char *)info->machine);
  free((char *)info->elf_type);
  free((char *)info->rpath);
  free((char *)info->runpath);
  for (size_t i = 0; i < info->nimports; i++)
    free((char *)info->imports[i]);
  free((char **)info->imports);
  free(info);
}

void fwvet_sink_elf(fwvet_sink *sink, const fwvet_node *node,
                    fwvet_elf_info *info) {
  pthread_mutex_lock(&sink->lock);
  if (sink->nelf == sink->capelf) {
    size_t cap = sink->capelf ? sink->capelf * 2 : 64;
    elf_rec *p = realloc(sink->elf, cap * sizeof *p);
    if (!p) {
      pthread_mutex_unlock(&sink->lock);
      fwvet_elf_info_free(info);
      return;
    }
    sink->elf = p;
    sink->capelf = cap;
  }
  sink->elf[sink->nelf++] = (elf_rec){node, info};
  pthread_mutex_unlock(&sink->lock);
}

void fwvet_sink_fortify(fwvet_sink *sink, const fwvet_fortify_rec *rec) {
  pthread_mutex_lock(&sink->lock);
  (void)fwvet_fortify_add(&sink->fortify, rec); /* lost: table counts */
  pthread_mutex_unlock(&sink->lock);
}

void fwvet_sink_script_ref(fwvet_sink *sink, const fwvet_node *node,
                           const char *path) {
  pthread_mutex_lock(&sink->lock);
  fwvet_scriptrefs_add_ref(&sink->scripts, node, path);
  pthread_mutex_unlock(&sink->lock);
}

void fwvet_sink_script_candidate(fwvet_sink *sink, const fwvet_node *node,
                                 const uint8_t *data, size_t len) {
  pthread_mutex_lock(&sink->lock);
  fwvet_scriptrefs_add_candidate(&sink->scripts, node, data, len);
  pthread_mutex_unlock(&sink->lock);
}

const fwvet_sigdb *fwvet_sink_signatures(const fwvet_sink *sink) {
  return sink->sigdb;
}

static char *dup_or_null(const char *s, int *failed) {
  if (!s)
    return NULL;
  char *d = strdup(s);
  if (!d)
    *failed = 1;
  return d;
}

void fwvet_sink_component(fwvet_sink *sink, const fwvet_node *node,
                          long product, const char *name,
                          const char *version, const char *package_version,
                          fwvet_evidence_kind kind, uint64_t offset,
                          const char *evidence) {
  int failed = 0;
  fwvet_comp_ev e = {node,
                     product,
                     product < 0 ? dup_or_null(name, &failed) : NULL,
                     dup_or_null(version, &failed),
                     dup_or_null(package_version, &failed),
                     kind,
                     offset,
                     dup_or_null(evidence ? evidence : "", &failed),
                     0};
  if (product < 0 && !name)
    failed = 1;
  pthread_mutex_lock(&sink->lock);
  if (!failed && sink->nev == sink->capev) {
    size_t cap = sink->capev ? sink->capev * 2 : 64;
    fwvet_comp_ev *p = realloc(sink->ev, cap * sizeof *p);
    if (p) {
      sink->ev = p;
      sink->capev = cap;
    } else {
      failed = 1;
    }
  }
  if (failed) {
    sink->ev_failed = 1;
    fwvet_comp_ev_release(&e);
  } else {
    sink->ev[sink->nev++] = e;
  }
  pthread_mutex_unlock(&sink->lock);
}

/* The built-in signatures plus the caller's file, compiled. */
static fwvet_status load_signatures(fwvet_sink *sink) {
  char err[512];
  fwvet_status st = fwvet_sigdb_add_builtin(&sink->sigdb, err, sizeof err);
  if (!st && sink->opt.signatures)
    st = fwvet_sigdb_add_file(&sink->sigdb, sink->opt.signatures, err,
                              sizeof err);
  if (!st)
    st = fwvet_sigdb_compile(sink->sigdb, err, sizeof err);
  return st;
}

const fwvet_families *fwvet_sink_families(const fwvet_sink *sink) {
  return sink->fam;
}

void fwvet_sink_engineering(fwvet_sink *sink,
                            const fwvet_eng_counter *counts) {
  pthread_mutex_lock(&sink->lock);
  fwvet_eng_counter_merge(&sink->eng, counts);
  pthread_mutex_unlock(&sink->lock);
}

void fwvet_sink_engineering_calls(fwvet_sink *sink,
                                  const fwvet_eng_counter *counts) {
  pthread_mutex_lock(&sink->lock);
  fwvet_eng_counter_merge(&sink->calls, counts);
  pthread_mutex_unlock(&sink->lock);
}

static int cmp_elf(const void *a, const void *b) {
  const elf_rec *x = a, *y = b;
  return x->node < y->node ? -1 : x->node > y->node;
}

/* Sorts records by node and drops second records for one node. */
static void elf_finish(fwvet_sink *sink) {
  if (!sink->nelf)
    return;
  qsort(sink->elf, sink->nelf, sizeof *sink->elf, cmp_elf);
  size_t o = 1;
  for (size_t i = 1; i < sink->nelf; i++) {
    if (sink->elf[i].node == sink->elf[o - 1].node)
      fwvet_elf_info_free(sink->elf[i].info);
    else
      sink->elf[o++] = sink->elf[i];
  }
  sink->nelf = o;
}

static fwvet_elf_info *elf_of(void *ud, const fwvet_node *node) {
  const fwvet_sink *sink = ud;
  const elf_rec key = {node, NULL};
  const elf_rec *r = sink->nelf ? bsearch(&key, sink->elf, sink->nelf,
                                          sizeof *sink->elf, cmp_elf)
                                : NULL;
  return r ? r->info : NULL;
}

const fwvet_elf_info *fwvet_scan_elf(const fwvet_scan *s,
                                     const fwvet_node *node) {
  return elf_of((void *)&s->sink, node);
}

/* The provenance path up to where the node's fspath starts. */
static size_t container_len(const fwvet_node *node) {
  const char *p = fwvet_node_path(node), *fs = fwvet_node_fspath(node);
  size_t n = strlen(p), m = fs ? strlen(fs) : 0;
  return m && m <= n && !strcmp(p + n - m, fs) ? n - m : n;
}

int fwvet_same_container(const fwvet_node *a, const fwvet_node *b) {
  size_t n = container_len(a);
  return n == container_len(b) &&
         !strncmp(fwvet_node_path(a), fwvet_node_path(b), n);
}

static const fwvet_elf_info *elf_lookup(void *ctx, const fwvet_node *node) {
  return elf_of(ctx, node);
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

/* What to open: a path, or bytes in memory. */
typedef struct input {
  const char *path;
  const uint8_t *data;
  size_t len;
} input;

static fwvet_status run(const input *in, const fwvet_scan_options *opt,
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
  pthread_mutex_init(&s->sink.lock, NULL);
  s->sink.opt = o;
  s->sink.next = o.open.visit;
  s->sink.next_ud = o.open.visit_ud;
  o.open.visit = visit;
  o.open.visit_ud = &s->sink;
  fwvet_status st = fwvet_families_new(o.families, &s->sink.fam, NULL);
  if (st || (st = fwvet_eng_counter_init(&s->sink.eng, s->sink.fam)) ||
      (st = fwvet_eng_counter_init(&s->sink.calls, s->sink.fam)))
    goto fail;
  if ((st = load_signatures(&s->sink)))
    goto fail;
  st = in->data ? fwvet_vfs_open_memory(in->path, in->data, in->len, &o.open,
                                        &s->vfs)
                : fwvet_vfs_open(in->path, &o.open, &s->vfs);
  if (st)
    goto fail;
  fwvet_scriptrefs_each(&s->sink.scripts, fwvet_services_referenced,
                        &s->sink);
  fwvet_scriptrefs_release(&s->sink.scripts); /* the copies are done */
  if (s->sink.ev_failed) {
    st = FWVET_ENOMEM;
    goto fail;
  }
  elf_finish(&s->sink); /* the inventory looks ELF facts up */
  st = fwvet_inventory_build(&s->inv, s->vfs, s->sink.sigdb, s->sink.ev,
                             s->sink.nev, o.vulndb, elf_lookup, &s->sink,
                             &s->sink.findings);
  if (st)
    goto fail;
  st = fwvet_eng_rows(&s->sink.eng, "imports", &s->rows, &s->nrows);
  if (!st)
    st = fwvet_eng_rows(&s->sink.calls, "call-sites", &s->crows, &s->ncrows);
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
  elf_finish(&s->sink);
  fwvet_fortify_apply(&s->sink.fortify, elf_of, &s->sink);
  *out = s;
  return FWVET_OK;
fail:
  fwvet_scan_destroy(s);
  return st;
}

fwvet_status fwvet_scan_run(const char *path, const fwvet_scan_options *opt,
                            fwvet_scan **out) {
  input in = {path, NULL, 0};
  return run(&in, opt, out);
}

fwvet_status fwvet_scan_run_memory(const char *name, const uint8_t *data,
                                   size_t len, const fwvet_scan_options *opt,
                                   fwvet_scan **out) {
  static const uint8_t empty[1];
  input in = {name, len ? data : empty, len};
  return run(&in, opt, out);
}

void fwvet_scan_destroy(fwvet_scan *s) {
  if (!s)
    return;
  fwvet_vfs_destroy(s->vfs);
  fwvet_findings_release(&s->sink.findings);
  for (size_t i = 0; i < s->sink.nelf; i++)
    fwvet_elf_info_free(s->sink.elf[i].info);
  free(s->sink.elf);
  fwvet_inventory_release(&s->inv);
  for (size_t i = 0; i < s->sink.nev; i++)
    fwvet_comp_ev_release(&s->sink.ev[i]);
  free(s->sink.ev);
  fwvet_sigdb_free(s->sink.sigdb);
  pthread_mutex_destroy(&s->sink.lock);
  fwvet_eng_counter_release(&s->sink.eng);
  fwvet_eng_counter_release(&s->sink.calls);
  fwvet_fortify_release(&s->sink.fortify);
  fwvet_scriptrefs_release(&s->sink.scripts);
  fwvet_families_free(s->sink.fam);
  free(s->rows);
  free(s->crows);
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

const fwvet_eng_row *fwvet_scan_engineering(const fwvet_scan *s, size_t *n) {
  *n = s->nrows;
  return s->rows;
}

const fwvet_eng_row *fwvet_scan_engineering_calls(const fwvet_scan *s,
                                                  size_t *n) {
  *n = s->ncrows;
  return s->crows;
}

const fwvet_component *fwvet_scan_components(const fwvet_scan *s,
                                             size_t *n) {
  *n = s->inv.ncomps;
  return s->inv.comps;
}

const char *fwvet_scan_vulndb(const fwvet_scan *s) {
  return s->sink.opt.vulndb;
}

const fwvet_census_row *fwvet_scan_census(const fwvet_scan *s, size_t *n) {
  *n = s->inv.ncensus;
  return s->inv.census;
}

const fwvet_vulnerability *fwvet_scan_vulnerabilities(const fwvet_scan *s,
                                                      size_t *n) {
  *n = s->inv.nvulns;
  return s->inv.vulns;
}
