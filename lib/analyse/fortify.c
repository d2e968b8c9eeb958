/*
 * FORTIFY judged against the image's own C library: the post-pass that
 * runs when every file has been analysed (see fortify.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/elf_facts.h"
#include "analyse/fortify.h"

static void rec_free(fwvet_fortify_rec *r) {
  free(r->libc_needed);
  free(r->soname);
  for (size_t i = 0; i < r->nchk; i++)
    free(r->chk[i]);
  free(r->chk);
}

void fwvet_fortify_release(fwvet_fortify *f) {
  for (size_t i = 0; i < f->n; i++)
    rec_free(&f->v[i]);
  free(f->v);
  memset(f, 0, sizeof *f);
}

fwvet_status fwvet_fortify_add(fwvet_fortify *f, const fwvet_fortify_rec *rec) {
  fwvet_fortify_rec r = *rec;
  if (f->n == f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 64;
    fwvet_fortify_rec *v = realloc(f->v, cap * sizeof *v);
    if (!v) {
      rec_free(&r);
      return FWVET_ENOMEM;
    }
    f->v = v;
    f->cap = cap;
  }
  f->v[f->n++] = r;
  return FWVET_OK;
}

/* Of two candidate libraries, the one that decides: more exports, then
 * the smaller path, so the choice does not depend on thread timing. */
static int better(const fwvet_fortify_rec *a, const fwvet_fortify_rec *b) {
  if (!b)
    return 1;
  if (a->nchk != b->nchk)
    return a->nchk > b->nchk;
  return strcmp(fwvet_node_path(a->node), fwvet_node_path(b->node)) < 0;
}

static const fwvet_fortify_rec *libc_of(const fwvet_fortify_rec *const *libcs,
                                        size_t n,
                                        const fwvet_fortify_rec *bin) {
  const fwvet_fortify_rec *best[3] = {NULL, NULL, NULL};
  for (size_t i = 0; i < n; i++) {
    const fwvet_fortify_rec *l = libcs[i];
    if (l == bin)
      continue;
    int same = fwvet_same_container(l->node, bin->node);
    int k = l->soname && !strcmp(l->soname, bin->libc_needed) ? (same ? 0 : 1)
            : !l->soname && same                              ? 2
                                                              : -1;
    if (k >= 0 && better(l, best[k]))
      best[k] = l;
  }
  return best[0] ? best[0] : best[1] ? best[1] : best[2];
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned count(const fwvet_elf_info *info,
                      const fwvet_fortify_rec *libc) {
  unsigned n = 0;
  char name[256];
  for (size_t i = 0; i < info->nimports; i++) {
    const char *imp = info->imports[i];
    if (fwvet_elf_fortified(imp))
      continue;
    int k = snprintf(name, sizeof name, "__%s_chk", imp);
    const char *key = name;
    if (k > 0 && (size_t)k < sizeof name && libc->nchk &&
        bsearch(&key, libc->chk, libc->nchk, sizeof *libc->chk, cmp_str))
      n++;
  }
  return n;
}

void fwvet_fortify_apply(const fwvet_fortify *f, fwvet_fortify_find_fn find,
                         void *ud) {
  size_t n = 0;
  for (size_t i = 0; i < f->n; i++)
    n += f->v[i].is_libc != 0;
  const fwvet_fortify_rec **libcs = n ? malloc(n * sizeof *libcs) : NULL;
  if (!libcs)
    return; /* none, or no memory: the table's counts stay */
  n = 0;
  for (size_t i = 0; i < f->n; i++)
    if (f->v[i].is_libc)
      libcs[n++] = &f->v[i];
  for (size_t i = 0; i < f->n; i++) {
    const fwvet_fortify_rec *bin = &f->v[i];
    if (!bin->libc_needed)
      continue;
    const fwvet_fortify_rec *libc = libc_of(libcs, n, bin);
    fwvet_elf_info *info = libc ? find(ud, bin->node) : NULL;
    if (info)
      info->fortifiable = count(info, libc);
  }
  free(libcs);
}
