/* The families of the engineering table and their counter. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engineering/families.h"
#include "unsafe_functions.h"

#define MAX_NAME 128
#define MAX_FAMILIES 64

struct fwvet_families {
  fwvet_family_fn *fn; /* sorted by name once built */
  size_t nfn, capfn;
  char *fam[MAX_FAMILIES];
  size_t nfam;
};

static int is_ident(const char *s) {
  if (!*s || (*s >= '0' && *s <= '9'))
    return 0;
  for (; *s; s++)
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9')))
      return 0;
  return 1;
}

static long find_linear(const fwvet_families *f, const char *name) {
  for (size_t i = 0; i < f->nfn; i++)
    if (!strcmp(f->fn[i].name, name))
      return (long)i;
  return -1;
}

static long family_index(fwvet_families *f, const char *name) {
  for (size_t i = 0; i < f->nfam; i++)
    if (!strcmp(f->fam[i], name))
      return (long)i;
  if (f->nfam == MAX_FAMILIES)
    return -1;
  char *s = strdup(name);
  if (!s)
    return -1;
  f->fam[f->nfam] = s;
  return (long)f->nfam++;
}

/* Parses "FAMILY FUNCTION safe|unsafe"; blank and "#" lines are fine. */
static fwvet_status add_line(fwvet_families *f, const char *line) {
  char fam[MAX_NAME], fn[MAX_NAME], cls[MAX_NAME], extra[2];
  while (*line == ' ' || *line == '\t')
    line++;
  if (!*line || *line == '#' || *line == '\n' || *line == '\r')
    return FWVET_OK;
  int k = sscanf(line, "%127s %127s %127s %1s", fam, fn, cls, extra);
  if (k != 3 || !is_ident(fam) || !is_ident(fn) ||
      (strcmp(cls, "safe") && strcmp(cls, "unsafe")))
    return FWVET_EINVAL;
  long fi = family_index(f, fam);
  if (fi < 0)
    return FWVET_ELIMIT;
  long at = find_linear(f, fn);
  if (at >= 0) {
    f->fn[at].family = (unsigned)fi;
    f->fn[at].safe = !strcmp(cls, "safe");
    return FWVET_OK;
  }
  if (f->nfn == f->capfn) {
    size_t cap = f->capfn ? f->capfn * 2 : 128;
    fwvet_family_fn *p = realloc(f->fn, cap * sizeof *p);
    if (!p)
      return FWVET_ENOMEM;
    f->fn = p;
    f->capfn = cap;
  }
  char *s = strdup(fn);
  if (!s)
    return FWVET_ENOMEM;
  f->fn[f->nfn++] = (fwvet_family_fn){s, (unsigned)fi, !strcmp(cls, "safe")};
  return FWVET_OK;
}

static fwvet_status add_file(fwvet_families *f, const char *path,
                             unsigned *badline) {
  FILE *fp = fopen(path, "r");
  if (!fp)
    return FWVET_EIO;
  char line[1024];
  unsigned no = 0;
  fwvet_status st = FWVET_OK;
  while (fgets(line, sizeof line, fp)) {
    no++;
    if (!strchr(line, '\n') && !feof(fp)) {
      st = FWVET_EINVAL; /* absurdly long line */
      break;
    }
    if ((st = add_line(f, line)))
      break;
  }
  if (!st && ferror(fp))
    st = FWVET_EIO;
  fclose(fp);
  if (st == FWVET_EINVAL && badline)
    *badline = no;
  return st;
}

static int cmp_fn(const void *a, const void *b) {
  return strcmp(((const fwvet_family_fn *)a)->name,
                ((const fwvet_family_fn *)b)->name);
}

fwvet_status fwvet_families_new(const char *path, fwvet_families **out,
                                unsigned *badline) {
  fwvet_families *f = calloc(1, sizeof *f);
  if (!f)
    return FWVET_ENOMEM;
  fwvet_status st = FWVET_OK;
  size_t n = sizeof unsafe_functions / sizeof *unsafe_functions;
  for (size_t i = 0; i < n && !st; i++)
    st = add_line(f, unsafe_functions[i]);
  if (!st && path)
    st = add_file(f, path, badline);
  if (st) {
    fwvet_families_free(f);
    return st;
  }
  if (f->nfn)
    qsort(f->fn, f->nfn, sizeof *f->fn, cmp_fn);
  *out = f;
  return FWVET_OK;
}

