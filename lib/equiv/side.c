/*
 * One side of an equivalence run.  The unpacker releases a node's bytes
 * once the visitor has seen them; the visitor copies the bytes of every
 * file (decoded streams included) while a per-side budget lasts, so the
 * comparison, which needs both sides at once, never re-reads or re-decodes
 * anything.  Past the budget nothing more is kept, and a pair that would
 * need the missing bytes is reported different for that reason: memory
 * stays bounded and no verdict rests on bytes that were not compared.
 *
 * Logical paths (keys): an entry of a filesystem or archive is keyed by
 * its fspath, prefixed by the key of the file holding that filesystem
 * when it is nested ("/boot/initrd.gz!gzip!/bin/sh"); a decoded stream or
 * carved blob by its parent's key, '!', and the format ("/x.gz!gzip").
 * Filesystems at the top of an input (an image's rootfs, a directory)
 * have no prefix, so an image pairs with a directory of the same tree.
 * Carving offsets are left out: they move between builds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "equiv/side.h"

static int kept_cmp(const void *x, const void *y) {
  const eq_kept *a = x, *b = y;
  return (uintptr_t)a->node < (uintptr_t)b->node
             ? -1
             : (uintptr_t)a->node > (uintptr_t)b->node;
}

static int visit(void *ud, const fwvet_node *n, const uint8_t *data,
                 size_t len) {
  eq_side *s = ud;
  if (fwvet_node_kind(n) != FWVET_KIND_FILE || !data || !len)
    return 0;
  pthread_mutex_lock(&s->lock);
  int room = s->kept_bytes <= s->max_kept && len <= s->max_kept - s->kept_bytes;
  if (!room)
    s->kept_full = 1;
  if (room && s->nkept == s->cap_kept) {
    size_t cap = s->cap_kept ? s->cap_kept * 2 : 256;
    eq_kept *k = realloc(s->kept, cap * sizeof *k);
    if (k) {
      s->kept = k;
      s->cap_kept = cap;
    } else {
      room = 0;
      s->oom = 1;
    }
  }
  size_t slot = 0;
  if (room) {
    s->kept_bytes += len;
    slot = s->nkept++; /* reserved; filled outside the lock */
  }
  pthread_mutex_unlock(&s->lock);
  if (!room)
    return 0;
  uint8_t *copy = malloc(len);
  if (copy)
    memcpy(copy, data, len);
  pthread_mutex_lock(&s->lock);
  /* The array may have moved while unlocked: index, not pointer. */
  s->kept[slot] = (eq_kept){n, copy, copy ? len : 0};
  if (!copy)
    s->oom = 1;
  pthread_mutex_unlock(&s->lock);
  return 0;
}

fwvet_status eq_side_open(eq_side *s, const char *path,
                          const fwvet_equiv_options *opt) {
  fwvet_open_options o = opt->open;
  o.visit = visit;
  o.visit_ud = s;
  s->max_kept = opt->max_kept_bytes ? opt->max_kept_bytes : (2ull << 30);
  pthread_mutex_init(&s->lock, NULL);
  fwvet_status st = fwvet_vfs_open(path, &o, &s->vfs);
  if (st)
    return st;
  if (s->oom)
    return FWVET_ENOMEM;
  if (s->nkept)
    qsort(s->kept, s->nkept, sizeof *s->kept, kept_cmp);
  return FWVET_OK;
}

static const eq_kept *find_kept(const eq_side *s, const fwvet_node *n) {
  eq_kept k = {n, NULL, 0};
  return s->nkept ? bsearch(&k, s->kept, s->nkept, sizeof k, kept_cmp)
                  : NULL;
}

typedef struct ptr_index {
  const fwvet_node *node;
  size_t i;
} ptr_index;

static int ptr_cmp(const void *x, const void *y) {
  const ptr_index *a = x, *b = y;
  return (uintptr_t)a->node < (uintptr_t)b->node
             ? -1
             : (uintptr_t)a->node > (uintptr_t)b->node;
}

/* Last path segment without a carving offset: "squashfs@0x40" gives
 * "squashfs". */
