/* One input of an equivalence run: its tree, kept bytes, logical paths
 * (internal). */
#ifndef FWVET_EQUIV_SIDE_H
#define FWVET_EQUIV_SIDE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "equiv/equiv_int.h"

typedef struct eq_item {
  const fwvet_node *node;
  char *key;          /* logical path: the pairing key */
  char *scope;        /* prefix of entries below a container ("" at top) */
  size_t parent;      /* index of the parent item, SIZE_MAX for the root */
  const uint8_t *data;/* kept bytes, or NULL */
  size_t len;
  size_t pair;        /* index of its pair, SIZE_MAX when unpaired */
  unsigned level;     /* ancestors */
  int bad;            /* this or something below it differs or is missing */
  int skip;           /* an outer layer not compared (see pairing.c) */
  int container;      /* judged by what it contains */
  unsigned meta_diffs;/* entries below with other mtimes/owners */
} eq_item;

typedef struct eq_kept {
  const fwvet_node *node;
  uint8_t *data;
  size_t len;
} eq_kept;

typedef struct eq_side {
  fwvet_vfs *vfs;
  eq_item *items;
  size_t n;
  /* bytes copied by the visitor while unpacking */
  pthread_mutex_t lock;
  eq_kept *kept;
  size_t nkept, cap_kept;
  uint64_t kept_bytes, max_kept;
  int kept_full;      /* some bytes were not kept: limit reached */
  int oom;
} eq_side;

/* Unpacks `path` into `s` (zeroed by the caller), keeping file bytes up to
 * the limit. */
fwvet_status eq_side_open(eq_side *s, const char *path,
                          const fwvet_equiv_options *opt);
/* Builds items and their keys; -1 when out of memory. */
int eq_side_index(eq_side *s);
void eq_side_release(eq_side *s);

/* Pairs leftovers by content (same bytes, same name, similar bytes). */
int eq_pair_by_content(struct fwvet_equiv *eq, eq_side *ref, eq_side *cand,
                       size_t *lr, size_t nlr, size_t *lc, size_t nlc);
/* Pairs item `ri` of `rs` with `ci` of `cs`; -1 when out of memory. */
int eq_add_pair(struct fwvet_equiv *eq, eq_side *rs, size_t ri, eq_side *cs,
                size_t ci, int by_content);
/* The fspath-style display key of an item for a pair or a list. */
fwvet_equiv_node eq_item_node(const eq_item *it);

#endif
