/* The parts of a diff compared by name or path: components, the
 * hardening of binaries, files; and the verdict with its reasons. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"
#include "diff/verdict.h"
#include "fwvet/fwvet.h"

const char *fwvet_component_change_name(fwvet_component_change c) {
  static const char *const names[] = {"upgraded", "downgraded", "added",
                                      "removed"};
  return (unsigned)c < 4 ? names[c] : "?";
}

const char *fwvet_harden_name(unsigned bit) {
  switch (bit) {
  case FWVET_HARDEN_NX: return "nx";
  case FWVET_HARDEN_PIE: return "pie";
  case FWVET_HARDEN_RELRO: return "relro";
  case FWVET_HARDEN_CANARY: return "canary";
  case FWVET_HARDEN_FORTIFY: return "fortify";
  }
  return "?";
}

static int str_eq(const char *a, const char *b) {
  return a == b || (a && b && !strcmp(a, b));
}

/* --- components */

typedef struct cv {
  const char *name, *version;
} cv;

/* By name, then version (unknown first, then fwvet_version_compare). */
static int cv_cmp(const void *a, const void *b) {
  const cv *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c)
    return c;
  if (!x->version || !y->version)
    return !!x->version - !!y->version;
  c = fwvet_version_compare(x->version, y->version);
  return c ? c : strcmp(x->version, y->version);
}

/* The distinct name/version pairs of an evaluation, sorted. */
static cv *versions(const fwvet_eval *ev, size_t *n) {
  size_t nc;
  const fwvet_eval_component *c = fwvet_eval_components(ev, &nc);
  cv *v = malloc((nc ? nc : 1) * sizeof *v);
  if (!v)
    return NULL;
  for (size_t i = 0; i < nc; i++)
    v[i] = (cv){c[i].name, c[i].version};
  qsort(v, nc, sizeof *v, cv_cmp);
  size_t k = 0;
  for (size_t i = 0; i < nc; i++)
    if (!k || strcmp(v[k - 1].name, v[i].name) ||
        !str_eq(v[k - 1].version, v[i].version))
      v[k++] = v[i];
  *n = k;
  return v;
}

static int add_change(fwvet_diff *d, fwvet_component_change c,
                      const char *name, const char *from, const char *to) {
  if (diff_grow(&d->comps[c], d->ncomps[c], sizeof *d->comps[c]))
    return -1;
  d->comps[c][d->ncomps[c]++] = (fwvet_diff_component){name, from, to};
  return 0;
}

static int in_group(const cv *g, size_t n, const char *version) {
  for (size_t i = 0; i < n; i++)
    if (str_eq(g[i].version, version))
      return 1;
  return 0;
}

/* One name: versions only before (ob) and only after (oa) pair up as an
 * upgrade or downgrade by their highest known versions; the rest are
 * removed and added. */
static int compare_group(fwvet_diff *d, const cv *b, size_t nb, const cv *a,
                         size_t na) {
  const cv *ob[64], *oa[64];
  size_t nob = 0, noa = 0;
  for (size_t i = 0; i < nb && nob < 64; i++)
    if (!in_group(a, na, b[i].version))
      ob[nob++] = &b[i];
  for (size_t j = 0; j < na && noa < 64; j++)
    if (!in_group(b, nb, a[j].version))
      oa[noa++] = &a[j];
  const cv *hb = nob && ob[nob - 1]->version ? ob[nob - 1] : NULL;
  const cv *ha = noa && oa[noa - 1]->version ? oa[noa - 1] : NULL;
  if (nb && na && hb && ha) {
    int c = fwvet_version_compare(hb->version, ha->version);
    if (c &&
        add_change(d, c < 0 ? FWVET_COMPONENT_UPGRADED
                            : FWVET_COMPONENT_DOWNGRADED,
                   hb->name, hb->version, ha->version))
      return -1;
    if (c) {
      nob--;
      noa--;
    }
  }
  for (size_t i = 0; i < nob; i++)
    if (add_change(d, FWVET_COMPONENT_REMOVED, ob[i]->name, ob[i]->version,
                   NULL))
      return -1;
  for (size_t j = 0; j < noa; j++)
    if (add_change(d, FWVET_COMPONENT_ADDED, oa[j]->name, NULL,
                   oa[j]->version))
      return -1;
  return 0;
}

int diff_components(fwvet_diff *d) {
  size_t nb = 0, na = 0;
  cv *b = versions(d->before, &nb), *a = versions(d->after, &na);
  int rc = -1;
  if (!b || !a)
    goto out;
  size_t i = 0, j = 0;
  while (i < nb || j < na) {
    const char *name = i == nb                            ? a[j].name
                       : j == na                          ? b[i].name
                       : strcmp(b[i].name, a[j].name) < 0 ? b[i].name
                                                          : a[j].name;
    size_t gi = i, gj = j;
    while (i < nb && !strcmp(b[i].name, name))
      i++;
    while (j < na && !strcmp(a[j].name, name))
      j++;
    if (compare_group(d, b + gi, i - gi, a + gj, j - gj))
      goto out;
  }
  rc = 0;
out:
  free(b);
  free(a);
  return rc;
}

/* --- binaries and files, by logical path */

typedef struct keyed_item {
  const char *key;
  const void *item;
  size_t order;
} keyed_item;

