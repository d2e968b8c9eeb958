/* The accounts analyser: one row per case, each scanned as a real file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fwvet/fwvet.h"

static const struct {
  const char *name;    /* file name: the analyser must not care */
  const char *content;
  const char *want;    /* "rule@line,..." in report order, "" for none */
} rows[] = {
    {"passwd", "root:x:0:0:root:/root:/bin/sh\n"
               "daemon:x:1:1::/:/usr/sbin/nologin\n", ""},
    {"passwd", "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n",
     "account.uid0@2"},
    {"passwd", "root::0:0::/root:/bin/sh\n", "account.empty-password@1"},
    {"passwd", "# comment\nadmin::0:0::/:/bin/sh\n",
     "account.empty-password@2,account.uid0@2"},
    {"shadow", "root:*:19000:0:99999:7:::\nguest::19000:0:99999:7:::\n",
     "account.empty-password@2"},
    {"shadow", "root:!:19000:0:99999:7:::\n", ""},
    /* 9 fields with an empty second but not shadow's numbers (p0f). */
    {"pf.os", "S4::1:60:M1460,N,W0:\tAIX:5.3:9-10:AIX 5.3\n", ""},
    {"shadow", "guest::-1:0:99999:7:-1:-1:\n", "account.empty-password@1"},
    /* Recognised by content, not by name. */
    {"users.bak", "root:x:0:0::/root:/bin/sh\nbackdoor:x:0:0::/:/bin/sh\n",
     "account.uid0@2"},
    /* Not an account file: one line does not fit, so nothing is claimed. */
    {"notes.txt", "root::0:0::/root:/bin/sh\nthis is prose, not passwd\n",
     ""},
    {"config", "a:b:c\n", ""},
    {"passwd", "", ""},
};

static void test_rows(void **state) {
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    char dir[] = "/tmp/fwvet-acc-XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/%s", dir, rows[r].name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(rows[r].content, f);
    fclose(f);

    fwvet_scan *scan = NULL;
    assert_int_equal(fwvet_scan_run(dir, NULL, &scan), FWVET_OK);
    char got[512] = "";
    size_t o = 0;
    for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
      const fwvet_finding *fd = fwvet_scan_finding(scan, i);
      o += (size_t)snprintf(got + o, sizeof got - o, "%s%s@%u", o ? "," : "",
                            fd->rule, fd->line);
      assert_non_null(fd->evidence);
      assert_int_equal(strlen(fd->fingerprint), 32);
      assert_string_equal(fd->fspath, strrchr(path, '/'));
    }
    if (strcmp(got, rows[r].want) != 0)
      fail_msg("row %zu (%s): got '%s', want '%s'", r, rows[r].name, got,
               rows[r].want);
    fwvet_scan_destroy(scan);
    remove(path);
    rmdir(dir);
  }
}

/* The same issue in another place and release keeps its fingerprint
 * except for the path; a different account does not. */
static void test_fingerprint(void **state) {
  const char *fp[3];
  fwvet_scan *scans[3];
  const char *content[3] = {"toor:x:0:0::/:/bin/sh\n",
                            "root:x:0:0::/:/bin/sh\ntoor:x:0:0::/:/bin/sh\n",
                            "evil:x:0:0::/:/bin/sh\n"};
  for (int k = 0; k < 3; k++) {
    char dir[] = "/tmp/fwvet-acc-XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/passwd", dir);
    FILE *f = fopen(path, "w");
    fputs(content[k], f);
    fclose(f);
    assert_int_equal(fwvet_scan_run(dir, NULL, &scans[k]), FWVET_OK);
    assert_int_equal(fwvet_scan_finding_count(scans[k]), 1);
    fp[k] = fwvet_scan_finding(scans[k], 0)->fingerprint;
    remove(path);
    rmdir(dir);
  }
  assert_string_equal(fp[0], fp[1]);
  assert_string_not_equal(fp[0], fp[2]);
  for (int k = 0; k < 3; k++)
    fwvet_scan_destroy(scans[k]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_fingerprint),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
