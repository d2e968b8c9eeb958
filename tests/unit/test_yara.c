/* User YARA rules: one row per case, rules and file written to a temp
 * dir, compiled with fwvet_rules_compile and scanned with fwvet_scan_run. */
#include <errno.h>
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

#define BIN(s) s, sizeof s - 1

static const struct {
  const char *rules;
  const char *content; /* the one file scanned */
  size_t len;
  fwvet_status st;     /* of fwvet_rules_compile */
  const char *want;    /* "rule@offset:severity,..." (yara.* only), or
                        * for a compile error what follows "rules.yar:" */
  const char *msg;     /* message of the first finding, NULL: not checked */
  const char *ev;      /* evidence of the first finding, NULL: idem */
} rows[] = {
    /* Meta severity and description; other meta copied, in order. */
    {"rule token_leak {\n"
     "  meta:\n"
     "    description = \"a token is leaked\"\n"
     "    severity = \"high\"\n"
     "    author = \"qa\"\n"
     "    score = 7\n"
     "    active = true\n"
     "  strings: $t = \"SECRET_TOKEN\"\n"
     "  condition: $t\n"
     "}\n",
     BIN("api=SECRET_TOKEN\n"), FWVET_OK, "yara.token_leak@4:high",
     "a token is leaked",
     "token_leak $t=\"SECRET_TOKEN\"; description=a token is leaked; "
     "severity=high; author=qa; score=7; active=true"},
    /* No meta: medium and the default message; binary data escaped. */
    {"rule bin_magic { strings: $m = { 4D 41 47 49 43 FF 00 } "
     "condition: $m }\n",
     BIN("\x7f" "ELF\x01\x02\x03MAGIC\xff\x00tail"), FWVET_OK,
     "yara.bin_magic@7:medium", "matches YARA rule 'bin_magic'",
     "bin_magic $m=\"MAGIC\\xff\\x00\""},
    /* Not matching. */
    {"rule never { strings: $n = \"not in the file\" condition: $n }\n",
     BIN("some text\n"), FWVET_OK, "", NULL, NULL},
    /* Severity is case-insensitive; an unknown one falls back to medium. */
    {"rule crit { meta: severity = \"CRITICAL\" strings: $a = \"x1\" "
     "condition: $a }\n"
     "rule odd { meta: severity = \"urgent\" strings: $a = \"x2\" "
     "condition: $a }\n"
     "rule inf { meta: severity = \"info\" strings: $a = \"x3\" "
     "condition: $a }\n",
     BIN("x3 x2 x1"), FWVET_OK,
     "yara.inf@0:info,yara.odd@3:medium,yara.crit@6:critical", NULL, NULL},
    /* The first match is the lowest offset over all strings. */
    {"rule two { strings: $late = \"bbb\" $early = \"aaa\" "
     "condition: all of them }\n",
     BIN("..aaa..bbb..aaa"), FWVET_OK, "yara.two@2:medium", NULL,
     "two $early=\"aaa\""},
    /* No strings: no offset, evidence is the rule name. */
    {"rule sized { condition: filesize == 5 }\n", BIN("12345"), FWVET_OK,
     "yara.sized@-:medium", NULL, "sized"},
    /* Long matched data is cut at 64 bytes. */
    {"rule long { strings: $r = /A{100}/ condition: $r }\n",
     BIN("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
     FWVET_OK, "yara.long@0:medium", NULL,
     "long $r=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
     "AAAAA...\""},
    /* Compile errors: the status and "FILE:LINE: why", LINE as libyara
     * gives it (for errors in a condition: the line that closes it). */
    {"rule broken {\n  strings:\n    $a = \"x\"\n  condition: $a and and\n"
     "}\n",
     BIN(""), FWVET_EINVAL, "4: syntax error", NULL, NULL},
    {"rule cut {\n  condition: true\n", BIN(""), FWVET_EINVAL,
     " syntax error at end of file", NULL, NULL},
    {"rule undef {\n  strings: $a = \"x\"\n  condition: $b\n}\n", BIN(""),
     FWVET_EINVAL, "4: undefined string \"$b\"", NULL, NULL},
    {"rule dup { condition: true }\nrule dup { condition: true }\n",
     BIN(""), FWVET_EINVAL, "2: duplicated identifier \"dup\"", NULL, NULL},
};

static void write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

/* "rule@offset:severity,..." of the scan's yara.* findings. */
static void yara_findings(const fwvet_scan *scan, char *got, size_t size) {
  size_t o = 0;
  got[0] = '\0';
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *fd = fwvet_scan_finding(scan, i);
    if (strncmp(fd->rule, "yara.", 5) != 0)
      continue;
    char off[32] = "-";
    if (fd->offset != FWVET_NO_OFFSET)
      snprintf(off, sizeof off, "%llu", (unsigned long long)fd->offset);
    o += (size_t)snprintf(got + o, size - o, "%s%s@%s:%s", o ? "," : "",
                          fd->rule, off, fwvet_severity_name(fd->severity));
    assert_true(o < size);
  }
}

