/* The SARIF builder (lib/report/sarif.c) and the rule documentation
 * compiled in from docs/rules.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwvet/fwvet.h"
#include "report/sarif.h"

static const struct {
  const char *path, *uri;
} uris[] = {
    {"router.bin/squashfs@0x200000/etc/shadow",
     "router.bin/squashfs@0x200000/etc/shadow"},
    {"a b/c%d", "a%20b/c%25d"},
    {"x:y/#?&;=[]", "x%3Ay/%23%3F%26%3B%3D%5B%5D"},
    {"caf\xc3\xa9", "caf%C3%A9"},
    {"bad\xff\x01", "bad%FF%01"},
    {"<script>", "%3Cscript%3E"},
    {"", ""},
};

static void test_uri(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof uris / sizeof *uris; i++) {
    json_t *j = fwvet_sarif_uri(uris[i].path);
    assert_non_null(j);
    assert_string_equal(json_string_value(j), uris[i].uri);
    json_decref(j);
  }
}

static void test_levels(void **state) {
  (void)state;
  static const char *const want[] = {"note", "note", "warning", "error",
                                     "error"};
  for (int s = FWVET_SEV_INFO; s <= FWVET_SEV_CRITICAL; s++)
    assert_string_equal(fwvet_sarif_level((fwvet_severity)s), want[s]);
}

static void test_docs(void **state) {
  (void)state;
  size_t n;
  const fwvet_rule_doc *d = fwvet_rule_docs(&n);
  assert_true(n >= 20);
  for (size_t i = 0; i < n; i++) {
    assert_true(strlen(d[i].meaning) > 10);
    assert_non_null(strstr(d[i].help_markdown, "**How to fix:**"));
    assert_null(strstr(d[i].help_text, "**"));
    assert_true(strlen(d[i].what) > 10);
  }
  const fwvet_rule_doc *u = fwvet_rule_doc_find("account.uid0");
  assert_non_null(u);
  assert_string_equal(u->severity, "high");
  assert_non_null(fwvet_rule_doc_find("yara.anything"));
  assert_null(fwvet_rule_doc_find("no.such-rule"));
  assert_null(fwvet_rule_doc_find(NULL));
}

static const fwvet_finding findings[] = {
    {"account.uid0", FWVET_SEV_HIGH, "img/squashfs/etc/passwd", "/etc/passwd",
     FWVET_NO_OFFSET, 3, "a second root", "toor:uid=0", "aa11"},
    {"unpack.corrupt", FWVET_SEV_LOW, "img/gzip", "", 0x20, 0, "cut short",
     NULL, "bb22"},
    {"account.uid0", FWVET_SEV_HIGH, "img/squashfs/etc/passwd",
     "/etc/passwd", FWVET_NO_OFFSET, 0, "another", NULL, "cc33"},
    {"yara.marker", FWVET_SEV_INFO, "img", "", FWVET_NO_OFFSET, 0, "match",
     "marker", "dd44"},
};
static const char *const baselines[] = {"new", "unchanged", NULL, "absent"};

static void test_log(void **state) {
  (void)state;
  fwvet_sarif *s = fwvet_sarif_create();
  assert_non_null(s);
  for (size_t i = 0; i < 4; i++)
    assert_int_equal(fwvet_sarif_add_finding(s, &findings[i], baselines[i]),
                     0);
  assert_int_equal(fwvet_sarif_rule(s, "equiv.different", "differs",
                                    "error"),
                   3);
  json_t *log = fwvet_sarif_finish(s, json_pack("{s:i}", "x", 1));
  fwvet_sarif_destroy(s);
  assert_non_null(log);
  assert_string_equal(json_string_value(json_object_get(log, "version")),
                      "2.1.0");
  json_t *run = json_array_get(json_object_get(log, "runs"), 0);
  json_t *rules =
      json_object_get(json_object_get(json_object_get(run, "tool"), "driver"),
                      "rules");
  assert_int_equal(json_array_size(rules), 4); /* uid0 once */
  json_t *r0 = json_array_get(rules, 0);
  assert_string_equal(json_string_value(json_object_get(r0, "id")),
                      "account.uid0");
  assert_non_null(json_object_get(json_object_get(r0, "help"), "markdown"));
  json_t *r3 = json_array_get(rules, 3);
  assert_string_equal(
      json_string_value(json_object_get(
          json_object_get(r3, "defaultConfiguration"), "level")),
      "error");
  json_t *results = json_object_get(run, "results");
  assert_int_equal(json_array_size(results), 4);
  for (size_t i = 0; i < 4; i++) {
    json_t *r = json_array_get(results, i);
    json_t *bs = json_object_get(r, "baselineState");
    if (baselines[i])
      assert_string_equal(json_string_value(bs), baselines[i]);
    else
      assert_null(bs);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(r, "partialFingerprints"), "fwvet/v1")),
        findings[i].fingerprint);
    json_t *region = json_object_get(
        json_object_get(
            json_array_get(json_object_get(r, "locations"), 0),
            "physicalLocation"),
        "region");
    if (findings[i].line)
      assert_int_equal(json_integer_value(json_object_get(region,
                                                          "startLine")),
                       findings[i].line);
    if (findings[i].offset != FWVET_NO_OFFSET)
      assert_int_equal(json_integer_value(json_object_get(region,
                                                          "byteOffset")),
                       findings[i].offset);
    if (!findings[i].line && findings[i].offset == FWVET_NO_OFFSET)
      assert_null(region);
  }
  assert_int_equal(
      json_integer_value(json_object_get(json_array_get(results, 2),
                                         "ruleIndex")),
      0);
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(run, "properties"),
                                         "x")),
      1);
  json_decref(log);
  fwvet_sarif_destroy(NULL);
}

