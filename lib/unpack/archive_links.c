/* Hard links inside an archive (see archive_links.h). */
#include <stdlib.h>
#include <string.h>

#include "unpack/archive_links.h"

#define WAIT_MAX 4096 /* past this, links without data stay empty */

struct fwvet_link_slot {
  char *name;
  const uint8_t *p; /* NULL: the content cannot be shared */
  size_t len;
};

struct fwvet_link_wait {
  fwvet_entry e;
  char *name, *target; /* target: the hard link's target, or NULL */
};

static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h;
}

/* The slot of `name`, or the empty one where it would go. */
static fwvet_link_slot *find(fwvet_link_slot *slots, size_t cap,
                             const char *name) {
  for (size_t i = fnv1a(name) & (cap - 1);; i = (i + 1) & (cap - 1))
    if (!slots[i].name || strcmp(slots[i].name, name) == 0)
      return &slots[i];
}

static fwvet_status grow(fwvet_links *l) {
  size_t ncap = l->cap ? l->cap * 2 : 64;
  fwvet_link_slot *ns = calloc(ncap, sizeof(*ns));
  if (!ns)
    return FWVET_ENOMEM;
  for (size_t i = 0; i < l->cap; i++)
    if (l->slots[i].name)
      *find(ns, ncap, l->slots[i].name) = l->slots[i];
  free(l->slots);
  l->slots = ns;
  l->cap = ncap;
  return FWVET_OK;
}

fwvet_status fwvet_links_put(fwvet_links *l, const char *name, const uint8_t *p,
                             size_t len) {
  if ((l->used + 1) * 2 > l->cap && grow(l) != FWVET_OK)
    return FWVET_ENOMEM;
  fwvet_link_slot *s = find(l->slots, l->cap, name);
  if (!s->name) {
    if (!(s->name = strdup(name)))
      return FWVET_ENOMEM;
    l->used++;
  }
  s->p = p;
  s->len = len;
  return FWVET_OK;
}

int fwvet_links_get(fwvet_links *l, const char *name, const uint8_t **p,
                    size_t *len) {
  if (!l->cap)
    return 0;
  fwvet_link_slot *s = find(l->slots, l->cap, name);
  if (!s->name || !s->p)
    return 0;
  *p = s->p;
  *len = s->len;
  return 1;
}

int fwvet_links_can_wait(const fwvet_links *l) { return l->nwait < WAIT_MAX; }

fwvet_status fwvet_links_wait(fwvet_links *l, const fwvet_entry *e,
                              const char *target) {
  if (l->nwait >= WAIT_MAX)
    return FWVET_EINVAL;
  if (!l->wait && !(l->wait = calloc(WAIT_MAX, sizeof(*l->wait))))
    return FWVET_ENOMEM;
  fwvet_link_wait *w = &l->wait[l->nwait];
  w->e = *e;
  w->name = strdup(e->name);
  w->target = target ? strdup(target) : NULL;
  if (!w->name || (target && !w->target)) {
    free(w->name);
    free(w->target);
    return FWVET_ENOMEM;
  }
  w->e.name = w->name;
  l->nwait++;
  return FWVET_OK;
}

fwvet_status fwvet_links_resolve(fwvet_links *l, fwvet_uctx *u,
                                 const char *target, const fwvet_entry *from,
                                 const uint8_t *data, size_t len) {
  fwvet_status st = FWVET_OK;
  size_t keep = 0;
  for (size_t i = 0; i < l->nwait; i++) {
    fwvet_link_wait *w = &l->wait[i];
    int match = !target || strcmp(w->name, target) == 0 ||
                (w->target && strcmp(w->target, target) == 0);
    if (!match || st) {
      l->wait[keep++] = *w;
      continue;
    }
    if (target && data) {
      w->e.size = from->size;
      w->e.flags |= from->flags & FWVET_NODE_TRUNCATED;
      st = fwvet_uctx_add_slice(u, &w->e, data, len);
    } else {
      st = fwvet_uctx_add(u, &w->e);
    }
    free(w->name);
    free(w->target);
  }
  l->nwait = keep;
  return st;
}

void fwvet_links_release(fwvet_links *l) {
  for (size_t i = 0; i < l->cap; i++)
    free(l->slots[i].name);
  free(l->slots);
  for (size_t i = 0; i < l->nwait; i++) {
    free(l->wait[i].name);
    free(l->wait[i].target);
  }
  free(l->wait);
  memset(l, 0, sizeof(*l));
}
