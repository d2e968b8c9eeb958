/* The literal prefilter (see literals.h). */
#include "core/literals.h"

#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

struct fwvet_literal_db {
  hs_database_t *hs;
  pthread_mutex_t lock; /* scratch spaces not in use */
  hs_scratch_t **free;
  size_t nfree, capfree;
};

/* pthread_once() passes no argument: the set being compiled. */
static __thread fwvet_literal_set *compiling;

static const char *lit(const fwvet_literal_set *set, size_t i) {
  return *(const char *const *)((const char *)set->base + i * set->stride +
                                set->offset);
}

static void compile(void) {
  fwvet_literal_set *set = compiling;
  if (set->n == 0 || set->n > 64 || hs_valid_platform() != HS_SUCCESS)
    return;
  const char **lits = calloc(set->n, sizeof *lits);
  size_t *lens = calloc(set->n, sizeof *lens);
  unsigned *flags = calloc(set->n, sizeof *flags);
  unsigned *ids = calloc(set->n, sizeof *ids);
  fwvet_literal_db *db = calloc(1, sizeof *db);
  hs_compile_error_t *err = NULL;
  if (!lits || !lens || !flags || !ids || !db)
    goto out;
  for (size_t i = 0; i < set->n; i++) {
    lits[i] = lit(set, i);
    lens[i] = strlen(lits[i]);
    flags[i] = 0;
    ids[i] = (unsigned)i;
  }
  if (hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)set->n,
                           HS_MODE_BLOCK, NULL, &db->hs, &err) != HS_SUCCESS) {
    hs_free_compile_error(err);
    goto out;
  }
  pthread_mutex_init(&db->lock, NULL);
  set->db = db;
  db = NULL;
out:
  free(db);
  free(lits);
  free(lens);
  free(flags);
  free(ids);
}

typedef struct scan_ctx {
  uint64_t found, all;
  fwvet_literal_fn fn; /* or NULL: only which literals occur */
  void *ud;
} scan_ctx;

static int on_match(unsigned id, unsigned long long from,
                    unsigned long long to, unsigned flags, void *ctx) {
  (void)from;
  (void)flags;
  scan_ctx *c = ctx;
  if (c->fn)
    return c->fn(c->ud, id, (size_t)to);
  c->found |= (uint64_t)1 << id;
  return c->found == c->all; /* everything seen: stop early */
}

static int run(fwvet_literal_set *set, const uint8_t *data, size_t len,
               scan_ctx *c) {
  compiling = set;
  pthread_once(&set->once, compile);
  fwvet_literal_db *db = set->db;
  if (!db || len > 0xffffffffu)
    return -1;
  hs_scratch_t *s = NULL;
  pthread_mutex_lock(&db->lock);
  if (db->nfree)
    s = db->free[--db->nfree];
  pthread_mutex_unlock(&db->lock);
  if (!s && hs_alloc_scratch(db->hs, &s) != HS_SUCCESS)
    return -1;
  hs_error_t e = hs_scan(db->hs, (const char *)data, (unsigned)len, 0, s,
                         on_match, c);
  pthread_mutex_lock(&db->lock);
  if (db->nfree == db->capfree) {
    size_t n = db->capfree ? db->capfree * 2 : 4;
    hs_scratch_t **v = realloc(db->free, n * sizeof *v);
    if (v) {
      db->free = v;
      db->capfree = n;
    }
  }
  if (db->nfree < db->capfree) {
    db->free[db->nfree++] = s;
    s = NULL;
  }
  pthread_mutex_unlock(&db->lock);
  hs_free_scratch(s);
  return e == HS_SUCCESS || e == HS_SCAN_TERMINATED ? 0 : -1;
}

uint64_t fwvet_literals_scan(fwvet_literal_set *set, const uint8_t *data,
                             size_t len) {
  uint64_t all = set->n >= 64 ? UINT64_MAX : ((uint64_t)1 << set->n) - 1;
  scan_ctx c = {0, all, NULL, NULL};
  return run(set, data, len, &c) ? all : c.found;
}

int fwvet_literals_each(fwvet_literal_set *set, const uint8_t *data,
                        size_t len, fwvet_literal_fn fn, void *ud) {
  scan_ctx c = {0, 0, fn, ud};
  return run(set, data, len, &c);
}