static fwvet_eval *eval_of(const char *text) {
  fwvet_scan *scan = NULL;
  fwvet_eval *ev = NULL;
  assert_int_equal(fwvet_scan_run_memory("passwd", (const uint8_t *)text,
                                         strlen(text), NULL, &scan),
                   FWVET_OK);
  assert_int_equal(fwvet_eval_from_scan(scan, &ev), FWVET_OK);
  fwvet_scan_destroy(scan);
  return ev;
}

/* guest's empty password is fixed, root's persists, toor is new. */
static void test_diff(void **state) {
  (void)state;
  fwvet_eval *a = eval_of("root::0:0::/root:/bin/sh\n"
                          "guest::100:100::/:/bin/sh\n");
  fwvet_eval *b = eval_of("root::0:0::/root:/bin/sh\n"
                          "toor:x:0:0::/root:/bin/sh\n");
  fwvet_diff *d = NULL;
  assert_int_equal(fwvet_diff_create(a, b, &d), FWVET_OK);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  assert_int_equal(fwvet_report_diff_sarif(d, f), FWVET_OK);
  fclose(f);
  json_t *log = json_loads(buf, 0, NULL);
  assert_non_null(log);
  json_t *results = json_object_get(
      json_array_get(json_object_get(log, "runs"), 0), "results");
  char got[256] = "";
  size_t o = 0;
  for (size_t i = 0; i < json_array_size(results); i++) {
    json_t *r = json_array_get(results, i);
    o += (size_t)snprintf(
        got + o, sizeof got - o, "%s%s=%s", i ? "," : "",
        json_string_value(json_object_get(r, "ruleId")),
        json_string_value(json_object_get(r, "baselineState")));
  }
  assert_string_equal(got, "account.uid0=new,"
                           "account.empty-password=unchanged,"
                           "account.empty-password=absent");
  json_decref(log);
  free(buf);
  fwvet_diff_destroy(d);
  fwvet_eval_destroy(a);
  fwvet_eval_destroy(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_uri),
      cmocka_unit_test(test_levels),
      cmocka_unit_test(test_docs),
      cmocka_unit_test(test_log),
      cmocka_unit_test(test_diff),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
