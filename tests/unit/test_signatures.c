/*
 * The component signature database: the format's errors, and every
 * accuracy case of tests/data/signature-cases.txt against the built-in
 * data/signatures.txt (each product found with its version from its own
 * evidence, and nothing found without it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sig/sigdb.h"

#define MIN_PRODUCTS 150

/* A file of the source tree, from tests/unit/. */
static const char *source_path(const char *rel) {
  static char path[4096];
  const char *f = __FILE__; /* .../tests/unit/test_signatures.c */
  const char *slash = strrchr(f, '/');
  int n = slash ? (int)(slash - f) : 0;
  snprintf(path, sizeof path, "%.*s/%s", n, f, rel);
  return path;
}

static const char *cases_path(void) {
  return source_path("../data/signature-cases.txt");
}

static fwvet_sigdb *builtin(void) {
  fwvet_sigdb *db = NULL;
  char err[512] = "";
  fwvet_status st = fwvet_sigdb_add_builtin(&db, err, sizeof err);
  if (st)
    fprintf(stderr, "builtin: %s\n", err);
  assert_int_equal(st, FWVET_OK);
  st = fwvet_sigdb_compile(db, err, sizeof err);
  if (st)
    fprintf(stderr, "compile: %s\n", err);
  assert_int_equal(st, FWVET_OK);
  return db;
}

/* --- format errors -------------------------------------------------------- */

static void test_format_errors(void **state) {
  (void)state;
  static const struct {
    const char *text, *want;
  } rows[] = {
      {"cpe a:b\n", "t:1: 'cpe' before the first 'product'"},
      {"product x\nstring foo ([0-9]+)\n", "product 'x' has no 'cpe' line"},
      {"product x\ncpe a:b\nproduct x\ncpe a:b\n", "t:3: product 'x' is"},
      {"product X\ncpe a:b\n", "t:1: 'product' needs"},
      {"product x\ncpe ab\n", "t:2: 'cpe' needs"},
      {"product x\ncpe a:b\nstring foo \\d+\n", "t:3: '\\d' is not"},
      {"product x\ncpe a:b\nstring foo(?:bar)\n", "t:3: '(?' is not"},
      {"product x\ncpe a:b\nstring foo([0-9]\n", "t:3: invalid pattern"},
      {"product x\ncpe a:b\nfrobnicate y\n", "t:3: unknown keyword"},
      {"product x\ncpe a:b\npurl https://x\n", "t:3: 'purl' needs"},
      {"product x\ncpe a:b\nstring\n", "t:3: empty pattern"},
      {"product x\ncpe a:b\nstring Xa+++\n", "t:3: a quantifier after"},
      {"product x\ncpe a:b\nstring Xa{2}*\n", "t:3: a quantifier after"},
      {"product x\ncpe a:b\nstring Xa{1,300}\n", "t:3: a repeat bound"},
      {"product x\ncpe a:b\nstring X((a{1,200}){1,200})\n",
       "t:3: pattern too large"},
      {"product x\ncpe a:b\nstring X" "((((((((((((((((a+" /* 2^17 */
       ")+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+\n",
       "t:3: pattern too large"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    fwvet_sigdb *db = NULL;
    char err[512] = "";
    fwvet_status st = fwvet_sigdb_add(&db, rows[i].text,
                                      strlen(rows[i].text), "t", err,
                                      sizeof err);
    if (st == FWVET_OK || !strstr(err, rows[i].want))
      fprintf(stderr, "row %zu: status %d, error '%s', want '%s'\n", i,
              (int)st, err, rows[i].want);
    assert_int_equal(st, FWVET_EINVAL);
    assert_non_null(strstr(err, rows[i].want));
    assert_null(db);
  }
}

/* A failed text leaves what was added before it. */
static void test_failed_text_keeps_earlier(void **state) {
  (void)state;
  fwvet_sigdb *db = NULL;
  char err[256];
  const char *good = "product x\ncpe a:b\nstring Xlib ([0-9.]+)\n";
  const char *bad = "product y\ncpe c:d\nstring (\n";
  assert_int_equal(fwvet_sigdb_add(&db, good, strlen(good), "g", err,
                                   sizeof err), FWVET_OK);
  assert_int_equal(fwvet_sigdb_add(&db, bad, strlen(bad), "b", err,
                                   sizeof err), FWVET_EINVAL);
  assert_int_equal(fwvet_sigdb_count(db), 1);
  assert_int_equal(fwvet_sigdb_pattern_count(db), 1);
  assert_string_equal(fwvet_sigdb_product(db, 0)->purl, "pkg:generic/x");
  assert_int_equal(fwvet_sigdb_compile(db, err, sizeof err), FWVET_OK);
  fwvet_sigdb_free(db);
}

/* --- matching ------------------------------------------------------------- */

typedef struct hits {
  char items[64][96];
  size_t n;
} hits;

static int on_hit(void *ud, const fwvet_sighit *h);

static const fwvet_sigdb *cur_db;

static int on_hit(void *ud, const fwvet_sighit *h) {
  hits *hs = ud;
  char item[96];
  snprintf(item, sizeof item, "%s@%s",
           fwvet_sigdb_product(cur_db, h->product)->name,
           h->version ? h->version : "?");
  for (size_t i = 0; i < hs->n; i++)
    if (!strcmp(hs->items[i], item))
      return 0;
  if (hs->n < 64)
    memcpy(hs->items[hs->n++], item, sizeof item);
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp((const char *)a, (const char *)b);
}

/* Joins the sorted items with ','. */
static void join(hits *hs, char *out, size_t cap) {
  qsort(hs->items, hs->n, sizeof hs->items[0], cmp_str);
  out[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; i < hs->n && used < cap; i++)
    used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "," : "",
                             hs->items[i]);
}