static void segment(const char *path, char *out, size_t cap) {
  const char *s = strrchr(path, '/');
  s = s ? s + 1 : path;
  size_t n = strcspn(s, "@");
  snprintf(out, cap, "%.*s", (int)n, s);
}

static int make_key(eq_side *s, eq_item *it) {
  const fwvet_node *n = it->node;
  const char *fs = fwvet_node_fspath(n);
  fwvet_kind kind = fwvet_node_kind(n);
  char seg[64];
  if (it->parent == SIZE_MAX) {
    it->key = strdup(*fs ? fs : "@input");
    it->scope = strdup("");
    it->skip = !*fs; /* decided in pairing: outer layer of an image */
    return it->key && it->scope ? 0 : -1;
  }
  const eq_item *p = &s->items[it->parent];
  if (kind == FWVET_KIND_CONTAINER) {
    if (p->skip) {
      it->scope = strdup("");
    } else if (asprintf(&it->scope, "%s!", p->key) < 0) {
      it->scope = NULL;
    }
    if (!it->scope || asprintf(&it->key, "%s/", it->scope) < 0)
      it->key = NULL;
  } else if (*fs) {
    it->scope = strdup(p->scope ? p->scope : "");
    if (!it->scope || asprintf(&it->key, "%s%s", it->scope, fs) < 0)
      it->key = NULL;
  } else {
    segment(fwvet_node_path(n), seg, sizeof seg);
    if (asprintf(&it->key, "%s!%s", p->key, seg) < 0)
      it->key = NULL;
    it->scope = strdup(p->scope ? p->scope : "");
    it->skip = p->skip;
  }
  it->level = p->level + 1;
  return it->key && it->scope ? 0 : -1;
}

int eq_side_index(eq_side *s) {
  size_t n = fwvet_vfs_count(s->vfs);
  int ret = -1;
  ptr_index *idx = calloc(n ? n : 1, sizeof *idx);
  s->items = calloc(n ? n : 1, sizeof *s->items);
  if (!idx || !s->items)
    goto out;
  s->n = n;
  for (size_t i = 0; i < n; i++)
    idx[i] = (ptr_index){fwvet_vfs_node(s->vfs, i), i};
  qsort(idx, n, sizeof *idx, ptr_cmp);
  /* Parents sort before their children (their path is a prefix). */
  for (size_t i = 0; i < n; i++) {
    eq_item *it = &s->items[i];
    it->node = fwvet_vfs_node(s->vfs, i);
    it->pair = SIZE_MAX;
    it->parent = SIZE_MAX;
    const fwvet_node *par = fwvet_node_parent(it->node);
    if (par) {
      ptr_index k = {par, 0};
      ptr_index *f = bsearch(&k, idx, n, sizeof k, ptr_cmp);
      if (f && f->i < i)
        it->parent = f->i;
    }
    const eq_kept *kp = find_kept(s, it->node);
    if (kp) {
      it->data = kp->data;
      it->len = kp->len;
    }
    fwvet_kind kind = fwvet_node_kind(it->node);
    it->container = kind == FWVET_KIND_CONTAINER ||
                    (fwvet_node_flags(it->node) & FWVET_NODE_HAS_CHILDREN) ||
                    (kind == FWVET_KIND_DIR && it->parent == SIZE_MAX);
    if (make_key(s, it))
      goto out;
  }
  ret = 0;
out:
  free(idx);
  return ret;
}

void eq_side_release(eq_side *s) {
  for (size_t i = 0; i < s->nkept; i++)
    free(s->kept[i].data);
  free(s->kept);
  for (size_t i = 0; i < s->n; i++) {
    free(s->items[i].key);
    free(s->items[i].scope);
  }
  free(s->items);
  pthread_mutex_destroy(&s->lock);
  /* The vfs passes to the result; see pairing.c. */
}

fwvet_equiv_node eq_item_node(const eq_item *it) {
  fwvet_equiv_node r;
  r.path = fwvet_node_path(it->node);
  r.sha256 = fwvet_node_sha256(it->node);
  r.size = fwvet_node_size(it->node);
  r.type = fwvet_node_type(it->node);
  r.kind = fwvet_node_kind(it->node);
  return r;
}