static int keyed_cmp(const void *a, const void *b) {
  const keyed_item *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Items of an array with a provenance path at `path_off`, by key. */
static keyed_item *by_key(fwvet_diff *d, const void *arr, size_t n,
                          size_t size, size_t path_off) {
  keyed_item *k = malloc((n ? n : 1) * sizeof *k);
  if (!k)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    const char *item = (const char *)arr + i * size;
    const char *path = *(const char *const *)(item + path_off);
    k[i] = (keyed_item){diff_key(d, path), item, i};
    if (!k[i].key) {
      free(k);
      return NULL;
    }
  }
  qsort(k, n, sizeof *k, keyed_cmp);
  return k;
}

/* Calls `fn` for every pair (either side NULL when absent), in key
 * order, pairing equal keys in array order. */
static int walk(fwvet_diff *d, const keyed_item *b, size_t nb,
                const keyed_item *a, size_t na,
                int (*fn)(fwvet_diff *, const char *, const void *,
                          const void *)) {
  size_t i = 0, j = 0;
  while (i < nb || j < na) {
    int c = i == nb ? 1 : j == na ? -1 : strcmp(b[i].key, a[j].key);
    int rc = c < 0   ? fn(d, b[i].key, b[i].item, NULL)
             : c > 0 ? fn(d, a[j].key, NULL, a[j].item)
                     : fn(d, a[j].key, b[i].item, a[j].item);
    if (rc)
      return -1;
    i += c <= 0;
    j += c >= 0;
  }
  return 0;
}

/* `walk` over two arrays of `size`-byte items whose provenance path is
 * at `path_off`. */
static int walk_arrays(fwvet_diff *d, const void *b, size_t nb,
                       const void *a, size_t na, size_t size,
                       size_t path_off,
                       int (*fn)(fwvet_diff *, const char *, const void *,
                                 const void *)) {
  keyed_item *kb = by_key(d, b, nb, size, path_off);
  keyed_item *ka = kb ? by_key(d, a, na, size, path_off) : NULL;
  int rc = kb && ka ? walk(d, kb, nb, ka, na, fn) : -1;
  free(kb);
  free(ka);
  return rc;
}

static unsigned props(const fwvet_eval_elf *e) {
  return (e->nx ? FWVET_HARDEN_NX : 0) | (e->pie ? FWVET_HARDEN_PIE : 0) |
         (e->canary ? FWVET_HARDEN_CANARY : 0) |
         (e->fortified ? FWVET_HARDEN_FORTIFY : 0);
}

static int binary_pair(fwvet_diff *d, const char *key, const void *bv,
                       const void *av) {
  const fwvet_eval_elf *b = bv, *a = av;
  if (!b || !a)
    return 0;
  unsigned pb = props(b), pa = props(a);
  unsigned improved = pa & ~pb, regressed = pb & ~pa;
  if (a->relro > b->relro)
    improved |= FWVET_HARDEN_RELRO;
  if (a->relro < b->relro)
    regressed |= FWVET_HARDEN_RELRO;
  if (!improved && !regressed)
    return 0;
  if (diff_grow(&d->bins, d->nbins, sizeof *d->bins))
    return -1;
  d->bins[d->nbins++] = (fwvet_diff_binary){key, b, a, improved, regressed};
  if (improved)
    d->input.hardening_improved++;
  if (regressed)
    d->input.hardening_regressed++;
  return 0;
}

int diff_binaries(fwvet_diff *d) {
  size_t nb, na;
  const fwvet_eval_elf *eb = fwvet_eval_elfs(d->before, &nb);
  const fwvet_eval_elf *ea = fwvet_eval_elfs(d->after, &na);
  return walk_arrays(d, eb, nb, ea, na, sizeof *eb,
                     offsetof(fwvet_eval_elf, path), binary_pair);
}

static int file_pair(fwvet_diff *d, const char *key, const void *bv,
                     const void *av) {
  const fwvet_eval_file *b = bv, *a = av;
  fwvet_file_change c;
  if (!b)
    c = FWVET_FILE_ADDED;
  else if (!a)
    c = FWVET_FILE_REMOVED;
  else if (!str_eq(b->sha256, a->sha256))
    c = FWVET_FILE_CHANGED;
  else
    return 0;
  if (diff_grow(&d->files[c], d->nfiles[c], sizeof *d->files[c]))
    return -1;
  d->files[c][d->nfiles[c]++] = (fwvet_diff_file){key, b, a, NULL};
  return 0;
}

int diff_files(fwvet_diff *d) {
  size_t nb, na;
  const fwvet_eval_file *fb = fwvet_eval_files(d->before, &nb);
  const fwvet_eval_file *fa = fwvet_eval_files(d->after, &na);
  return walk_arrays(d, fb, nb, fa, na, sizeof *fb,
                     offsetof(fwvet_eval_file, path), file_pair);
}

/* --- the verdict */

static int add_reason(void *ud, const char *text) {
  fwvet_diff *d = ud;
  if (diff_grow(&d->reasons, d->nreasons, sizeof *d->reasons) ||
      !(d->reasons[d->nreasons] = strdup(text)))
    return -1;
  d->nreasons++;
  return 0;
}

int diff_judge(fwvet_diff *d) {
  char why[256];
  d->verdict = verdict_decide(&d->input, why, sizeof why);
  if (add_reason(d, why) || verdict_reasons(&d->input, add_reason, d))
    return -1;
  for (int c = FWVET_COMPONENT_UPGRADED; c <= FWVET_COMPONENT_DOWNGRADED;
       c++)
    for (size_t i = 0; i < d->ncomps[c]; i++) {
      char buf[256];
      const fwvet_diff_component *x = &d->comps[c][i];
      snprintf(buf, sizeof buf, "%s %s from %s to %s", x->name,
               fwvet_component_change_name((fwvet_component_change)c),
               x->from, x->to);
      if (add_reason(d, buf))
        return -1;
    }
  return 0;
}
