/* The progress verdict rules of docs/progress.md, one table row per
 * case, and the matching of a diff on evaluations built in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diff/verdict.h"
#include "fwvet/fwvet.h"
#include "store/eval_int.h"

enum { C = FWVET_SEV_CRITICAL, H = FWVET_SEV_HIGH, M = FWVET_SEV_MEDIUM,
       L = FWVET_SEV_LOW, I = FWVET_SEV_INFO };

typedef struct verdict_case {
  const char *what;
  fwvet_verdict_input in;
  fwvet_verdict want;
  const char *why;
} verdict_case;

#define NOCALLS .unsafe_before = -1, .unsafe_after = -1

static const verdict_case cases[] = {
    {"nothing anywhere", {NOCALLS}, FWVET_VERDICT_NONE,
     "no problems at low or above, before or after"},
    {"info findings do not count",
     {.findings_before = {[I] = 5}, .findings_fixed = {[I] = 5}, NOCALLS},
     FWVET_VERDICT_NONE, "no problems at low or above, before or after"},
    {"severe problems, none fixed",
     {.findings_before = {[C] = 2}, NOCALLS}, FWVET_VERDICT_NONE,
     "none of 2 critical or high problems fixed"},
    {"severe unfixed outweigh medium fixes",
     {.findings_before = {[C] = 1, [M] = 9}, .findings_fixed = {[M] = 9},
      NOCALLS},
     FWVET_VERDICT_NONE, "none of 1 critical or high problems fixed"},
    {"a new critical, none fixed",
     {.findings_before = {[C] = 1}, .findings_new = {[C] = 1}, NOCALLS},
     FWVET_VERDICT_REGRESSION, "1 new critical against 0 fixed"},
    {"a new critical vulnerability outweighs fixed highs",
     {.findings_before = {[H] = 2}, .findings_fixed = {[H] = 2},
      .vulns_new = {[C] = 1}, NOCALLS},
     FWVET_VERDICT_REGRESSION, "1 new critical against 0 fixed"},
    {"more new highs than fixed",
     {.findings_before = {[H] = 2}, .findings_fixed = {[H] = 1},
      .findings_new = {[H] = 2}, NOCALLS},
     FWVET_VERDICT_REGRESSION, "2 new critical or high against 1 fixed"},
    {"one critical fixed, one new",
     {.findings_before = {[C] = 1}, .findings_fixed = {[C] = 1},
      .findings_new = {[C] = 1}, NOCALLS},
     FWVET_VERDICT_LIMITED,
     "1 of 1 critical or high problems fixed, but new critical or high "
     "problems"},
    {"half the severe problems fixed",
     {.findings_before = {[C] = 2, [H] = 2}, .findings_fixed = {[C] = 2},
      NOCALLS},
     FWVET_VERDICT_MATERIAL, "2 of 4 critical or high problems fixed"},
    {"vulnerabilities count as problems",
     {.vulns_before = {[H] = 3}, .vulns_fixed = {[H] = 2}, NOCALLS},
     FWVET_VERDICT_MATERIAL, "2 of 3 critical or high problems fixed"},
    {"fewer than half fixed",
     {.findings_before = {[C] = 4}, .findings_fixed = {[C] = 1}, NOCALLS},
     FWVET_VERDICT_LIMITED,
     "1 of 4 critical or high problems fixed, but fewer than half of the "
     "critical or high problems fixed"},
    {"more medium problems new than fixed",
     {.findings_before = {[C] = 2}, .findings_fixed = {[C] = 2},
      .findings_new = {[M] = 3}, NOCALLS},
     FWVET_VERDICT_LIMITED,
     "2 of 2 critical or high problems fixed, but more problems new than "
     "fixed"},
    {"hardening lost in more binaries than gained",
     {.findings_before = {[C] = 2}, .findings_fixed = {[C] = 2},
      .hardening_improved = 1, .hardening_regressed = 2, NOCALLS},
     FWVET_VERDICT_LIMITED,
     "2 of 2 critical or high problems fixed, but hardening regressed in "
     "more binaries than it improved"},
    {"hardening lost and gained equally",
     {.findings_before = {[C] = 2}, .findings_fixed = {[C] = 2},
      .hardening_improved = 2, .hardening_regressed = 2, NOCALLS},
     FWVET_VERDICT_MATERIAL, "2 of 2 critical or high problems fixed"},
    {"unsafe share up a whole percent",
     {.findings_before = {[C] = 2}, .findings_fixed = {[C] = 2},
      .unsafe_before = 10.4, .unsafe_after = 11.6},
     FWVET_VERDICT_LIMITED,
     "2 of 2 critical or high problems fixed, but unsafe share up"},
    {"unsafe share the same when rounded",
     {.findings_before = {[C] = 2}, .findings_fixed = {[C] = 2},
      .unsafe_before = 10.6, .unsafe_after = 11.4},
     FWVET_VERDICT_MATERIAL, "2 of 2 critical or high problems fixed"},
    {"unsafe calls where there were none",
     {.findings_before = {[C] = 2}, .findings_fixed = {[C] = 2},
      .unsafe_before = -1, .unsafe_after = 50},
     FWVET_VERDICT_LIMITED,
     "2 of 2 critical or high problems fixed, but unsafe share up"},
    {"only lesser problems, half fixed",
     {.findings_before = {[M] = 4}, .findings_fixed = {[M] = 2}, NOCALLS},
     FWVET_VERDICT_MATERIAL, "2 of 4 problems fixed"},
    {"only lesser problems, a quarter fixed",
     {.findings_before = {[M] = 4}, .findings_fixed = {[M] = 1}, NOCALLS},
     FWVET_VERDICT_LIMITED,
     "1 of 4 problems fixed, but fewer than half of the problems fixed"},
    {"only lesser problems, as many new as fixed",
     {.findings_before = {[M] = 2}, .findings_fixed = {[M] = 1},
      .findings_new = {[L] = 1}, NOCALLS},
     FWVET_VERDICT_NONE, "1 of 2 problems fixed, 1 new"},
    {"a new high where there was nothing",
     {.findings_new = {[H] = 1}, NOCALLS}, FWVET_VERDICT_REGRESSION,
     "1 new critical or high against 0 fixed"},
};

static void test_verdicts(void **state) {
  (void)state;
  int bad = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char why[256];
    fwvet_verdict got = verdict_decide(&cases[i].in, why, sizeof why);
    if (got != cases[i].want || strcmp(why, cases[i].why) ||
        fwvet_verdict_judge(&cases[i].in) != got) {
      print_error("case '%s': got '%s' (%s), want '%s' (%s)\n",
                  cases[i].what, fwvet_verdict_name(got), why,
                  fwvet_verdict_name(cases[i].want), cases[i].why);
      bad++;
    }
  }
  assert_int_equal(bad, 0);
}

typedef struct reasons {
  char text[16][128];
  size_t n;
} reasons;

static int collect(void *ud, const char *r) {
  reasons *rs = ud;
  if (rs->n == 16)
    return -1;
  snprintf(rs->text[rs->n++], sizeof rs->text[0], "%s", r);
  return 0;
}

static void test_reasons(void **state) {
  (void)state;
  fwvet_verdict_input in = {.findings_before = {[C] = 4, [L] = 2},
                             .findings_fixed = {[C] = 1},
                             .findings_new = {[C] = 1},
                             .vulns_before = {[H] = 1},
                             .hardening_improved = 1,
                             .unsafe_before = 11.2,
                             .unsafe_after = 11.4};
  static const char *const want[] = {
      "3 of 4 critical findings persist",
      "1 new critical finding",
      "1 of 1 high vulnerability persists",
      "findings: 1 fixed, 1 new, 5 persisting",
      "binaries with better hardening: 1, with worse: 0",
      "unsafe share unchanged at 11%",
  };
  reasons rs = {0};
  assert_int_equal(verdict_reasons(&in, collect, &rs), 0);
  assert_int_equal(rs.n, sizeof want / sizeof want[0]);
  for (size_t i = 0; i < rs.n; i++)
    assert_string_equal(rs.text[i], want[i]);
  in.unsafe_after = 8.0;
  rs.n = 0;
  assert_int_equal(verdict_reasons(&in, collect, &rs), 0);
  assert_string_equal(rs.text[rs.n - 1], "unsafe share down from 11% to 8%");
  in.unsafe_before = in.unsafe_after = -1;
  rs.n = 0;
  assert_int_equal(verdict_reasons(&in, collect, &rs), 0);
  assert_string_equal(rs.text[rs.n - 1],
                      "binaries with better hardening: 1, with worse: 0");
}

static void test_vuln_severity(void **state) {
  (void)state;
  static const struct {
    const char *name;
    int want;
  } rows[] = {{"critical", C}, {"high", H},    {"medium", M},
              {"low", L},      {"none", I},    {"unknown", I},
              {"", I},         {"CRITICAL", I}, {NULL, I}};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    assert_int_equal(verdict_vuln_severity(rows[i].name), rows[i].want);
  assert_string_equal(fwvet_verdict_name(FWVET_VERDICT_NONE),
                      "no material progress");
}

/* --- diffs of evaluations built in memory */

