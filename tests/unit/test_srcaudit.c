/*
 * fwvet audit-src: the tokenizer and the call counter, one row per case
 * (source text and the expected "function=count" list), then findings
 * rows, each written as a real file in a temp tree.
 */
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

#include "engineering/clex.h"
#include "fwvet/fwvet.h"

static const struct {
  const char *src;
  const char *want; /* "name=count,..." by name; "" for none */
} count_rows[] = {
    {"void f(char *d, char *s) { strcpy(d, s); }", "strcpy=1"},
    {"x = memcpy (d, s, n);", "memcpy=1"},
    {"x = memcpy\n  /* why */ (d, s, n);", "memcpy=1"},
    /* comments, strings, character literals */
    {"// strcpy(d, s);\n/* memcpy(a, b, c); */", ""},
    {"const char *s = \"strcpy(d, s) \\\" memcpy(a,b,c)\";", ""},
    {"char c = '\"'; strcpy(a, b); char e = '\\'';", "strcpy=1"},
    {"char c = '('; gets(b);", "gets=1"},
    {"s = R\"x(strcpy(a, b) )\" memcpy(c, d, e))x\"; sprintf(b, f);",
     "sprintf=1"},
    {"s = u8\"strcpy(a)\"; t = L\"gets(b)\";", ""},
    {"/* unterminated \"strcpy(\" */ strcat(a, b);", "strcat=1"},
    {"// a comment \\\n strcpy(a, b);\nmemcpy(a, b, c);", "memcpy=1"},
    /* identifiers that are not calls */
    {"void *p = memcpy; int memcpy_n = 1; q = &strcpy;", ""},
    {"p->memcpy(a, b, c); o.strcpy(d, s);", ""},
    {"std::memcpy(a, b, c); ::strcpy(d, s);", "memcpy=1,strcpy=1"},
    {"my_strcpy(a, b); strcpy2(a, b); xmemcpy(a, b, c);", ""},
    /* declarations and definitions are not calls */
    {"extern char *strcpy(char *, const char *);\n"
     "void *memcpy(void *d, const void *s, size_t n);\n"
     "int snprintf(char *, size_t, const char *, ...);",
     ""},
    {"return strcpy(a, b);", "strcpy=1"},
    {"if (x) return sprintf(b, \"%d\", 1); else gets(b);",
     "gets=1,sprintf=1"},
    {"n = a * memcpy(b, c, d);", ""}, /* documented: looks like a decl */
    /* preprocessor: #define bodies count once, other lines never */
    {"#include <strcpy(x).h>\n#if defined(memcpy)\n#endif\nstrcat(a, b);",
     "strcat=1"},
    {"#define COPY(d, s) strcpy(d, s)\nCOPY(a, b);", "strcpy=1"},
    {"#define X \\\n  memcpy(a, b, c)\nmemcpy(a, b, c);", "memcpy=2"},
    {"#define strcpy(d, s) my_copy(d, s)\n#undef strcpy\n", ""},
    {"  #  define F(d) gets(d)\n", "gets=1"},
    {"#pragma message(\"strcpy(\")\nsnprintf(a, 1, b);", "snprintf=1"},
    /* numbers with digit separators do not open a character literal */
    {"int n = 1'000'000; strcpy(a, b); char c = 'x';", "strcpy=1"},
    {"x = 0x1e+5; strncpy(a, b, 3); strlcpy(a, b, 3);",
     "strlcpy=1,strncpy=1"},
    {"", ""},
    {"\"unterminated\nstrcpy(a, b);", "strcpy=1"},
};