/* Decodes \n \t \\ \xHH in place; returns the length. */
static size_t unescape(char *s) {
  size_t o = 0;
  for (size_t i = 0; s[i]; i++) {
    if (s[i] != '\\' || !s[i + 1]) {
      s[o++] = s[i];
      continue;
    }
    char c = s[++i];
    if (c == 'n')
      s[o++] = '\n';
    else if (c == 't')
      s[o++] = '\t';
    else if (c == 'x' && s[i + 1] && s[i + 2]) {
      char hex[3] = {s[i + 1], s[i + 2], 0};
      s[o++] = (char)strtol(hex, NULL, 16);
      i += 2;
    } else
      s[o++] = c;
  }
  return o;
}

/* Sorts a comma-separated expectation the way join() sorts. */
static void normalise(const char *want, char *out, size_t cap) {
  hits hs = {0};
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s", want);
  for (char *tok = strtok(tmp, ","); tok; tok = strtok(NULL, ","))
    if (hs.n < 64)
      snprintf(hs.items[hs.n++], sizeof hs.items[0], "%s", tok);
  join(&hs, out, cap);
}

static void mark(const char *list, char **names, size_t n, int *seen) {
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s", list);
  for (char *tok = strtok(tmp, ","); tok; tok = strtok(NULL, ",")) {
    char *at = strchr(tok, '@');
    if (at)
      *at = '\0';
    for (size_t i = 0; i < n; i++)
      if (!strcmp(names[i], tok))
        seen[i] = 1;
  }
}

