/* Finding lists. */
#include "core/findings.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

void fwvet_findings_init(fwvet_findings *l) {
  memset(l, 0, sizeof *l);
  pthread_mutex_init(&l->lock, NULL);
}

static void finding_free(fwvet_finding *f) {
  free((char *)f->rule);
  free((char *)f->path);
  free((char *)f->fspath);
  free((char *)f->message);
  free((char *)f->evidence);
  free((char *)f->fingerprint);
}

void fwvet_findings_release(fwvet_findings *l) {
  for (size_t i = 0; i < l->count; i++)
    finding_free(&l->items[i]);
  free(l->items);
  pthread_mutex_destroy(&l->lock);
  memset(l, 0, sizeof *l);
}

fwvet_status fwvet_findings_add(fwvet_findings *l, const char *rule,
                                fwvet_severity sev, const char *path,
                                const char *fspath, uint64_t offset,
                                unsigned line, const char *evidence,
                                const char *message) {
  fwvet_finding f = {0};
  char fp[33];
  fwvet_fingerprint(rule, fspath && *fspath ? fspath : path, evidence, fp);
  f.rule = strdup(rule);
  f.severity = sev;
  f.path = strdup(path ? path : "");
  f.fspath = strdup(fspath ? fspath : "");
  f.offset = offset;
  f.line = line;
  f.message = strdup(message);
  f.evidence = evidence ? strdup(evidence) : NULL;
  f.fingerprint = strdup(fp);
  if (!f.rule || !f.path || !f.fspath || !f.message || !f.fingerprint ||
      (evidence && !f.evidence))
    goto nomem;
  pthread_mutex_lock(&l->lock);
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    fwvet_finding *p = realloc(l->items, cap * sizeof *p);
    if (!p) {
      pthread_mutex_unlock(&l->lock);
      goto nomem;
    }
    l->items = p;
    l->cap = cap;
  }
  l->items[l->count++] = f;
  pthread_mutex_unlock(&l->lock);
  return FWVET_OK;
nomem:
  finding_free(&f);
  return FWVET_ENOMEM;
}

int fwvet_path_cmp(const char *a, const char *b) {
  for (;; a++, b++) {
    unsigned ca = (unsigned char)*a, cb = (unsigned char)*b;
    if (ca == cb) {
      if (!ca)
        return 0;
      continue;
    }
    if (!ca)
      return -1;
    if (!cb)
      return 1;
    if (ca == '/')
      return -1;
    if (cb == '/')
      return 1;
    return ca < cb ? -1 : 1;
  }
}

int fwvet_finding_cmp(const fwvet_finding *x, const fwvet_finding *y) {
  int c = fwvet_path_cmp(x->path, y->path);
  if (c)
    return c;
  if (x->offset != y->offset)
    return x->offset < y->offset ? -1 : 1;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  if ((c = strcmp(x->rule, y->rule)))
    return c;
  return strcmp(x->message, y->message);
}

static int cmp_items(const void *a, const void *b) {
  return fwvet_finding_cmp(a, b);
}

void fwvet_findings_sort(fwvet_findings *l) {
  if (l->count)
    qsort(l->items, l->count, sizeof *l->items, cmp_items);
}
