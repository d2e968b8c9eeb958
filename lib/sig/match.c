/*
 * Matching the signature database against a file (see sigdb.h): one
 * Hyperscan pass collects where signatures end; each end is then matched
 * by the pattern's POSIX twin, anchored there, over the text before it
 * (at most WINDOW bytes, never across a NUL), which gives the start and
 * the version.  An occurrence is reported once, with its longest match.
 */
#include <stdlib.h>
#include <string.h>

#include "sig/sigdb_int.h"

#define WINDOW 512        /* longest signature match examined */
#define MAX_ENDS 65536    /* match ends examined per file */
#define MAX_EVIDENCE 200
#define MAX_VERSION 64

typedef struct raw_end {
  unsigned pat;
  unsigned long long end;
} raw_end;

typedef struct collect {
  raw_end *v;
  size_t n, cap;
  int full;
} collect;

static int on_match(unsigned id, unsigned long long from,
                    unsigned long long to, unsigned flags, void *ctx) {
  (void)from;
  (void)flags;
  collect *c = ctx;
  if (c->n == c->cap) {
    if (c->cap >= MAX_ENDS) {
      c->full = 1;
      return 1; /* stop */
    }
    size_t n = c->cap ? c->cap * 2 : 64;
    raw_end *v = realloc(c->v, n * sizeof *v);
    if (!v) {
      c->full = -1;
      return 1;
    }
    c->v = v;
    c->cap = n;
  }
  c->v[c->n].pat = id;
  c->v[c->n].end = to;
  c->n++;
  return 0;
}

static hs_scratch_t *scratch_get(fwvet_sigdb *db) {
  hs_scratch_t *s = NULL;
  pthread_mutex_lock(&db->lock);
  if (db->nscratch)
    s = db->scratch[--db->nscratch];
  pthread_mutex_unlock(&db->lock);
  if (s)
    return s;
  /* One scratch fits both databases. */
  if (db->hs_strings && hs_alloc_scratch(db->hs_strings, &s) != HS_SUCCESS)
    return NULL;
  if (db->hs_names && hs_alloc_scratch(db->hs_names, &s) != HS_SUCCESS) {
    hs_free_scratch(s);
    return NULL;
  }
  return s;
}

static void scratch_put(fwvet_sigdb *db, hs_scratch_t *s) {
  pthread_mutex_lock(&db->lock);
  if (db->nscratch == db->capscratch) {
    size_t n = db->capscratch ? db->capscratch * 2 : 4;
    hs_scratch_t **v = realloc(db->scratch, n * sizeof *v);
    if (!v) {
      pthread_mutex_unlock(&db->lock);
      hs_free_scratch(s);
      return;
    }
    db->scratch = v;
    db->capscratch = n;
  }
  db->scratch[db->nscratch++] = s;
  pthread_mutex_unlock(&db->lock);
}

/* Printable copy of the evidence: other bytes become '.'. */
static void printable(char *out, const uint8_t *p, size_t n) {
  if (n > MAX_EVIDENCE)
    n = MAX_EVIDENCE;
  for (size_t i = 0; i < n; i++)
    out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
  out[n] = '\0';
}

typedef struct found {
  unsigned pat;
  size_t start, end;
  regoff_t vso, veo; /* version, relative to start; -1 if none */
} found;

/* Orders matches by product, start and length (longest first), so that
 * one occurrence gives one hit: its longest match, by whichever of the
 * product's patterns (a distribution's kernel banner, which names the
 * upstream version, beats the generic one starting at the same byte). */
static int by_prod_start_len(const void *a, const void *b, void *ctx) {
  const fwvet_sigdb *db = ctx;
  const found *x = a, *y = b;
  size_t px = db->pats[x->pat].product, py = db->pats[y->pat].product;
  if (px != py)
    return px < py ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1; /* longest first */
  return 0;
}

/* Locates the match of pattern `pat` ending at `end`. */
static int locate(const fwvet_sigpat *sp, const uint8_t *data, size_t end,
                  char *buf, found *f) {
  size_t from = end > WINDOW ? end - WINDOW : 0;
  for (size_t i = end; i > from; i--)
    if (data[i - 1] == '\0') {
      from = i;
      break;
    }
  size_t n = end - from;
  memcpy(buf, data + from, n);
  buf[n] = '\0';
  regmatch_t m[3];
  if (regexec(&sp->re, buf, 3, m, 0) != 0)
    return 0;
  f->start = from + (size_t)m[0].rm_so;
  f->end = end;
  f->vso = f->veo = -1;
  if (sp->has_version && m[2].rm_so >= 0) {
    f->vso = m[2].rm_so - m[0].rm_so;
    f->veo = m[2].rm_eo - m[0].rm_so;
  }
  return 1;
}

