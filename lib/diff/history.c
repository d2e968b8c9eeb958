/* The releases of a product in the store, each judged against the
 * release before it. */
#include <stdlib.h>
#include <string.h>

#include "diff/verdict.h"
#include "fwvet/fwvet.h"

struct fwvet_history {
  char *product;
  fwvet_store_entry *entries;
  fwvet_history_row *rows;
  size_t n;
};

void fwvet_history_destroy(fwvet_history *h) {
  if (!h)
    return;
  for (size_t i = 0; i < h->n; i++)
    free((char *)h->rows[i].reason);
  free(h->rows);
  fwvet_store_entries_free(h->entries, h->n);
  free(h->product);
  free(h);
}

/* Counts of one evaluation. */
static void summarise(const fwvet_eval *ev, fwvet_history_row *r) {
  for (size_t i = 0; i < fwvet_eval_finding_count(ev); i++)
    r->findings[fwvet_eval_finding(ev, i)->severity]++;
  size_t nv, nc;
  const fwvet_eval_vuln *v = fwvet_eval_vulnerabilities(ev, &nv);
  const fwvet_eval_component *c = fwvet_eval_components(ev, &nc);
  r->vulnerabilities = nv;
  for (size_t k = 0; k < nc; k++)
    for (size_t i = 0; i < nv; i++)
      if (v[i].component == c[k].name && v[i].version == c[k].version) {
        r->vulnerable_components++;
        break;
      }
  r->unsafe_percent = fwvet_eval_unsafe_percent(ev);
  fwvet_eval_coverage(ev, &r->coverage);
}

fwvet_status fwvet_history_create(fwvet_store *s, const char *product,
                                  fwvet_history **out) {
  if (!s || !product || !out)
    return FWVET_EINVAL;
  fwvet_history *h = calloc(1, sizeof *h);
  fwvet_eval *prev = NULL, *cur = NULL;
  fwvet_diff *d = NULL;
  fwvet_status st = FWVET_ENOMEM;
  if (!h || !(h->product = strdup(product)))
    goto out;
  if ((st = fwvet_store_releases(s, product, &h->entries, &h->n)))
    goto out;
  st = FWVET_ENOTFOUND;
  if (!h->n)
    goto out;
  st = FWVET_ENOMEM;
  if (!(h->rows = calloc(h->n, sizeof *h->rows)))
    goto out;
  for (size_t i = 0; i < h->n; i++) {
    fwvet_history_row *r = &h->rows[i];
    const fwvet_store_entry *e = &h->entries[i];
    r->id = e->id;
    r->release = e->release;
    r->created = e->created;
    r->input_sha256 = e->input_sha256;
    r->runs = e->runs;
    if ((st = fwvet_store_load(s, e->id, &cur)))
      goto out;
    summarise(cur, r);
    if (prev) {
      if ((st = fwvet_diff_create(prev, cur, &d)))
        goto out;
      r->has_verdict = 1;
      r->verdict = fwvet_diff_verdict(d);
      st = FWVET_ENOMEM;
      if (!(r->reason = strdup(fwvet_diff_reason(d, 0))))
        goto out;
      fwvet_diff_destroy(d);
      d = NULL;
    }
    fwvet_eval_destroy(prev);
    prev = cur;
    cur = NULL;
  }
  *out = h;
  h = NULL;
  st = FWVET_OK;
out:
  fwvet_diff_destroy(d);
  fwvet_eval_destroy(prev);
  fwvet_eval_destroy(cur);
  fwvet_history_destroy(h);
  return st;
}

const char *fwvet_history_product(const fwvet_history *h) {
  return h->product;
}

size_t fwvet_history_count(const fwvet_history *h) { return h->n; }

const fwvet_history_row *fwvet_history_row_at(const fwvet_history *h,
                                              size_t i) {
  return i < h->n ? &h->rows[i] : NULL;
}
