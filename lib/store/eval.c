/* The evaluation model: built from a scan, read by diff and history. */
#include <stdlib.h>
#include <string.h>

#include "fwvet/fwvet.h"
#include "store/eval_int.h"

enum { CHUNK_SIZE = 64 * 1024 };

struct eval_chunk {
  eval_chunk *next;
  size_t used, cap;
  char data[];
};

fwvet_eval *eval_new(void) { return calloc(1, sizeof(fwvet_eval)); }

const char *eval_strdup(fwvet_eval *ev, const char *s, int *bad) {
  if (!s)
    return NULL;
  size_t len = strlen(s) + 1;
  eval_chunk *c = ev->chunks;
  if (!c || c->cap - c->used < len) {
    size_t cap = len > CHUNK_SIZE ? len : CHUNK_SIZE;
    c = malloc(sizeof *c + cap);
    if (!c) {
      *bad = 1;
      return NULL;
    }
    c->used = 0;
    c->cap = cap;
    /* A large string gets a chunk of its own behind the current one, so
     * the current one keeps its free space. */
    if (ev->chunks && len > CHUNK_SIZE) {
      c->next = ev->chunks->next;
      ev->chunks->next = c;
    } else {
      c->next = ev->chunks;
      ev->chunks = c;
    }
  }
  char *p = c->data + c->used;
  memcpy(p, s, len);
  c->used += len;
  return p;
}

void *eval_grow(void **arr, size_t *n, size_t *cap, size_t size) {
  if (*n == *cap) {
    size_t ncap = *cap ? *cap * 2 : 16;
    if (ncap > SIZE_MAX / size)
      return NULL;
    void *p = realloc(*arr, ncap * size);
    if (!p)
      return NULL;
    *arr = p;
    *cap = ncap;
  }
  char *slot = (char *)*arr + (*n)++ * size;
  memset(slot, 0, size);
  return slot;
}

#define GROW(ev, field, n, cap) \
  eval_grow((void **)&(ev)->field, &(ev)->n, &(ev)->cap, sizeof *(ev)->field)

