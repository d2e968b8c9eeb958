/* The binary-equivalence result of the two inputs, attached to the files
 * of a diff by logical path (docs/progress.md). */
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"

/* A pair with the logical paths of its two sides. */
typedef struct pair_keys {
  char *rkey, *ckey;
  const fwvet_equiv_pair *pair;
  size_t order;
} pair_keys;

static int by_ckey(const void *a, const void *b) {
  const pair_keys *x = a, *y = b;
  int c = strcmp(x->ckey, y->ckey);
  return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int by_rkey(const void *a, const void *b) {
  const pair_keys *x = a, *y = b;
  int c = strcmp(x->rkey, y->rkey);
  return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* First index whose key (candidate's or reference's) is not below `key`. */
static size_t lower_bound(const pair_keys *k, size_t n, const char *key,
                          int cand) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(cand ? k[mid].ckey : k[mid].rkey, key) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/*
 * The pair for a file of the diff.  A changed file needs a pair with its
 * key on both sides; an added one a pair whose candidate has its key and
 * whose reference lies elsewhere (it moved), a removed one the converse.
 */
static const fwvet_equiv_pair *find(const pair_keys *bc, const pair_keys *br,
                                    size_t n, const char *key,
                                    fwvet_file_change c) {
  int cand = c != FWVET_FILE_REMOVED;
  const pair_keys *k = cand ? bc : br;
  for (size_t i = lower_bound(k, n, key, cand); i < n; i++) {
    if (strcmp(cand ? k[i].ckey : k[i].rkey, key))
      break;
    int same = !strcmp(k[i].ckey, k[i].rkey);
    if (same == (c == FWVET_FILE_CHANGED))
      return k[i].pair;
  }
  return NULL;
}

static void free_keys(pair_keys *k, size_t n) {
  for (size_t i = 0; k && i < n; i++) {
    free(k[i].rkey);
    free(k[i].ckey);
  }
  free(k);
}

fwvet_status fwvet_diff_attach_equiv(fwvet_diff *d, const fwvet_equiv *eq) {
  if (!d || !eq || d->equiv)
    return FWVET_EINVAL;
  size_t n = 0, np = fwvet_equiv_pair_count(eq);
  pair_keys *bc = calloc(np ? np : 1, sizeof *bc);
  pair_keys *br = malloc((np ? np : 1) * sizeof *br);
  fwvet_status st = FWVET_ENOMEM;
  if (!bc || !br)
    goto out;
  for (size_t i = 0; i < np; i++) {
    const fwvet_equiv_pair *p = fwvet_equiv_pair_at(eq, i);
    if (!p->ref.path || !p->cand.path)
      continue;
    pair_keys *k = &bc[n++];
    k->pair = p;
    k->order = i;
    if (!(k->rkey = diff_key_dup(p->ref.path)) ||
        !(k->ckey = diff_key_dup(p->cand.path)))
      goto out;
  }
  memcpy(br, bc, n * sizeof *br);
  qsort(bc, n, sizeof *bc, by_ckey);
  qsort(br, n, sizeof *br, by_rkey);
  /* Nothing below can fail: the diff changes only on success. */
  for (int c = FWVET_FILE_CHANGED; c <= FWVET_FILE_REMOVED; c++)
    for (size_t i = 0; i < d->nfiles[c]; i++)
      d->files[c][i].equiv =
          find(bc, br, n, d->files[c][i].key, (fwvet_file_change)c);
  d->equiv = eq;
  st = FWVET_OK;
out:
  free(br); /* shares its strings with bc */
  free_keys(bc, n);
  return st;
}

const fwvet_equiv *fwvet_diff_equiv(const fwvet_diff *d) { return d->equiv; }
