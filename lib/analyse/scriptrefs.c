/*
 * Scripts found by where they are referenced: the records and the
 * matching done when the tree is complete (see scriptrefs.h).
 */
#include <stdlib.h>
#include <string.h>

#include "analyse/scriptrefs.h"

#include "analyse/analyser.h"

void fwvet_scriptrefs_release(fwvet_scriptrefs *r) {
  for (size_t i = 0; i < r->nrefs; i++)
    free(r->refs[i].path);
  free(r->refs);
  for (size_t i = 0; i < r->ncands; i++)
    free(r->cands[i].data);
  free(r->cands);
  memset(r, 0, sizeof *r);
}

static int grow(void **v, size_t *cap, size_t n, size_t size) {
  if (n < *cap)
    return 0;
  size_t c = *cap ? *cap * 2 : 32;
  void *p = realloc(*v, c * size);
  if (!p)
    return -1;
  *v = p;
  *cap = c;
  return 0;
}

void fwvet_scriptrefs_add_ref(fwvet_scriptrefs *r, const fwvet_node *from,
                              const char *path) {
  if (path[0] != '/' || r->nrefs >= FWVET_SCRIPTREFS_MAX_REFS ||
      grow((void **)&r->refs, &r->caprefs, r->nrefs, sizeof *r->refs))
    return;
  char *p = strdup(path);
  if (p)
    r->refs[r->nrefs++] = (fwvet_scriptref){from, p};
}

void fwvet_scriptrefs_add_candidate(fwvet_scriptrefs *r, const fwvet_node *node,
                                    const uint8_t *data, size_t len) {
  if (!len || len > FWVET_SCRIPTREFS_MAX_FILE ||
      len > FWVET_SCRIPTREFS_MAX_TOTAL - r->bytes ||
      grow((void **)&r->cands, &r->capcands, r->ncands, sizeof *r->cands))
    return;
  uint8_t *d = malloc(len);
  if (!d)
    return;
  memcpy(d, data, len);
  r->cands[r->ncands++] = (fwvet_scriptcand){node, d, len};
  r->bytes += len;
}

static int cmp_cand(const void *a, const void *b) {
  const fwvet_scriptcand *x = a, *y = b;
  return strcmp(fwvet_node_path(x->node), fwvet_node_path(y->node));
}

static int cmp_ref(const void *a, const void *b) {
  const fwvet_scriptref *x = a, *y = b;
  int c = strcmp(x->path, y->path);
  return c ? c : strcmp(fwvet_node_path(x->from), fwvet_node_path(y->from));
}

void fwvet_scriptrefs_each(fwvet_scriptrefs *r, fwvet_scriptrefs_fn fn,
                           void *ud) {
  if (!r->ncands || !r->nrefs)
    return;
  /* sorted, so the findings' order does not depend on thread timing */
  qsort(r->cands, r->ncands, sizeof *r->cands, cmp_cand);
  qsort(r->refs, r->nrefs, sizeof *r->refs, cmp_ref);
  for (size_t i = 0; i < r->ncands; i++) {
    const fwvet_scriptcand *c = &r->cands[i];
    const char *fs = fwvet_node_fspath(c->node);
    if (!fs || !*fs)
      continue;
    /* the first reference to this path, then the first in c's fs */
    size_t lo = 0, hi = r->nrefs;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (strcmp(r->refs[mid].path, fs) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (; lo < r->nrefs && !strcmp(r->refs[lo].path, fs); lo++)
      if (fwvet_same_container(r->refs[lo].from, c->node)) {
        fn(ud, c->node, c->data, c->len, r->refs[lo].from);
        break;
      }
  }
}
