/* Comparing two evaluations: findings, vulnerabilities, components,
 * hardening and files, then the verdict. */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "diff/diff_int.h"
#include "diff/verdict.h"
#include "fwvet/fwvet.h"

const char *fwvet_diff_state_name(fwvet_diff_state s) {
  static const char *const names[] = {"fixed", "new", "persisting"};
  return (unsigned)s < 3 ? names[s] : "?";
}

/*
 * Pairs the elements of two arrays that compare equal under `cmp`, in
 * array order within each group of equal keys: of n equal elements
 * before and m after, the first min(n, m) after are matched with the
 * first min(n, m) before.  Sets bmatch[i] / amatch[j] for matched ones.
 */
typedef int (*cmp_fn)(const void *a, const void *b);

/* An element with its comparison, so qsort needs no global state. */
typedef struct keyed {
  const void *p;
  cmp_fn cmp;
} keyed;

/* Key order, then address (array order) so equal keys keep their order. */
static int by_key_then_address(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  int c = x->cmp(x->p, y->p);
  if (c)
    return c;
  return x->p < y->p ? -1 : x->p > y->p;
}

static keyed *sorted(const void *arr, size_t n, size_t size, cmp_fn cmp) {
  keyed *k = malloc((n ? n : 1) * sizeof *k);
  if (!k)
    return NULL;
  for (size_t i = 0; i < n; i++)
    k[i] = (keyed){(const char *)arr + i * size, cmp};
  qsort(k, n, sizeof *k, by_key_then_address);
  return k;
}

/*
 * Pairs the elements of two arrays that compare equal under `cmp`, in
 * array order within each group of equal keys: of n equal elements
 * before and m after, the first min(n, m) of each are matched.  Sets
 * bmatch[i] / amatch[j] for the matched ones.
 */
static int match(const void *b, size_t nb, const void *a, size_t na,
                 size_t size, cmp_fn cmp, unsigned char *bmatch,
                 unsigned char *amatch) {
  keyed *sb = sorted(b, nb, size, cmp);
  keyed *sa = sorted(a, na, size, cmp);
  int rc = -1;
  if (!sb || !sa)
    goto out;
  for (size_t i = 0, j = 0; i < nb && j < na;) {
    int c = cmp(sb[i].p, sa[j].p);
    if (c < 0) {
      i++;
    } else if (c > 0) {
      j++;
    } else {
      bmatch[((const char *)sb[i].p - (const char *)b) / size] = 1;
      amatch[((const char *)sa[j].p - (const char *)a) / size] = 1;
      i++;
      j++;
    }
  }
  rc = 0;
out:
  free(sb);
  free(sa);
  return rc;
}

static int finding_key(const void *a, const void *b) {
  return strcmp(((const fwvet_finding *)a)->fingerprint,
                ((const fwvet_finding *)b)->fingerprint);
}

static int vuln_key(const void *a, const void *b) {
  const fwvet_eval_vuln *x = a, *y = b;
  int c = strcmp(x->id, y->id);
  return c ? c : strcmp(x->component, y->component);
}

int diff_grow(void *arrp, size_t n, size_t size) {
  void **arr = arrp;
  if (n & (n - 1))
    return 0; /* room left: capacity is the next power of two */
  size_t cap = n ? 2 * n : 1;
  if (cap > SIZE_MAX / size)
    return -1;
  void *p = realloc(*arr, cap * size);
  if (!p)
    return -1;
  *arr = p;
  return 0;
}

/* Appends `p` to a list of pointers. */
static int push(const void ***list, size_t *n, const void *p) {
  if (diff_grow(list, *n, sizeof **list))
    return -1;
  (*list)[(*n)++] = p;
  return 0;
}

static int diff_findings(fwvet_diff *d) {
  const fwvet_eval *b = d->before, *a = d->after;
  size_t nb = fwvet_eval_finding_count(b), na = fwvet_eval_finding_count(a);
  const fwvet_finding *fb = nb ? fwvet_eval_finding(b, 0) : NULL;
  const fwvet_finding *fa = na ? fwvet_eval_finding(a, 0) : NULL;
  unsigned char *bm = calloc(nb + 1, 1), *am = calloc(na + 1, 1);
  int rc = -1;
  if (!bm || !am || match(fb, nb, fa, na, sizeof *fb, finding_key, bm, am))
    goto out;
  fwvet_verdict_input *in = &d->input;
  for (size_t i = 0; i < nb; i++) {
    in->findings_before[fb[i].severity]++;
    if (!bm[i]) {
      in->findings_fixed[fb[i].severity]++;
      if (push((const void ***)&d->findings[FWVET_DIFF_FIXED],
               &d->nfindings[FWVET_DIFF_FIXED], &fb[i]))
        goto out;
    }
  }
  for (size_t j = 0; j < na; j++) {
    fwvet_diff_state s = am[j] ? FWVET_DIFF_PERSISTING : FWVET_DIFF_NEW;
    if (s == FWVET_DIFF_NEW)
      in->findings_new[fa[j].severity]++;
    if (push((const void ***)&d->findings[s], &d->nfindings[s], &fa[j]))
      goto out;
  }
  rc = 0;
out:
  free(bm);
  free(am);
  return rc;
}