void fwvet_families_free(fwvet_families *f) {
  if (!f)
    return;
  for (size_t i = 0; i < f->nfn; i++)
    free(f->fn[i].name);
  for (size_t i = 0; i < f->nfam; i++)
    free(f->fam[i]);
  free(f->fn);
  free(f);
}

long fwvet_families_lookup(const fwvet_families *f, const char *name,
                           size_t len) {
  size_t lo = 0, hi = f->nfn;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char *m = f->fn[mid].name;
    int c = strncmp(m, name, len);
    if (!c && m[len])
      c = 1; /* m is longer: it sorts after name */
    if (!c)
      return (long)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

size_t fwvet_families_fn_count(const fwvet_families *f) { return f->nfn; }

const fwvet_family_fn *fwvet_families_fn(const fwvet_families *f, size_t i) {
  return i < f->nfn ? &f->fn[i] : NULL;
}

size_t fwvet_families_count(const fwvet_families *f) { return f->nfam; }

const char *fwvet_families_name(const fwvet_families *f, size_t i) {
  return i < f->nfam ? f->fam[i] : NULL;
}

fwvet_status fwvet_eng_counter_init(fwvet_eng_counter *c,
                                    const fwvet_families *f) {
  uint64_t *n = calloc(f->nfn ? f->nfn : 1, sizeof *n);
  if (!n)
    return FWVET_ENOMEM;
  c->fam = f;
  c->n = n;
  return FWVET_OK;
}

void fwvet_eng_counter_release(fwvet_eng_counter *c) {
  free(c->n);
  c->n = NULL;
}

void fwvet_eng_counter_merge(fwvet_eng_counter *into,
                             const fwvet_eng_counter *from) {
  for (size_t i = 0; i < into->fam->nfn; i++)
    into->n[i] += from->n[i];
}

fwvet_status fwvet_eng_rows(const fwvet_eng_counter *c, const char *method,
                            fwvet_eng_row **rows, size_t *n) {
  const fwvet_families *f = c->fam;
  fwvet_eng_row *r = calloc(f->nfam ? f->nfam : 1, sizeof *r);
  if (!r)
    return FWVET_ENOMEM;
  for (size_t i = 0; i < f->nfam; i++) {
    r[i].family = f->fam[i];
    r[i].method = method;
  }
  for (size_t i = 0; i < f->nfn; i++) {
    if (!c->n[i])
      continue;
    fwvet_eng_row *row = &r[f->fn[i].family];
    if (f->fn[i].safe) {
      row->safe_variants++;
      row->safe_calls += c->n[i];
    } else {
      row->unsafe_variants++;
      row->unsafe_calls += c->n[i];
    }
  }
  for (size_t i = 0; i < f->nfam; i++) {
    uint64_t all = r[i].safe_calls + r[i].unsafe_calls;
    r[i].unsafe_percent = all ? 100.0 * (double)r[i].unsafe_calls /
                                    (double)all
                              : 0.0;
  }
  *rows = r;
  *n = f->nfam;
  return FWVET_OK;
}

fwvet_status fwvet_eng_functions(const fwvet_eng_counter *c,
                                 fwvet_eng_count **out, size_t *n) {
  const fwvet_families *f = c->fam;
  size_t k = 0;
  for (size_t i = 0; i < f->nfn; i++)
    k += c->n[i] != 0;
  fwvet_eng_count *a = calloc(k ? k : 1, sizeof *a);
  if (!a)
    return FWVET_ENOMEM;
  k = 0;
  for (size_t i = 0; i < f->nfn; i++)
    if (c->n[i])
      a[k++] = (fwvet_eng_count){f->fn[i].name, c->n[i]};
  *out = a;
  *n = k;
  return FWVET_OK;
}

fwvet_status fwvet_families_check(const char *path, unsigned *badline) {
  fwvet_families *f = NULL;
  fwvet_status st = fwvet_families_new(path, &f, badline);
  fwvet_families_free(f);
  return st;
}
