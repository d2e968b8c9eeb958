/*
 * The engineering table from binaries: small programs compiled at test
 * time with the host cc (-fno-builtin, so every call stays an import),
 * scanned as real files; one row per case with the expected finding and
 * table.  Also the families list: lookup, --families overrides, errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engineering/families.h"
#include "fwvet/fwvet.h"

#define HEAD                                                                 \
  "#include <stdio.h>\n#include <string.h>\nchar *gets(char *);\n"           \
  "int main(int c, char **v) { char b[64]; b[0] = 0; (void)c; (void)v;\n"

static const struct {
  const char *body;     /* statements of main() */
  const char *families; /* extra family lines, or NULL */
  const char *evidence; /* of engineering.unsafe-function, "" for none */
  const char *severity;
  const char *table;    /* "family=sv/sc/uv/uc;..." for non-empty rows */
} rows[] = {
    {"strcpy(b, v[0]); memcpy(b, v[0], 2); puts(b);", NULL, "memcpy, strcpy",
     "low", "memcpy=0/0/1/1;strcpy=0/0/1/1"},
    {"gets(b); puts(b);", NULL, "gets", "high", "gets=0/0/1/1"},
    {"snprintf(b, sizeof b, \"%d\", c); fgets(b, 8, stdin); puts(b);", NULL,
     "", "", "sprintf=1/1/0/0;gets=1/1/0/0"},
    {"sprintf(b, \"%d\", c); snprintf(b, 4, \"%d\", c); strcat(b, v[0]);"
     "sscanf(v[0], \"%s\", b); puts(b);",
     NULL, "__isoc99_sscanf, sprintf, strcat", "low",
     "strcpy=0/0/1/1;sprintf=1/1/1/1;scanf=0/0/1/1"},
    /* an evaluator's override: memcpy counted as safe, no finding */
    {"memcpy(b, v[0], 2); puts(b);", "memcpy memcpy safe\n", "", "",
     "memcpy=1/1/0/0"},
    /* nothing of the families */
    {"puts(v[0]);", NULL, "", "", ""},
};

static int run(const char *cmd) {
  int r = system(cmd);
  return r == -1 ? -1 : WEXITSTATUS(r);
}

static void table_string(const fwvet_scan *scan, char *out, size_t cap) {
  size_t n, o = 0;
  const fwvet_eng_row *r = fwvet_scan_engineering(scan, &n);
  out[0] = '\0';
  assert_int_equal(n, 5);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(r[i].method, "imports");
    if (!r[i].safe_calls && !r[i].unsafe_calls)
      continue;
    o += (size_t)snprintf(out + o, cap - o, "%s%s=%zu/%llu/%zu/%llu",
                          o ? ";" : "", r[i].family, r[i].safe_variants,
                          (unsigned long long)r[i].safe_calls,
                          r[i].unsafe_variants,
                          (unsigned long long)r[i].unsafe_calls);
  }
}

static void test_binaries(void **state) {
  if (run("cc --version >/dev/null 2>&1") != 0)
    skip();
  for (size_t k = 0; k < sizeof rows / sizeof *rows; k++) {
    char dir[] = "/tmp/fwvet-eng-XXXXXX", path[256], cmd[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/src.c", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s%s return 0; }\n", HEAD, rows[k].body);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "cd %s && mkdir -p root/bin && cc -w -O0 -fno-builtin "
             "-o root/bin/prog src.c 2>/dev/null",
             dir);
    assert_int_equal(run(cmd), 0);
    fwvet_scan_options so;
    fwvet_scan_options_init(&so);
    char fam[256];
    if (rows[k].families) {
      snprintf(fam, sizeof fam, "%s/families.txt", dir);
      f = fopen(fam, "w");
      fputs(rows[k].families, f);
      fclose(f);
      so.families = fam;
    }
    snprintf(path, sizeof path, "%s/root", dir);
    fwvet_scan *scan = NULL;
    assert_int_equal(fwvet_scan_run(path, &so, &scan), FWVET_OK);
    const char *ev = "", *sev = "";
    for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
      const fwvet_finding *fd = fwvet_scan_finding(scan, i);
      if (strcmp(fd->rule, "engineering.unsafe-function"))
        continue;
      assert_string_equal(ev, ""); /* one finding per binary */
      ev = fd->evidence;
      sev = fwvet_severity_name(fd->severity);
      assert_string_equal(fd->fspath, "/bin/prog");
    }
    char table[256];
    table_string(scan, table, sizeof table);
    if (strcmp(ev, rows[k].evidence) || strcmp(sev, rows[k].severity) ||
        strcmp(table, rows[k].table))
      fail_msg("row %zu: got '%s' %s '%s', want '%s' %s '%s'", k, ev, sev,
               table, rows[k].evidence, rows[k].severity, rows[k].table);
    fwvet_scan_destroy(scan);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(run(cmd), 0);
  }
}