static void add_finding(fwvet_eval *ev, const char *fp, fwvet_severity sev) {
  int bad = 0;
  fwvet_finding *f = eval_grow((void **)&ev->findings, &ev->nfindings,
                               &ev->capfindings, sizeof *f);
  assert_non_null(f);
  f->rule = eval_strdup(ev, "test.rule", &bad);
  f->severity = sev;
  f->path = eval_strdup(ev, "img/x", &bad);
  f->fspath = eval_strdup(ev, "/x", &bad);
  f->offset = FWVET_NO_OFFSET;
  f->message = eval_strdup(ev, fp, &bad);
  f->fingerprint = eval_strdup(ev, fp, &bad);
  assert_int_equal(bad, 0);
}

static void add_component(fwvet_eval *ev, const char *name,
                          const char *version) {
  int bad = 0;
  fwvet_eval_component *c =
      eval_grow((void **)&ev->components, &ev->ncomponents,
                &ev->capcomponents, sizeof *c);
  assert_non_null(c);
  c->name = eval_strdup(ev, name, &bad);
  c->version = eval_strdup(ev, version, &bad);
  c->copies = 1;
  assert_int_equal(bad, 0);
}

static void add_file(fwvet_eval *ev, const char *path, const char *sha,
                     int nx, fwvet_relro relro) {
  int bad = 0;
  fwvet_eval_file *f = eval_grow((void **)&ev->files, &ev->nfiles,
                                 &ev->capfiles, sizeof *f);
  assert_non_null(f);
  f->path = eval_strdup(ev, path, &bad);
  f->fspath = eval_strdup(ev, strchr(strchr(path, '/') + 1, '/'), &bad);
  f->type = eval_strdup(ev, "elf", &bad);
  f->sha256 = eval_strdup(ev, sha, &bad);
  fwvet_eval_elf *e = eval_grow((void **)&ev->elfs, &ev->nelfs, &ev->capelfs,
                                sizeof *e);
  assert_non_null(e);
  e->path = f->path;
  e->fspath = f->fspath;
  e->nx = nx;
  e->relro = relro;
  assert_int_equal(bad, 0);
}