static const fwvet_finding *first_yara(const fwvet_scan *scan) {
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++)
    if (!strncmp(fwvet_scan_finding(scan, i)->rule, "yara.", 5))
      return fwvet_scan_finding(scan, i);
  return NULL;
}

static void test_rows(void **state) {
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    char dir[] = "/tmp/fwvet-yara-XXXXXX", tree[64], file[96], yar[96];
    assert_non_null(mkdtemp(dir));
    snprintf(tree, sizeof tree, "%s/root", dir);
    snprintf(file, sizeof file, "%s/data.bin", tree);
    snprintf(yar, sizeof yar, "%s/rules.yar", dir);
    assert_int_equal(mkdir(tree, 0700), 0);
    write_file(file, rows[r].content, rows[r].len);
    write_file(yar, rows[r].rules, strlen(rows[r].rules));

    const char *files[] = {yar};
    fwvet_rules *rules = NULL;
    char err[256];
    fwvet_status st = fwvet_rules_compile(files, 1, &rules, err, sizeof err);
    if (st != rows[r].st)
      fail_msg("row %zu: status %d, want %d (%s)", r, st, rows[r].st, err);
    if (st) {
      char want[300];
      snprintf(want, sizeof want, "%s:%s", yar, rows[r].want);
      if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("row %zu: error '%s', want '%s...'", r, err, want);
      assert_null(rules);
    } else {
      fwvet_scan_options opt;
      fwvet_scan_options_init(&opt);
      opt.rules = rules;
      fwvet_scan *scan = NULL;
      assert_int_equal(fwvet_scan_run(tree, &opt, &scan), FWVET_OK);
      char got[512];
      yara_findings(scan, got, sizeof got);
      if (strcmp(got, rows[r].want) != 0)
        fail_msg("row %zu: got '%s', want '%s'", r, got, rows[r].want);
      const fwvet_finding *fd = first_yara(scan);
      if (fd) {
        assert_string_equal(fd->fspath, "/data.bin");
        assert_int_equal(strlen(fd->fingerprint), 32);
      }
      if (rows[r].msg)
        assert_string_equal(fd->message, rows[r].msg);
      if (rows[r].ev)
        assert_string_equal(fd->evidence, rows[r].ev);
      fwvet_scan_destroy(scan);
      fwvet_rules_destroy(rules);
    }
    remove(file);
    remove(yar);
    rmdir(tree);
    rmdir(dir);
  }
}

/* Several files form one rule set; a missing file is FWVET_EIO with its
 * name; the same rule name in two files is an error. */