static int has_digit(const char *s) {
  for (; *s; s++)
    if (*s >= '0' && *s <= '9')
      return 1;
  return 0;
}

static fwvet_status report(const fwvet_sigdb *db, const uint8_t *data,
                           found *fv, size_t nf, fwvet_evidence_kind kind,
                           fwvet_sighit_fn fn, void *ud) {
  if (nf)
    qsort_r(fv, nf, sizeof *fv, by_prod_start_len, (void *)db);
  char ev[MAX_EVIDENCE + 1], ver[MAX_VERSION + 1];
  for (size_t i = 0; i < nf; i++) {
    if (i && db->pats[fv[i].pat].product == db->pats[fv[i - 1].pat].product &&
        fv[i].start == fv[i - 1].start)
      continue; /* a shorter match of the same occurrence */
    const found *f = &fv[i];
    fwvet_sighit h = {db->pats[f->pat].product, kind, f->start, NULL, ev};
    printable(ev, data + f->start, f->end - f->start);
    if (f->vso >= 0 && f->veo > f->vso &&
        (size_t)(f->veo - f->vso) <= MAX_VERSION) {
      printable(ver, data + f->start + f->vso, (size_t)(f->veo - f->vso));
      /* A version is digits and what goes with them, never a lone
       * separator at its end. */
      size_t n = strlen(ver);
      while (n && (ver[n - 1] == '.' || ver[n - 1] == '-'))
        ver[--n] = '\0';
      if (has_digit(ver))
        h.version = ver;
    }
    if (fn(ud, &h))
      return FWVET_ECANCELLED;
  }
  return FWVET_OK;
}

static fwvet_status run(const fwvet_sigdb *cdb, const hs_database_t *hs,
                        const uint8_t *data, size_t len,
                        fwvet_evidence_kind kind, fwvet_sighit_fn fn,
                        void *ud) {
  fwvet_sigdb *db = (fwvet_sigdb *)cdb; /* the scratch pool only */
  if (!hs || len == 0)
    return FWVET_OK;
  if (len > 0xffffffffu)
    return FWVET_ELIMIT; /* hs_scan takes an unsigned int length */
  hs_scratch_t *s = scratch_get(db);
  if (!s)
    return FWVET_ENOMEM;
  collect c = {0};
  hs_error_t he = hs_scan(hs, (const char *)data, (unsigned)len, 0, s,
                          on_match, &c);
  scratch_put(db, s);
  if (c.full < 0 || (he != HS_SUCCESS && he != HS_SCAN_TERMINATED)) {
    free(c.v);
    return FWVET_ENOMEM;
  }
  fwvet_status st = FWVET_ENOMEM;
  found *fv = malloc((c.n ? c.n : 1) * sizeof *fv);
  char *buf = malloc(WINDOW + 1);
  if (!fv || !buf)
    goto out;
  size_t nf = 0;
  for (size_t i = 0; i < c.n; i++)
    if (c.v[i].end <= len &&
        locate(&db->pats[c.v[i].pat], data, (size_t)c.v[i].end, buf,
               &fv[nf])) {
      fv[nf].pat = c.v[i].pat;
      nf++;
    }
  st = report(db, data, fv, nf, kind, fn, ud);
  if (!st && c.full)
    st = FWVET_ELIMIT;
out:
  free(buf);
  free(fv);
  free(c.v);
  return st;
}

fwvet_status fwvet_sigdb_scan(const fwvet_sigdb *db, const uint8_t *data,
                              size_t len, fwvet_sighit_fn fn, void *ud) {
  return run(db, db->hs_strings, data, len, FWVET_EVIDENCE_STRING, fn, ud);
}

fwvet_status fwvet_sigdb_scan_name(const fwvet_sigdb *db, const char *name,
                                   fwvet_sighit_fn fn, void *ud) {
  size_t n = strlen(name);
  if (n > WINDOW)
    return FWVET_OK; /* no file name signature is that long */
  return run(db, db->hs_names, (const uint8_t *)name, n,
             FWVET_EVIDENCE_FILENAME, fn, ud);
}

const char *fwvet_evidence_kind_name(fwvet_evidence_kind k) {
  switch (k) {
  case FWVET_EVIDENCE_STRING:
    return "string";
  case FWVET_EVIDENCE_FILENAME:
    return "filename";
  case FWVET_EVIDENCE_PACKAGE:
    return "package";
  }
  return "unknown";
}