static void test_duplicate_fingerprints(void **state) {
  (void)state;
  fwvet_eval *b = eval_new(), *a = eval_new();
  assert_non_null(b);
  assert_non_null(a);
  add_finding(b, "aa", FWVET_SEV_HIGH);
  add_finding(b, "aa", FWVET_SEV_HIGH);
  add_finding(b, "bb", FWVET_SEV_CRITICAL);
  add_finding(a, "aa", FWVET_SEV_HIGH);
  add_finding(a, "cc", FWVET_SEV_LOW);
  add_finding(a, "aa", FWVET_SEV_HIGH);
  add_finding(a, "aa", FWVET_SEV_HIGH);
  fwvet_diff *d = NULL;
  assert_int_equal(fwvet_diff_create(b, a, &d), FWVET_OK);
  assert_int_equal(fwvet_diff_finding_count(d, FWVET_DIFF_FIXED), 1);
  assert_ptr_equal(fwvet_diff_finding(d, FWVET_DIFF_FIXED, 0),
                   &b->findings[2]);
  assert_int_equal(fwvet_diff_finding_count(d, FWVET_DIFF_PERSISTING), 2);
  assert_ptr_equal(fwvet_diff_finding(d, FWVET_DIFF_PERSISTING, 0),
                   &a->findings[0]);
  assert_ptr_equal(fwvet_diff_finding(d, FWVET_DIFF_PERSISTING, 1),
                   &a->findings[2]);
  assert_int_equal(fwvet_diff_finding_count(d, FWVET_DIFF_NEW), 2);
  assert_ptr_equal(fwvet_diff_finding(d, FWVET_DIFF_NEW, 0),
                   &a->findings[1]);
  assert_ptr_equal(fwvet_diff_finding(d, FWVET_DIFF_NEW, 1),
                   &a->findings[3]);
  assert_null(fwvet_diff_finding(d, FWVET_DIFF_NEW, 2));
  /* one critical fixed, one high new: 1 new severe == 1 fixed */
  assert_int_equal(fwvet_diff_verdict(d), FWVET_VERDICT_LIMITED);
  fwvet_diff_destroy(d);
  fwvet_eval_destroy(b);
  fwvet_eval_destroy(a);
}