/* Two binaries importing strcpy count twice (one call per binary); the
 * finding of each has the same fingerprint apart from the path. */
static void test_image_sums(void **state) {
  if (run("cc --version >/dev/null 2>&1") != 0)
    skip();
  char dir[] = "/tmp/fwvet-eng-XXXXXX", cmd[1024], path[256];
  assert_non_null(mkdtemp(dir));
  snprintf(cmd, sizeof cmd,
           "cd %s && mkdir -p root/bin root/sbin && printf '%%s' "
           "'#include <string.h>\nint main(int c, char **v) { char b[8]; "
           "strcpy(b, v[0]); return b[c]; }\n' > s.c && "
           "cc -w -O0 -fno-builtin -o root/bin/a s.c && "
           "cp root/bin/a root/sbin/b",
           dir);
  assert_int_equal(run(cmd), 0);
  snprintf(path, sizeof path, "%s/root", dir);
  fwvet_scan *scan = NULL;
  assert_int_equal(fwvet_scan_run(path, NULL, &scan), FWVET_OK);
  size_t n;
  const fwvet_eng_row *r = fwvet_scan_engineering(scan, &n);
  assert_string_equal(r[1].family, "strcpy");
  assert_int_equal(r[1].unsafe_calls, 2);
  assert_int_equal(r[1].unsafe_variants, 1);
  assert_true(r[1].unsafe_percent > 99.9);
  const char *fp[2];
  size_t k = 0;
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *fd = fwvet_scan_finding(scan, i);
    if (!strcmp(fd->rule, "engineering.unsafe-function") && k < 2)
      fp[k++] = fd->fingerprint;
  }
  assert_int_equal(k, 2);
  assert_string_not_equal(fp[0], fp[1]); /* fspath differs */
  fwvet_scan_destroy(scan);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(run(cmd), 0);
}

static void test_families(void **state) {
  fwvet_families *f = NULL;
  assert_int_equal(fwvet_families_new(NULL, &f, NULL), FWVET_OK);
  long k = fwvet_families_lookup(f, "memcpy_s(", 8);
  assert_true(k >= 0);
  assert_true(fwvet_families_fn(f, (size_t)k)->safe);
  assert_string_equal(
      fwvet_families_name(f, fwvet_families_fn(f, (size_t)k)->family),
      "memcpy");
  k = fwvet_families_lookup(f, "gets", 4);
  assert_true(k >= 0);
  assert_false(fwvet_families_fn(f, (size_t)k)->safe);
  assert_int_equal(fwvet_families_lookup(f, "memcp", 5), -1);
  assert_int_equal(fwvet_families_lookup(f, "strcpyx", 7), -1);
  assert_int_equal(fwvet_families_lookup(f, "VOS_memcpy_s", 12), -1);
  fwvet_families_free(f);

  char path[] = "/tmp/fwvet-fam-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *fp = fdopen(fd, "w");
  fputs("# vendor\n\nmemcpy VOS_memcpy_s safe\n  strcpy strcpy safe\n"
        "vendor my_copy unsafe\n", fp);
  fclose(fp);
  assert_int_equal(fwvet_families_new(path, &f, NULL), FWVET_OK);
  k = fwvet_families_lookup(f, "VOS_memcpy_s", 12);
  assert_true(k >= 0 && fwvet_families_fn(f, (size_t)k)->safe);
  k = fwvet_families_lookup(f, "strcpy", 6);
  assert_true(k >= 0 && fwvet_families_fn(f, (size_t)k)->safe);
  assert_int_equal(fwvet_families_count(f), 6);
  assert_string_equal(fwvet_families_name(f, 5), "vendor");
  fwvet_families_free(f);

  static const char *const bad[] = {
      "memcpy memcpy maybe\n", "memcpy\n", "memcpy a b c\n",
      "memcpy 1abc safe\n", "mem-cpy x safe\n"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    fp = fopen(path, "w");
    fprintf(fp, "# ok\nmemcpy x_s safe\n%s", bad[i]);
    fclose(fp);
    unsigned line = 0;
    assert_int_equal(fwvet_families_check(path, &line), FWVET_EINVAL);
    assert_int_equal(line, 3);
  }
  remove(path);
  assert_int_equal(fwvet_families_check(path, NULL), FWVET_EIO);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_families),
      cmocka_unit_test(test_binaries),
      cmocka_unit_test(test_image_sums),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
