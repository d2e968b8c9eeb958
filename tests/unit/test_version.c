/* Version comparison and upstream-version extraction, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fwvet/vulndb.h"

/* Each row: a < b (strictly), or equal when `eq` is set. */
static const struct {
  const char *a, *b;
  int eq;
} order[] = {
    /* OpenSSL letter releases */
    {"1.0.2k", "1.0.2t", 0},
    {"1.0.2t", "1.1.0", 0},
    {"1.0.2", "1.0.2a", 0},
    {"1.0.2a", "1.0.2b", 0},
    {"1.0.2g", "1.0.2h", 0},
    {"1.0.2z", "1.0.2za", 0},
    {"1.0.1u", "1.0.2", 0},
    {"1.1.1w", "3.0.0", 0},
    {"1.1.0l", "1.1.1", 0},
    {"1.0.2-beta1", "1.0.2", 0},
    {"1.0.2beta1", "1.0.2-beta2", 0},
    {"1.0.2beta1", "1.0.2-beta1", 1},
    {"1.0.2-beta3", "1.0.2a", 0},
    /* Dropbear */
    {"2020.81", "2022.83", 0},
    {"2019.78", "2020.79", 0},
    {"0.52", "2011.54", 0},
    {"2022.82", "2022.83", 0},
    /* BusyBox */
    {"1.36.0", "1.36.1", 0},
    {"1.35.0", "1.36.1", 0},
    {"1.9.2", "1.36.1", 0},
    /* Linux */
    {"4.14.18", "4.14.180", 0},
    {"4.14.179", "4.14.180", 0},
    {"4.14", "4.14.1", 0},
    {"4.14", "4.14.0", 1},
    {"4.9.337", "4.14", 0},
    {"5.10.0-rc7", "5.10", 0},
    {"2.6.39", "3.0", 0},
    /* epochs */
    {"9.9", "1:0.1", 0},
    {"1:2.36", "2:1.0", 0},
    {"0:1.2", "1.2", 1},
    {"1:1.2", "1:1.2.1", 0},
    /* Debian and distribution revisions */
    {"2.36-9", "2.36-9+deb12u4", 0},
    {"2.36-9+deb12u3", "2.36-9+deb12u4", 0},
    {"2.36-9", "2.36-10", 0},
    {"2.36", "2.36-1", 0},
    {"1.1.1n-0+deb11u4", "1.1.1n-0+deb11u5", 0},
    {"2.35-0ubuntu3", "2.35-0ubuntu3.1", 0},
    /* '~' first */
    {"1.0~rc1", "1.0", 0},
    {"1.0~rc1", "1.0-rc1", 0},
    {"1.0~~", "1.0~", 0},
    {"1.0~", "1.0", 0},
    {"1.0~beta", "1.0~rc1", 0},
    /* pre-release tags */
    {"1.0.0-rc1", "1.0.0", 0},
    {"1.0.0-rc1", "1.0.0-rc2", 0},
    {"1.0.0-alpha", "1.0.0-beta", 0},
    {"1.0.0-beta2", "1.0.0-rc1", 0},
    {"1.0.0-dev", "1.0.0-alpha1", 0},
    {"1.0.0-pre1", "1.0.0-rc1", 0},
    {"2.0rc1", "2.0", 0},
    {"1.0.0-RC1", "1.0.0-rc1", 1},
    {"1.9", "2.0-alpha", 0},
    /* others */
    {"7.4", "7.4p1", 0},
    {"7.4p1", "7.5", 0},
    {"1.2.3", "1.2.10", 0},
    {"1.02", "1.2", 1},
    {"v1.2.3", "1.2.3", 1},
    {"1.2.3", "1.2.3", 1},
    {"", "0.1", 0},
    {"1_2_3", "1.2.3", 1},
    {"99999999999999999999", "100000000000000000000", 0},
};

static void test_order(void **state) {
  for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
    int ab = fwvet_version_compare(order[i].a, order[i].b);
    int ba = fwvet_version_compare(order[i].b, order[i].a);
    if (order[i].eq ? (ab != 0 || ba != 0) : (ab >= 0 || ba <= 0))
      fail_msg("row %zu: '%s' vs '%s' gave %d / %d", i, order[i].a,
               order[i].b, ab, ba);
  }
  assert_true(sizeof order / sizeof *order >= 40);
}

/* Every version compares equal to itself and the order is transitive
 * over a sorted list. */
static void test_sorted_chain(void **state) {
  static const char *chain[] = {
      "0.9.8zh", "1.0.0", "1.0.1", "1.0.1t", "1.0.2-beta1", "1.0.2",
      "1.0.2a", "1.0.2h", "1.0.2k", "1.0.2t", "1.0.2u", "1.1.0",
      "1.1.1~pre1", "1.1.1-pre2", "1.1.1", "1.1.1n", "1.1.1n-0+deb11u4",
      "3.0.0-alpha1", "3.0.0", "1:0.1",
  };
  size_t n = sizeof chain / sizeof *chain;
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(fwvet_version_compare(chain[i], chain[i]), 0);
    for (size_t j = i + 1; j < n; j++)
      if (fwvet_version_compare(chain[i], chain[j]) >= 0)
        fail_msg("'%s' should sort before '%s'", chain[i], chain[j]);
  }
  assert_int_equal(fwvet_version_compare(NULL, NULL), 0);
  assert_true(fwvet_version_compare(NULL, "1") < 0);
}

static void test_upstream(void **state) {
  static const struct {
    const char *in, *out;
    int revision;
  } rows[] = {
      {"2.36-9+deb12u4", "2.36", 1},
      {"1:2.36-9+deb12u4", "2.36", 1},
      {"1.1.1n-0+deb11u4", "1.1.1n", 1},
      {"2.35-0ubuntu3.1", "2.35", 1},
      {"1.36.1-r2", "1.36.1", 1},
      {"2022.83-1", "2022.83", 1},
      {"1.2.11-1.el8", "1.2.11", 1},
      {"3.0.2-0ubuntu1.10", "3.0.2", 1},
      {"1.0-2build1", "1.0", 1},
      {"1.2-3-4", "1.2-3", 1},
      {"1.2.3-deb1", "1.2.3", 1},
      {"1.0.2-beta1", "1.0.2-beta1", 0},
      {"1.0.0-rc1", "1.0.0-rc1", 0},
      {"1.0.2k", "1.0.2k", 0},
      {"7.4p1", "7.4p1", 0},
      {"1.0-r", "1.0-r", 0},
      {"1.0-rc", "1.0-rc", 0},
      {"1.0-r1a", "1.0-r1a", 0},
      {"2:1.0", "1.0", 0},
      {"-1", "-1", 0},
      {"", "", 0},
      {"1.2.3-stable", "1.2.3-stable", 0},
  };
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    char out[64];
    int rev = fwvet_version_upstream(rows[i].in, out, sizeof out);
    if (strcmp(out, rows[i].out) || rev != rows[i].revision)
      fail_msg("'%s': got '%s' (%d), want '%s' (%d)", rows[i].in, out, rev,
               rows[i].out, rows[i].revision);
  }
  /* Truncation keeps the string terminated. */
  char small[4];
  assert_int_equal(fwvet_version_upstream("1:2.36-9", small, sizeof small),
                   1);
  assert_string_equal(small, "2.3");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_order),
      cmocka_unit_test(test_sorted_chain),
      cmocka_unit_test(test_upstream),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