static void test_files(void **state) {
  char dir[] = "/tmp/fwvet-yara-XXXXXX", a[64], b[64], c[64], tree[64],
       data[96], missing[64];
  assert_non_null(mkdtemp(dir));
  snprintf(a, sizeof a, "%s/a.yar", dir);
  snprintf(b, sizeof b, "%s/b.yar", dir);
  snprintf(c, sizeof c, "%s/c.yar", dir);
  snprintf(missing, sizeof missing, "%s/missing.yar", dir);
  snprintf(tree, sizeof tree, "%s/root", dir);
  snprintf(data, sizeof data, "%s/f", tree);
  assert_int_equal(mkdir(tree, 0700), 0);
  const char *ra = "rule ra { strings: $a = \"alpha\" condition: $a }\n";
  const char *rb = "rule rb { strings: $b = \"beta\" condition: $b }\n";
  write_file(a, ra, strlen(ra));
  write_file(b, rb, strlen(rb));
  write_file(c, ra, strlen(ra));
  write_file(data, BIN("alpha beta\n"));

  const char *both[] = {a, b};
  fwvet_rules *rules = NULL;
  char err[256];
  assert_int_equal(fwvet_rules_compile(both, 2, &rules, err, sizeof err),
                   FWVET_OK);
  fwvet_scan_options opt;
  fwvet_scan_options_init(&opt);
  opt.rules = rules;
  fwvet_scan *scan = NULL;
  assert_int_equal(fwvet_scan_run(tree, &opt, &scan), FWVET_OK);
  char got[256];
  yara_findings(scan, got, sizeof got);
  assert_string_equal(got, "yara.ra@0:medium,yara.rb@6:medium");
  fwvet_scan_destroy(scan);

  /* The same rule set in a second scan, and no rules: no yara findings. */
  assert_int_equal(fwvet_scan_run(tree, &opt, &scan), FWVET_OK);
  yara_findings(scan, got, sizeof got);
  assert_string_equal(got, "yara.ra@0:medium,yara.rb@6:medium");
  fwvet_scan_destroy(scan);
  fwvet_rules_destroy(rules);
  assert_int_equal(fwvet_scan_run(tree, NULL, &scan), FWVET_OK);
  yara_findings(scan, got, sizeof got);
  assert_string_equal(got, "");
  fwvet_scan_destroy(scan);

  const char *gone[] = {a, missing};
  rules = NULL;
  assert_int_equal(fwvet_rules_compile(gone, 2, &rules, err, sizeof err),
                   FWVET_EIO);
  assert_int_equal(errno, ENOENT);
  assert_string_equal(err, missing);
  assert_null(rules);

  const char *dup[] = {a, c};
  assert_int_equal(fwvet_rules_compile(dup, 2, &rules, err, sizeof err),
                   FWVET_EINVAL);
  assert_non_null(strstr(err, "duplicated identifier \"ra\""));
  assert_null(rules);
  assert_int_equal(fwvet_rules_compile(NULL, 0, &rules, err, sizeof err),
                   FWVET_EINVAL);

  remove(a);
  remove(b);
  remove(c);
  remove(data);
  rmdir(tree);
  rmdir(dir);
}

/* Many files scanned by several workers share one compiled rule set. */
static void test_parallel(void **state) {
  enum { N = 64 };
  char dir[] = "/tmp/fwvet-yara-XXXXXX", yar[64], tree[64], p[96];
  assert_non_null(mkdtemp(dir));
  snprintf(yar, sizeof yar, "%s/r.yar", dir);
  snprintf(tree, sizeof tree, "%s/root", dir);
  assert_int_equal(mkdir(tree, 0700), 0);
  const char *r = "rule hit { strings: $h = \"needle\" condition: $h }\n";
  write_file(yar, r, strlen(r));
  for (int i = 0; i < N; i++) {
    char body[64];
    int n = snprintf(body, sizeof body, "%*sneedle %d\n", i % 7, "", i);
    snprintf(p, sizeof p, "%s/f%02d", tree, i);
    write_file(p, body, (size_t)n);
  }
  const char *files[] = {yar};
  fwvet_rules *rules = NULL;
  assert_int_equal(fwvet_rules_compile(files, 1, &rules, NULL, 0),
                   FWVET_OK);
  fwvet_scan_options opt;
  fwvet_scan_options_init(&opt);
  opt.rules = rules;
  opt.open.jobs = 4;
  fwvet_scan *scan = NULL;
  assert_int_equal(fwvet_scan_run(tree, &opt, &scan), FWVET_OK);
  size_t hits = 0;
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *fd = fwvet_scan_finding(scan, i);
    if (!strcmp(fd->rule, "yara.hit")) {
      hits++;
      assert_int_equal(fd->offset, (unsigned)(atoi(fd->fspath + 2) % 7));
      assert_string_equal(fd->evidence, "hit $h=\"needle\"");
    }
  }
  assert_int_equal(hits, N);
  fwvet_scan_destroy(scan);
  fwvet_rules_destroy(rules);
  for (int i = 0; i < N; i++) {
    snprintf(p, sizeof p, "%s/f%02d", tree, i);
    remove(p);
  }
  remove(yar);
  rmdir(tree);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_files),
      cmocka_unit_test(test_parallel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