void fwvet_eval_destroy(fwvet_eval *ev) {
  if (!ev)
    return;
  for (eval_chunk *c = ev->chunks, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  free(ev->findings);
  free(ev->files);
  free(ev->components);
  free(ev->vulns);
  free(ev->elfs);
  free(ev->eng);
  free(ev->calls);
  free(ev);
}

static int copy_findings(fwvet_eval *ev, const fwvet_scan *scan) {
  int bad = 0;
  for (size_t i = 0; !bad && i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *f = fwvet_scan_finding(scan, i);
    fwvet_finding *d = GROW(ev, findings, nfindings, capfindings);
    if (!d)
      return -1;
    d->rule = eval_strdup(ev, f->rule, &bad);
    d->severity = f->severity;
    d->path = eval_strdup(ev, f->path, &bad);
    d->fspath = eval_strdup(ev, f->fspath, &bad);
    d->offset = f->offset;
    d->line = f->line;
    d->message = eval_strdup(ev, f->message, &bad);
    d->evidence = eval_strdup(ev, f->evidence, &bad);
    d->fingerprint = eval_strdup(ev, f->fingerprint, &bad);
  }
  return bad ? -1 : 0;
}

static int copy_nodes(fwvet_eval *ev, const fwvet_scan *scan) {
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  int bad = 0;
  for (size_t i = 0; !bad && i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    if (fwvet_node_kind(n) != FWVET_KIND_FILE)
      continue;
    fwvet_eval_file *f = GROW(ev, files, nfiles, capfiles);
    if (!f)
      return -1;
    f->path = eval_strdup(ev, fwvet_node_path(n), &bad);
    f->fspath = eval_strdup(ev, fwvet_node_fspath(n), &bad);
    f->type = eval_strdup(ev, fwvet_node_type(n), &bad);
    f->size = fwvet_node_size(n);
    f->sha256 = eval_strdup(ev, fwvet_node_sha256(n), &bad);
    const fwvet_elf_info *e = fwvet_scan_elf(scan, n);
    if (!e)
      continue;
    fwvet_eval_elf *x = GROW(ev, elfs, nelfs, capelfs);
    if (!x)
      return -1;
    x->path = f->path;
    x->fspath = f->fspath;
    x->machine = eval_strdup(ev, e->machine, &bad);
    x->bits = e->bits;
    x->is_static = !!e->is_static;
    x->stripped = !!e->stripped;
    x->nx = !!e->nx;
    x->pie = !!e->pie;
    x->canary = !!e->canary;
    x->relro = e->relro;
    x->fortified = e->fortified;
    x->fortifiable = e->fortifiable;
  }
  return bad ? -1 : 0;
}

static int copy_components(fwvet_eval *ev, const fwvet_scan *scan) {
  size_t nc, nv;
  const fwvet_component *c = fwvet_scan_components(scan, &nc);
  const fwvet_vulnerability *v = fwvet_scan_vulnerabilities(scan, &nv);
  int bad = 0;
  for (size_t i = 0; !bad && i < nc; i++) {
    fwvet_eval_component *d = GROW(ev, components, ncomponents,
                                   capcomponents);
    if (!d)
      return -1;
    d->name = eval_strdup(ev, c[i].name, &bad);
    d->version = eval_strdup(ev, c[i].version, &bad);
    d->cpe = eval_strdup(ev, c[i].cpe, &bad);
    d->purl = eval_strdup(ev, c[i].purl, &bad);
    d->confidence = eval_strdup(ev, c[i].confidence, &bad);
    d->copies = c[i].copies;
  }
  for (size_t i = 0; !bad && i < nv; i++) {
    if (v[i].component >= ev->ncomponents)
      continue;
    fwvet_eval_vuln *d = GROW(ev, vulns, nvulns, capvulns);
    if (!d)
      return -1;
    d->id = eval_strdup(ev, v[i].id, &bad);
    d->component = ev->components[v[i].component].name;
    d->version = ev->components[v[i].component].version;
    d->severity = eval_strdup(ev, v[i].severity, &bad);
    d->cvss = v[i].cvss;
    d->source = eval_strdup(ev, v[i].source, &bad);
    d->match = eval_strdup(ev, v[i].match, &bad);
  }
  return bad ? -1 : 0;
}

static int copy_rows(fwvet_eval *ev, const fwvet_eng_row *rows, size_t n,
                     int calls) {
  int bad = 0;
  for (size_t i = 0; !bad && i < n; i++) {
    fwvet_eng_row *d = calls ? GROW(ev, calls, ncalls, capcalls)
                             : GROW(ev, eng, neng, capeng);
    if (!d)
      return -1;
    *d = rows[i];
    d->family = eval_strdup(ev, rows[i].family, &bad);
    d->method = eval_strdup(ev, rows[i].method, &bad);
  }
  return bad ? -1 : 0;
}

fwvet_status fwvet_eval_from_scan(const fwvet_scan *scan, fwvet_eval **out) {
  if (!scan || !out)
    return FWVET_EINVAL;
  fwvet_eval *ev = eval_new();
  if (!ev)
    return FWVET_ENOMEM;
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  int bad = 0;
  ev->info.input_path = eval_strdup(ev, fwvet_vfs_input_path(vfs), &bad);
  ev->info.input_size = fwvet_vfs_input_size(vfs);
  ev->info.input_sha256 = eval_strdup(ev, fwvet_vfs_input_sha256(vfs), &bad);
  ev->info.tool_version = eval_strdup(ev, fwvet_version(), &bad);
  size_t n, nc;
  const fwvet_eng_row *rows = fwvet_scan_engineering(scan, &n);
  const fwvet_eng_row *crows = fwvet_scan_engineering_calls(scan, &nc);
  if (bad || copy_findings(ev, scan) || copy_nodes(ev, scan) ||
      copy_components(ev, scan) || copy_rows(ev, rows, n, 0) ||
      copy_rows(ev, crows, nc, 1)) {
    fwvet_eval_destroy(ev);
    return FWVET_ENOMEM;
  }
  *out = ev;
  return FWVET_OK;
}

const fwvet_eval_info *fwvet_eval_get_info(const fwvet_eval *ev) {
  return &ev->info;
}

size_t fwvet_eval_finding_count(const fwvet_eval *ev) {
  return ev->nfindings;
}

const fwvet_finding *fwvet_eval_finding(const fwvet_eval *ev, size_t i) {
  return i < ev->nfindings ? &ev->findings[i] : NULL;
}

const fwvet_eval_file *fwvet_eval_files(const fwvet_eval *ev, size_t *n) {
  *n = ev->nfiles;
  return ev->files;
}

const fwvet_eval_component *fwvet_eval_components(const fwvet_eval *ev,
                                                  size_t *n) {
  *n = ev->ncomponents;
  return ev->components;
}

const fwvet_eval_vuln *fwvet_eval_vulnerabilities(const fwvet_eval *ev,
                                                  size_t *n) {
  *n = ev->nvulns;
  return ev->vulns;
}

const fwvet_eval_elf *fwvet_eval_elfs(const fwvet_eval *ev, size_t *n) {
  *n = ev->nelfs;
  return ev->elfs;
}

const fwvet_eng_row *fwvet_eval_engineering(const fwvet_eval *ev,
                                            size_t *n) {
  *n = ev->neng;
  return ev->eng;
}

const fwvet_eng_row *fwvet_eval_engineering_calls(const fwvet_eval *ev,
                                                  size_t *n) {
  *n = ev->ncalls;
  return ev->calls;
}

double fwvet_eval_unsafe_percent(const fwvet_eval *ev) {
  uint64_t safe = 0, unsafe = 0;
  for (size_t i = 0; i < ev->neng; i++) {
    safe += ev->eng[i].safe_calls;
    unsafe += ev->eng[i].unsafe_calls;
  }
  if (safe + unsafe == 0)
    return -1;
  return 100.0 * (double)unsafe / (double)(safe + unsafe);
}

void fwvet_eval_coverage(const fwvet_eval *ev, fwvet_hardening_coverage *c) {
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < ev->nelfs; i++) {
    const fwvet_eval_elf *e = &ev->elfs[i];
    c->elf_files++;
    c->nx += e->nx != 0;
    c->pie += e->pie != 0;
    c->relro_full += e->relro == FWVET_RELRO_FULL;
    c->canary += e->canary != 0;
    c->fortified += e->fortified > 0;
  }
}