static char *mktree(const char *name, const char *content) {
  static char dir[64];
  char path[128];
  snprintf(dir, sizeof dir, "/tmp/fwvet-src-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(content, f);
  fclose(f);
  return dir;
}

static void rmtree(const char *dir) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

static void test_counts(void **state) {
  for (size_t r = 0; r < sizeof count_rows / sizeof *count_rows; r++) {
    char *dir = mktree("t.c", count_rows[r].src);
    fwvet_audit *a = NULL;
    assert_int_equal(fwvet_audit_src(dir, NULL, &a, NULL), FWVET_OK);
    size_t n, o = 0;
    const fwvet_eng_count *c = fwvet_audit_functions(a, &n);
    char got[256] = "";
    for (size_t i = 0; i < n; i++)
      o += (size_t)snprintf(got + o, sizeof got - o, "%s%s=%llu",
                            o ? "," : "", c[i].name,
                            (unsigned long long)c[i].count);
    if (strcmp(got, count_rows[r].want))
      fail_msg("row %zu: got '%s', want '%s'", r, got, count_rows[r].want);
    assert_int_equal(fwvet_audit_file_count(a), n ? 1 : 0);
    fwvet_audit_destroy(a);
    rmtree(dir);
  }
}

static const struct {
  const char *src;
  const char *families;
  const char *want; /* "rule@line=evidence;..." */
} finding_rows[] = {
    {"#define memcpy_s(d, n, s, c) memcpy(d, s, c)\n", NULL,
     "engineering.unsafe-macro@1=memcpy_s -> memcpy"},
    {"#define strcpy_s strcpy\n", NULL,
     "engineering.unsafe-macro@1=strcpy_s -> strcpy"},
    {"#define memcpy_s(d, n, s, c) my_checked_copy(d, n, s, c)\n", NULL, ""},
    {"#define my_copy(d, s) strcpy(d, s)\n", NULL, ""}, /* not a safe name */
    {"\n#define VOS_strcpy_s(d, n, s) strcpy(d, s)\n",
     "strcpy VOS_strcpy_s safe\n",
     "engineering.unsafe-macro@2=VOS_strcpy_s -> strcpy"},
    {"int VOS_memcpy_s(void *d, size_t dn, const void *s, size_t n)\n{\n"
     "  memcpy(d, s, n);\n  return 0;\n}\n",
     "memcpy VOS_memcpy_s safe\n",
     "engineering.unchecked-wrapper@1=VOS_memcpy_s -> memcpy"},
    {"int VOS_memcpy_s(void *d, size_t dn, const void *s, size_t n) {\n"
     "  if (n > dn) return -1;\n  memcpy(d, s, n);\n  return 0;\n}\n",
     "memcpy VOS_memcpy_s safe\n", ""},
    {"int strcpy_s(char *d, size_t dn, const char *s) {\n"
     "  if ((strlen(s)) >= (dn)) return 1;\n  strcpy(d, s); return 0; }\n",
     NULL, ""},
    /* a comparison, but not of a parameter */
    {"int strcpy_s(char *d, size_t dn, const char *s) {\n"
     "  if (d == 0) return 1; strcpy(d, s); return 0; }\n",
     NULL, "engineering.unchecked-wrapper@1=strcpy_s -> strcpy"},
    /* calls the safe function only: fine; a prototype is not a body */
    {"int strcpy_s(char *d, size_t dn, const char *s);\n"
     "int f(char *d) { return strcpy_s(d, 4, \"abc\"); }\n",
     NULL, ""},
    /* a member function named like a safe one is not at file scope */
    {"struct S { void g() { } };\nvoid f() { { int strcpy_s(char *d) "
     "{ strcpy(d, \"\"); } } }\n", NULL, ""},
};

static void test_findings(void **state) {
  for (size_t r = 0; r < sizeof finding_rows / sizeof *finding_rows; r++) {
    char *dir = mktree("w.c", finding_rows[r].src);
    char fam[128];
    fwvet_audit_options o = {NULL};
    if (finding_rows[r].families) {
      snprintf(fam, sizeof fam, "%s/fam.txt", dir);
      FILE *f = fopen(fam, "w");
      fputs(finding_rows[r].families, f);
      fclose(f);
      o.families = fam;
    }
    fwvet_audit *a = NULL;
    assert_int_equal(fwvet_audit_src(dir, &o, &a, NULL), FWVET_OK);
    char got[512] = "";
    size_t k = 0;
    for (size_t i = 0; i < fwvet_audit_finding_count(a); i++) {
      const fwvet_finding *f = fwvet_audit_finding(a, i);
      assert_string_equal(f->path, "w.c");
      k += (size_t)snprintf(got + k, sizeof got - k, "%s%s@%u=%s",
                            k ? ";" : "", f->rule, f->line, f->evidence);
    }
    if (strcmp(got, finding_rows[r].want))
      fail_msg("row %zu: got '%s', want '%s'", r, got, finding_rows[r].want);
    fwvet_audit_destroy(a);
    rmtree(dir);
  }
}

/* The table: distinct variants and calls per family, only C/C++ files. */
static void test_table(void **state) {
  char *dir = mktree("a.c", "memcpy(a,b,c); memcpy(a,b,c); memmove(a,b,c);\n"
                            "memcpy_s(a,1,b,c);\n");
  char p[160];
  snprintf(p, sizeof p, "%s/sub", dir);
  assert_int_equal(mkdir(p, 0755), 0);
  snprintf(p, sizeof p, "%s/sub/b.hpp", dir);
  FILE *f = fopen(p, "w");
  fputs("gets(b);\n", f);
  fclose(f);
  snprintf(p, sizeof p, "%s/sub/notes.txt", dir);
  f = fopen(p, "w");
  fputs("strcpy(a, b);\n", f);
  fclose(f);
  fwvet_audit *a = NULL;
  assert_int_equal(fwvet_audit_src(dir, NULL, &a, NULL), FWVET_OK);
  size_t n;
  const fwvet_eng_row *r = fwvet_audit_table(a, &n);
  assert_int_equal(n, 5);
  assert_string_equal(r[0].family, "memcpy");
  assert_string_equal(r[0].method, "source");
  assert_int_equal(r[0].safe_variants, 1);
  assert_int_equal(r[0].safe_calls, 1);
  assert_int_equal(r[0].unsafe_variants, 2);
  assert_int_equal(r[0].unsafe_calls, 3);
  assert_true(r[0].unsafe_percent > 74.9 && r[0].unsafe_percent < 75.1);
  assert_int_equal(r[1].unsafe_calls, 0); /* notes.txt is not source */
  assert_int_equal(r[3].unsafe_calls, 1);
  assert_int_equal(fwvet_audit_file_count(a), 2);
  assert_string_equal(fwvet_audit_file_path(a, 0), "a.c");
  assert_string_equal(fwvet_audit_file_path(a, 1), "sub/b.hpp");
  fwvet_audit_destroy(a);
  rmtree(dir);
  assert_int_equal(fwvet_audit_src("/nonexistent-fwvet", NULL, &a, NULL),
                   FWVET_EIO);
}

/* Hostile bytes: every prefix of a tricky text lexes without reading
 * past its end (ASan checks the bound). */
static void test_lexer_prefixes(void **state) {
  static const char text[] =
      "#define A(x) \"a\\\"b\" 'c' R\"d(e)d\" /* f */ // g\\\n"
      "u8R\"(x)\" 1'2 0x1p-3 a->b::c <= >= == != '\\";
  for (size_t len = 0; len <= sizeof text - 1; len++) {
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    clex_tok *t = NULL;
    size_t n = 0;
    assert_int_equal(clex_run(copy, len, 1000, &t, &n), FWVET_OK);
    for (size_t i = 0; i < n; i++)
      assert_true(t[i].p >= copy && t[i].p + t[i].len <= copy + len);
    free(t);
    free(copy);
  }
  clex_tok *t = NULL;
  size_t n = 0;
  assert_int_equal(clex_run("a b c d", 7, 3, &t, &n), FWVET_ELIMIT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_counts),
      cmocka_unit_test(test_findings),
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_lexer_prefixes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
