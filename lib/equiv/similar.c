/*
 * Pairing what the paths did not pair: a file renamed or moved is found
 * by its bytes (same sha256), then by its name and type in another
 * directory, then by similar content.  Similarity is the overlap of
 * content-defined chunks (a boundary wherever a rolling hash of the last
 * bytes has its low bits zero), so an insertion changes only the chunks
 * around it; each file is summarised by its smallest chunk hashes
 * (bottom-k), and two files pair when half of those agree.
 */
#include <stdlib.h>
#include <string.h>

#include "equiv/side.h"

enum { SKETCH = 128, MIN_CHUNK = 16, MAX_PAIRS_TRIED = 4000000 };
#define SIMILAR 0.5

typedef struct sketch {
  uint64_t h[SKETCH];
  size_t n;
} sketch;

static uint64_t gear[256];
static pthread_once_t gear_once = PTHREAD_ONCE_INIT;

static void gear_init(void) {
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 256; i++) {
    x += 0x9e3779b97f4a7c15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    gear[i] = z ^ (z >> 31);
  }
}

static int u64_cmp(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return a < b ? -1 : a > b;
}

/* Keeps the SKETCH smallest distinct chunk hashes. */
static void sketch_add(sketch *s, uint64_t h) {
  for (size_t i = 0; i < s->n; i++)
    if (s->h[i] == h)
      return;
  if (s->n < SKETCH) {
    s->h[s->n++] = h;
    return;
  }
  size_t max = 0;
  for (size_t i = 1; i < s->n; i++)
    if (s->h[i] > s->h[max])
      max = i;
  if (h < s->h[max])
    s->h[max] = h;
}

static void sketch_make(const uint8_t *d, size_t len, sketch *s) {
  pthread_once(&gear_once, gear_init);
  s->n = 0;
  uint64_t roll = 0, fnv = 0xcbf29ce484222325ull;
  size_t start = 0;
  for (size_t i = 0; i < len; i++) {
    roll = (roll << 1) + gear[d[i]];
    fnv = (fnv ^ d[i]) * 0x100000001b3ull;
    if ((i + 1 - start >= MIN_CHUNK && (roll & 0x7f) == 0) || i + 1 == len) {
      sketch_add(s, fnv);
      fnv = 0xcbf29ce484222325ull;
      start = i + 1;
    }
  }
  qsort(s->h, s->n, sizeof *s->h, u64_cmp);
}

static double similarity(const sketch *a, const sketch *b) {
  size_t i = 0, k = 0, both = 0;
  while (i < a->n && k < b->n) {
    if (a->h[i] == b->h[k])
      both++, i++, k++;
    else if (a->h[i] < b->h[k])
      i++;
    else
      k++;
  }
  size_t uni = a->n + b->n - both;
  return uni ? (double)both / (double)uni : 0;
}

static const char *base_name(const char *key) {
  const char *s = strrchr(key, '/');
  return s ? s + 1 : key;
}

static int is_file(const eq_item *it) {
  return fwvet_node_kind(it->node) == FWVET_KIND_FILE && !it->skip &&
         fwvet_node_sha256(it->node);
}

int eq_pair_by_content(struct fwvet_equiv *eq, eq_side *ref, eq_side *cand,
                       size_t *lr, size_t nlr, size_t *lc, size_t nlc) {
  /* Same bytes, then same name and type. */
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1 && nlr * nlc > MAX_PAIRS_TRIED)
      break;
    for (size_t i = 0; i < nlr; i++) {
      eq_item *r = &ref->items[lr[i]];
      if (r->pair != SIZE_MAX || !is_file(r))
        continue;
      for (size_t k = 0; k < nlc; k++) {
        eq_item *c = &cand->items[lc[k]];
        if (c->pair != SIZE_MAX || !is_file(c))
          continue;
        int match = pass == 0
            ? !strcmp(fwvet_node_sha256(r->node), fwvet_node_sha256(c->node))
            : !strcmp(base_name(r->key), base_name(c->key)) &&
                  !strcmp(fwvet_node_type(r->node), fwvet_node_type(c->node));
        if (!match)
          continue;
        if (eq_add_pair(eq, ref, lr[i], cand, lc[k], 1))
          return -1;
        break;
      }
      if (pass == 0 && i * nlc > MAX_PAIRS_TRIED)
        break;
    }
  }
  /* Similar bytes. */
  size_t nr = 0, nc = 0;
  if (nlr * nlc > MAX_PAIRS_TRIED / SKETCH)
    return 0;
  sketch *sr = calloc(nlr + 1, sizeof *sr), *sc = calloc(nlc + 1, sizeof *sc);
  int ret = -1;
  if (!sr || !sc)
    goto out;
  for (size_t i = 0; i < nlr; i++) {
    eq_item *r = &ref->items[lr[i]];
    if (r->pair == SIZE_MAX && is_file(r) && r->data) {
      sketch_make(r->data, r->len, &sr[i]);
      nr++;
    }
  }
  for (size_t k = 0; k < nlc; k++) {
    eq_item *c = &cand->items[lc[k]];
    if (c->pair == SIZE_MAX && is_file(c) && c->data) {
      sketch_make(c->data, c->len, &sc[k]);
      nc++;
    }
  }
  for (size_t i = 0; nr && nc && i < nlr; i++) {
    if (!sr[i].n || ref->items[lr[i]].pair != SIZE_MAX)
      continue;
    double best = SIMILAR;
    size_t bk = SIZE_MAX;
    for (size_t k = 0; k < nlc; k++) {
      if (!sc[k].n || cand->items[lc[k]].pair != SIZE_MAX)
        continue;
      double s = similarity(&sr[i], &sc[k]);
      if (s >= best) {
        best = s;
        bk = k;
      }
    }
    if (bk != SIZE_MAX && eq_add_pair(eq, ref, lr[i], cand, lc[bk], 1))
      goto out;
  }
  ret = 0;
out:
  free(sr);
  free(sc);
  return ret;
}