static int diff_vulns(fwvet_diff *d) {
  size_t nb, na;
  const fwvet_eval_vuln *vb = fwvet_eval_vulnerabilities(d->before, &nb);
  const fwvet_eval_vuln *va = fwvet_eval_vulnerabilities(d->after, &na);
  unsigned char *bm = calloc(nb + 1, 1), *am = calloc(na + 1, 1);
  int rc = -1;
  if (!bm || !am || match(vb, nb, va, na, sizeof *vb, vuln_key, bm, am))
    goto out;
  fwvet_verdict_input *in = &d->input;
  for (size_t i = 0; i < nb; i++) {
    int sev = verdict_vuln_severity(vb[i].severity);
    in->vulns_before[sev]++;
    if (!bm[i]) {
      in->vulns_fixed[sev]++;
      if (push((const void ***)&d->vulns[FWVET_DIFF_FIXED],
               &d->nvulns[FWVET_DIFF_FIXED], &vb[i]))
        goto out;
    }
  }
  for (size_t j = 0; j < na; j++) {
    fwvet_diff_state s = am[j] ? FWVET_DIFF_PERSISTING : FWVET_DIFF_NEW;
    if (s == FWVET_DIFF_NEW)
      in->vulns_new[verdict_vuln_severity(va[j].severity)]++;
    if (push((const void ***)&d->vulns[s], &d->nvulns[s], &va[j]))
      goto out;
  }
  rc = 0;
out:
  free(bm);
  free(am);
  return rc;
}

char *diff_key_dup(const char *path) {
  size_t len = strlen(path) + 1;
  char *buf = malloc(len), *key;
  if (!buf)
    return NULL;
  fwvet_path_strip_offsets(path, buf, len);
  const char *slash = strchr(buf, '/');
  key = strdup(slash ? slash + 1 : "(input)");
  free(buf);
  return key;
}

char *diff_key(fwvet_diff *d, const char *path) {
  char *key = diff_key_dup(path);
  if (key && push((const void ***)&d->keys, &d->nkeys, key)) {
    free(key);
    key = NULL;
  }
  return key;
}

fwvet_status fwvet_diff_create(const fwvet_eval *before,
                               const fwvet_eval *after, fwvet_diff **out) {
  if (!before || !after || !out)
    return FWVET_EINVAL;
  fwvet_diff *d = calloc(1, sizeof *d);
  if (!d)
    return FWVET_ENOMEM;
  d->before = before;
  d->after = after;
  d->input.unsafe_before = fwvet_eval_unsafe_percent(before);
  d->input.unsafe_after = fwvet_eval_unsafe_percent(after);
  if (diff_findings(d) || diff_vulns(d) || diff_components(d) ||
      diff_binaries(d) || diff_files(d) || diff_judge(d)) {
    fwvet_diff_destroy(d);
    return FWVET_ENOMEM;
  }
  *out = d;
  return FWVET_OK;
}

void fwvet_diff_destroy(fwvet_diff *d) {
  if (!d)
    return;
  for (int s = 0; s < 3; s++) {
    free(d->findings[s]);
    free(d->vulns[s]);
    free(d->files[s]);
  }
  for (int c = 0; c < 4; c++)
    free(d->comps[c]);
  free(d->bins);
  for (size_t i = 0; i < d->nkeys; i++)
    free(d->keys[i]);
  free(d->keys);
  for (size_t i = 0; i < d->nreasons; i++)
    free(d->reasons[i]);
  free(d->reasons);
  free(d);
}

const fwvet_eval *fwvet_diff_before(const fwvet_diff *d) { return d->before; }
const fwvet_eval *fwvet_diff_after(const fwvet_diff *d) { return d->after; }
fwvet_verdict fwvet_diff_verdict(const fwvet_diff *d) { return d->verdict; }

const fwvet_verdict_input *fwvet_diff_input(const fwvet_diff *d) {
  return &d->input;
}

size_t fwvet_diff_reason_count(const fwvet_diff *d) { return d->nreasons; }

const char *fwvet_diff_reason(const fwvet_diff *d, size_t i) {
  return i < d->nreasons ? d->reasons[i] : NULL;
}

size_t fwvet_diff_finding_count(const fwvet_diff *d, fwvet_diff_state s) {
  return (unsigned)s < 3 ? d->nfindings[s] : 0;
}

const fwvet_finding *fwvet_diff_finding(const fwvet_diff *d,
                                        fwvet_diff_state s, size_t i) {
  return (unsigned)s < 3 && i < d->nfindings[s] ? d->findings[s][i] : NULL;
}

size_t fwvet_diff_vuln_count(const fwvet_diff *d, fwvet_diff_state s) {
  return (unsigned)s < 3 ? d->nvulns[s] : 0;
}

const fwvet_eval_vuln *fwvet_diff_vuln(const fwvet_diff *d,
                                       fwvet_diff_state s, size_t i) {
  return (unsigned)s < 3 && i < d->nvulns[s] ? d->vulns[s][i] : NULL;
}

const fwvet_diff_component *fwvet_diff_components(const fwvet_diff *d,
                                                  fwvet_component_change c,
                                                  size_t *n) {
  *n = (unsigned)c < 4 ? d->ncomps[c] : 0;
  return *n ? d->comps[c] : NULL;
}

const fwvet_diff_binary *fwvet_diff_binaries(const fwvet_diff *d,
                                             size_t *n) {
  *n = d->nbins;
  return d->bins;
}

const fwvet_diff_file *fwvet_diff_files(const fwvet_diff *d,
                                        fwvet_file_change c, size_t *n) {
  *n = (unsigned)c < 3 ? d->nfiles[c] : 0;
  return *n ? d->files[c] : NULL;
}