static void test_accuracy_cases(void **state) {
  (void)state;
  fwvet_sigdb *db = builtin();
  cur_db = db;
  FILE *f = fopen(cases_path(), "r");
  if (!f)
    fprintf(stderr, "cannot open %s\n", cases_path());
  assert_non_null(f);
  size_t np = fwvet_sigdb_count(db);
  char **names = calloc(np, sizeof *names);
  int *pos = calloc(np, sizeof *pos), *neg = calloc(np, sizeof *neg);
  assert_true(names && pos && neg);
  for (size_t i = 0; i < np; i++)
    names[i] = fwvet_sigdb_product(db, i)->name;

  char line[8192];
  unsigned lineno = 0, failures = 0, ncases = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    line[strcspn(line, "\n")] = '\0';
    if (!line[0] || line[0] == '#')
      continue;
    char *fields[3] = {0};
    size_t nf = 0;
    for (char *p = line; nf < 3;) {
      fields[nf++] = p;
      char *tab = strchr(p, '\t');
      if (!tab)
        break;
      *tab = '\0';
      p = tab + 1;
    }
    const char *kind = fields[0], *want = "", *text = NULL;
    if ((!strcmp(kind, "+") || !strcmp(kind, "f")) && nf == 3) {
      want = fields[1];
      text = fields[2];
      mark(want, names, np, pos);
    } else if ((!strcmp(kind, "-") || !strcmp(kind, "F")) && nf == 2) {
      text = fields[1];
    } else if (!strcmp(kind, "-") && nf == 3) {
      mark(fields[1], names, np, neg);
      text = fields[2];
    } else {
      fprintf(stderr, "signature-cases.txt:%u: malformed line\n", lineno);
      failures++;
      continue;
    }
    ncases++;
    size_t len = unescape(fields[nf - 1]);
    hits hs = {0};
    fwvet_status st =
        kind[0] == 'f' || kind[0] == 'F'
            ? fwvet_sigdb_scan_name(db, text, on_hit, &hs)
            : fwvet_sigdb_scan(db, (const uint8_t *)text, len, on_hit, &hs);
    char got[2048], exp[2048];
    join(&hs, got, sizeof got);
    normalise(want, exp, sizeof exp);
    if (st != FWVET_OK || strcmp(got, exp) != 0) {
      fprintf(stderr, "signature-cases.txt:%u: want '%s', got '%s'\n",
              lineno, exp, got);
      failures++;
    }
  }
  fclose(f);
  for (size_t i = 0; i < np; i++) {
    if (!pos[i]) {
      fprintf(stderr, "product '%s' has no positive case\n", names[i]);
      failures++;
    }
    if (!neg[i]) {
      fprintf(stderr, "product '%s' has no negative case\n", names[i]);
      failures++;
    }
  }
  fprintf(stderr, "%zu products, %zu patterns, %u cases, %u failures\n", np,
          fwvet_sigdb_pattern_count(db), ncases, failures);
  free(names);
  free(pos);
  free(neg);
  fwvet_sigdb_free(db);
  assert_int_equal(failures, 0);
}

/* Several occurrences in one buffer, each once, at its own offset. */
static void test_occurrences(void **state) {
  (void)state;
  fwvet_sigdb *db = builtin();
  cur_db = db;
  static const char text[] =
      "xxBusyBox v1.2.2 (\0yyyyBusyBox v1.36.1 (\0zzBusyBox v1.36.1 (";
  hits hs = {0};
  assert_int_equal(fwvet_sigdb_scan(db, (const uint8_t *)text,
                                    sizeof text - 1, on_hit, &hs),
                   FWVET_OK);
  char got[256];
  join(&hs, got, sizeof got);
  assert_string_equal(got, "busybox@1.2.2,busybox@1.36.1");
  fwvet_sigdb_free(db);
}

/* data/eol.txt: every line is PRODUCT SERIES YYYY-MM-DD https://SOURCE,
 * about a product of the signature database. */
static void test_eol_table(void **state) {
  (void)state;
  fwvet_sigdb *db = builtin();
  FILE *f = fopen(source_path("../../data/eol.txt"), "r");
  assert_non_null(f);
  char line[1024];
  unsigned lineno = 0, bad = 0, rows = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (line[0] == '#' || line[0] == '\n')
      continue;
    char prod[64], series[64], date[32], src[512];
    int y, m, d, n = 0;
    int ok = sscanf(line, "%63s %63s %31s %511s", prod, series, date, src) == 4 &&
             sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 &&
             n == 10 && m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
             !strncmp(src, "https://", 8);
    int known = 0;
    for (size_t i = 0; ok && i < fwvet_sigdb_count(db); i++)
      known |= !strcmp(fwvet_sigdb_product(db, i)->name, prod);
    if (!ok || !known) {
      fprintf(stderr, "eol.txt:%u: %s", lineno, line);
      bad++;
    }
    rows++;
  }
  fclose(f);
  fwvet_sigdb_free(db);
  assert_true(rows > 0);
  assert_int_equal(bad, 0);
}

static void test_product_count(void **state) {
  (void)state;
  fwvet_sigdb *db = builtin();
  size_t n = fwvet_sigdb_count(db);
  if (n < MIN_PRODUCTS)
    fprintf(stderr, "%zu products, want at least %d\n", n, MIN_PRODUCTS);
  assert_true(n >= MIN_PRODUCTS);
  fwvet_sigdb_free(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_format_errors),
      cmocka_unit_test(test_failed_text_keeps_earlier),
      cmocka_unit_test(test_accuracy_cases),
      cmocka_unit_test(test_occurrences),
      cmocka_unit_test(test_eol_table),
      cmocka_unit_test(test_product_count),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