static void test_components(void **state) {
  (void)state;
  fwvet_eval *b = eval_new(), *a = eval_new();
  add_component(b, "busybox", "1.30.1");
  add_component(b, "openssl", "1.0.2k");
  add_component(b, "openssl", "1.0.1");
  add_component(b, "zlib", NULL);
  add_component(b, "dropbear", "2019.78");
  add_component(a, "busybox", "1.29.3");
  add_component(a, "curl", "8.0.1");
  add_component(a, "openssl", "1.1.1w");
  add_component(a, "openssl", "1.0.2k");
  add_component(a, "dropbear", "2019.78");
  fwvet_diff *d = NULL;
  assert_int_equal(fwvet_diff_create(b, a, &d), FWVET_OK);
  static const struct {
    fwvet_component_change c;
    const char *name, *from, *to;
  } want[] = {
      {FWVET_COMPONENT_UPGRADED, "openssl", "1.0.1", "1.1.1w"},
      {FWVET_COMPONENT_DOWNGRADED, "busybox", "1.30.1", "1.29.3"},
      {FWVET_COMPONENT_ADDED, "curl", NULL, "8.0.1"},
      {FWVET_COMPONENT_REMOVED, "zlib", NULL, NULL},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    size_t n;
    const fwvet_diff_component *x = fwvet_diff_components(d, want[i].c, &n);
    assert_int_equal(n, 1);
    assert_string_equal(x->name, want[i].name);
    if (want[i].from)
      assert_string_equal(x->from, want[i].from);
    else
      assert_null(x->from);
    if (want[i].to)
      assert_string_equal(x->to, want[i].to);
    else
      assert_null(x->to);
  }
  fwvet_diff_destroy(d);
  fwvet_eval_destroy(b);
  fwvet_eval_destroy(a);
}

static void test_files_and_hardening(void **state) {
  (void)state;
  fwvet_eval *b = eval_new(), *a = eval_new();
  add_file(b, "old.bin/squashfs@0x100/bin/a", "11", 1, FWVET_RELRO_PARTIAL);
  add_file(b, "old.bin/squashfs@0x100/bin/b", "22", 1, FWVET_RELRO_FULL);
  add_file(b, "old.bin/squashfs@0x100/bin/gone", "33", 1, FWVET_RELRO_FULL);
  add_file(a, "new.bin/squashfs@0x200/bin/a", "12", 0, FWVET_RELRO_FULL);
  add_file(a, "new.bin/squashfs@0x200/bin/b", "22", 1, FWVET_RELRO_FULL);
  add_file(a, "new.bin/squashfs@0x200/bin/new", "44", 1, FWVET_RELRO_FULL);
  fwvet_diff *d = NULL;
  assert_int_equal(fwvet_diff_create(b, a, &d), FWVET_OK);
  size_t n;
  const fwvet_diff_file *f = fwvet_diff_files(d, FWVET_FILE_CHANGED, &n);
  assert_int_equal(n, 1);
  assert_string_equal(f->key, "squashfs/bin/a");
  f = fwvet_diff_files(d, FWVET_FILE_ADDED, &n);
  assert_int_equal(n, 1);
  assert_string_equal(f->key, "squashfs/bin/new");
  assert_null(f->before);
  f = fwvet_diff_files(d, FWVET_FILE_REMOVED, &n);
  assert_int_equal(n, 1);
  assert_string_equal(f->key, "squashfs/bin/gone");
  assert_null(f->after);
  const fwvet_diff_binary *x = fwvet_diff_binaries(d, &n);
  assert_int_equal(n, 1);
  assert_string_equal(x->key, "squashfs/bin/a");
  assert_int_equal(x->improved, FWVET_HARDEN_RELRO);
  assert_int_equal(x->regressed, FWVET_HARDEN_NX);
  assert_int_equal(fwvet_diff_input(d)->hardening_improved, 1);
  assert_int_equal(fwvet_diff_input(d)->hardening_regressed, 1);
  fwvet_diff_destroy(d);
  fwvet_eval_destroy(b);
  fwvet_eval_destroy(a);
}

static void test_empty(void **state) {
  (void)state;
  fwvet_eval *b = eval_new(), *a = eval_new();
  fwvet_diff *d = NULL;
  assert_int_equal(fwvet_diff_create(b, a, NULL), FWVET_EINVAL);
  assert_int_equal(fwvet_diff_create(b, a, &d), FWVET_OK);
  assert_int_equal(fwvet_diff_verdict(d), FWVET_VERDICT_NONE);
  assert_int_equal(fwvet_diff_reason_count(d), 2);
  assert_string_equal(fwvet_diff_reason(d, 1),
                      "findings: 0 fixed, 0 new, 0 persisting");
  assert_null(fwvet_diff_reason(d, 2));
  fwvet_diff_destroy(d);
  fwvet_diff_destroy(NULL);
  fwvet_eval_destroy(b);
  fwvet_eval_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_verdicts),
      cmocka_unit_test(test_reasons),
      cmocka_unit_test(test_vuln_severity),
      cmocka_unit_test(test_duplicate_fingerprints),
      cmocka_unit_test(test_components),
      cmocka_unit_test(test_files_and_hardening),
      cmocka_unit_test(test_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
