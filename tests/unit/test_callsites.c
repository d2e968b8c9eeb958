/*
 * Call sites of imported functions (lib/analyse/callsites.c): small
 * x86-64 programs compiled at test time calling memcpy/strcpy/sprintf a
 * known number of times (PLT, -fno-plt GOT calls, IBT .plt.sec, a shared
 * library), hostile bytes, the scan's "call-sites" table; then a real
 * Debian arm64 binary (tests/fixtures/elf-foreign.sh; skipped when the
 * archive is not reachable).
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

#include "analyse/callsites.h"
#include "analyse/elf_facts.h"
#include "fwvet/fwvet.h"

#define SOURCE_DIR_OF_TEST __FILE__ /* .../tests/unit/test_callsites.c */

#define MAX_SEEN 512

typedef struct seen {
  char name[64];
  uint64_t n;
} seen;

typedef struct seen_list {
  seen s[MAX_SEEN];
  size_t n;
} seen_list;

/* Sums repeated names (a function can have a JUMP_SLOT and a GLOB_DAT). */
static void collect(void *ud, const char *name, uint64_t calls) {
  seen_list *l = ud;
  for (size_t i = 0; i < l->n; i++)
    if (!strcmp(l->s[i].name, name)) {
      l->s[i].n += calls;
      return;
    }
  assert_true(l->n < MAX_SEEN);
  snprintf(l->s[l->n].name, sizeof l->s[l->n].name, "%s", name);
  l->s[l->n++].n = calls;
}

static uint64_t seen_count(const seen_list *l, const char *name) {
  for (size_t i = 0; i < l->n; i++)
    if (!strcmp(l->s[i].name, name))
      return l->s[i].n;
  return 0;
}

static int run(const char *cmd) {
  int r = system(cmd);
  return r == -1 ? -1 : WEXITSTATUS(r);
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long n = ftell(f);
  assert_true(n > 0);
  rewind(f);
  uint8_t *d = malloc((size_t)n);
  assert_non_null(d);
  assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return d;
}

static const struct {
  const char *cflags;
  unsigned memcpy_n, strcpy_n, sprintf_n;
} progs[] = {
    {"-O0 -fno-builtin", 3, 2, 1},
    {"-O0 -fno-builtin -fno-plt", 1, 4, 2},
    {"-O2 -fno-builtin -fcf-protection=full -Wl,-z,ibtplt", 2, 1, 3},
    {"-O2 -fno-builtin -pie -fPIE", 4, 1, 1},
    {"-O0 -fno-builtin -no-pie -fno-PIE", 5, 0, 1},
    {"-O0 -fno-builtin -shared -fPIC", 2, 3, 0},
    {"-O0 -fno-builtin -shared -fPIC -fno-plt", 0, 1, 4},
    {"-O0 -fno-builtin", 0, 0, 0},
};

/* A program making the calls with opaque arguments (no folding). */
static void write_prog(FILE *f, unsigned m, unsigned s, unsigned p,
                       int shared) {
  fputs("#include <stdio.h>\n#include <string.h>\n"
        "volatile int k = 3;\n",
        f);
  fprintf(f, "%s(int c, char **v) {\n  char b[256];\n",
          shared ? "int lib_f" : "int main");
  for (unsigned i = 0; i < m; i++)
    fprintf(f, "  memcpy(b + %u, v[0], (size_t)k);\n", i);
  for (unsigned i = 0; i < s; i++)
    fprintf(f, "  strcpy(b + %u, v[%u %% c]);\n", i, i);
  for (unsigned i = 0; i < p; i++)
    fprintf(f, "  sprintf(b + %u, \"%%d\", c + k);\n", i);
  fputs("  return b[c & 7];\n}\n", f);
}

static void test_compiled(void **state) {
  char dir[] = "/tmp/fwvet-cs-XXXXXX", path[600], cmd[1400];
  assert_non_null(mkdtemp(dir));
  for (size_t i = 0; i < sizeof progs / sizeof *progs; i++) {
    snprintf(path, sizeof path, "%s/p%zu.c", dir, i);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    write_prog(f, progs[i].memcpy_n, progs[i].strcpy_n, progs[i].sprintf_n,
               strstr(progs[i].cflags, "-shared") != NULL);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cc -w %s -o %s/p%zu %s", progs[i].cflags,
             dir, i, path);
    if (run(cmd))
      fail_msg("row %zu: cannot compile: %s", i, cmd);
    snprintf(path, sizeof path, "%s/p%zu", dir, i);
    size_t len;
    uint8_t *d = slurp(path, &len);
    seen_list l = {0};
    fwvet_status st = fwvet_callsites_count(d, len, collect, &l);
    if (st)
      fail_msg("row %zu (%s): %s", i, progs[i].cflags, fwvet_strerror(st));
    uint64_t got[3] = {seen_count(&l, "memcpy"), seen_count(&l, "strcpy"),
                       seen_count(&l, "sprintf")};
    if (got[0] != progs[i].memcpy_n || got[1] != progs[i].strcpy_n ||
        got[2] != progs[i].sprintf_n)
      fail_msg("row %zu (%s): memcpy/strcpy/sprintf %llu/%llu/%llu, "
               "want %u/%u/%u",
               i, progs[i].cflags, (unsigned long long)got[0],
               (unsigned long long)got[1], (unsigned long long)got[2],
               progs[i].memcpy_n, progs[i].strcpy_n, progs[i].sprintf_n);
    for (size_t k = 0; k < l.n; k++)
      assert_true(l.s[k].n > 0);
    free(d);
  }
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(run(cmd), 0);
}

/* Truncations and corruptions of a real binary: an error or a result,
 * never a read outside the bytes (ASan) and never a count from nothing. */
static void test_hostile(void **state) {
  seen_list l = {0};
  static const uint8_t junk[] = "not an elf file at all, just some text....."
                                "................................";
  assert_int_equal(fwvet_callsites_count(junk, sizeof junk, collect, &l),
                   FWVET_ECORRUPT);
  assert_int_equal(fwvet_callsites_count(junk, 3, collect, &l),
                   FWVET_ECORRUPT);
  size_t len;
  uint8_t *d = slurp("/bin/sh", &len);
  assert_int_equal(fwvet_callsites_count(d, len, collect, &l), FWVET_OK);
  assert_true(l.n > 0);
  uint8_t *c = malloc(len);
  assert_non_null(c);
  static const size_t cuts[] = {64, 100, 4096, 0};
  for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
    size_t n = cuts[i] ? cuts[i] : len - 1;
    memcpy(c, d, n);
    seen_list m = {0};
    assert_int_not_equal(fwvet_callsites_count(c, n, collect, &m),
                         FWVET_OK);
    assert_int_equal(m.n, 0);
  }
  /* no section headers (sstripped): not counted, imports only */
  memcpy(c, d, len);
  memset(c + 40, 0, 8);
  memset(c + 60, 0, 2);
  assert_int_equal(fwvet_callsites_count(c, len, collect, &l),
                   FWVET_EUNSUPPORTED);
  /* 32-bit class and another machine */
  memcpy(c, d, len);
  c[4] = 1;
  assert_int_equal(fwvet_callsites_count(c, len, collect, &l),
                   FWVET_EUNSUPPORTED);
  memcpy(c, d, len);
  c[18] = 8; /* EM_MIPS */
  c[19] = 0;
  assert_int_equal(fwvet_callsites_count(c, len, collect, &l),
                   FWVET_EUNSUPPORTED);
  /* garbage over the section headers: whatever comes back, no overrun */
  memcpy(c, d, len);
  uint64_t shoff = 0;
  for (int i = 7; i >= 0; i--)
    shoff = shoff << 8 | c[40 + i];
  for (size_t i = (size_t)shoff; i < len; i++)
    c[i] = (uint8_t)(i * 131u + 7u);
  seen_list m = {0};
  (void)fwvet_callsites_count(c, len, collect, &m);
  free(c);
  free(d);
}

/* The scan's two tables: imports per binary, calls per call site. */
static void test_scan(void **state) {
  char dir[] = "/tmp/fwvet-cs-XXXXXX", path[600], cmd[1400];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/p.c", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  write_prog(f, 3, 2, 1, 0);
  fclose(f);
  snprintf(cmd, sizeof cmd,
           "mkdir -p %s/root/bin && cc -w -O0 -fno-builtin -o %s/root/bin/a "
           "%s && cp %s/root/bin/a %s/root/bin/b",
           dir, dir, path, dir, dir);
  assert_int_equal(run(cmd), 0);
  snprintf(path, sizeof path, "%s/root", dir);
  /* Off by default: no call-site counts. */
  fwvet_scan *scan = NULL;
  assert_int_equal(fwvet_scan_run(path, NULL, &scan), FWVET_OK);
  size_t n, nc;
  const fwvet_eng_row *c = fwvet_scan_engineering_calls(scan, &nc);
  for (size_t i = 0; i < nc; i++)
    assert_int_equal(c[i].safe_calls + c[i].unsafe_calls, 0);
  fwvet_scan_destroy(scan);

  fwvet_scan_options so;
  fwvet_scan_options_init(&so);
  so.call_sites = 1;
  assert_int_equal(fwvet_scan_run(path, &so, &scan), FWVET_OK);
  const fwvet_eng_row *r = fwvet_scan_engineering(scan, &n);
  c = fwvet_scan_engineering_calls(scan, &nc);
  assert_int_equal(n, nc);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(r[i].method, "imports");
    assert_string_equal(c[i].method, "call-sites");
    assert_string_equal(r[i].family, c[i].family);
    uint64_t imp = 0, calls = 0;
    if (!strcmp(r[i].family, "memcpy"))
      imp = 2, calls = 6;
    else if (!strcmp(r[i].family, "strcpy"))
      imp = 2, calls = 4;
    else if (!strcmp(r[i].family, "sprintf"))
      imp = 2, calls = 2;
    if (r[i].unsafe_calls != imp || c[i].unsafe_calls != calls)
      fail_msg("%s: imports %llu calls %llu, want %llu %llu", r[i].family,
               (unsigned long long)r[i].unsafe_calls,
               (unsigned long long)c[i].unsafe_calls,
               (unsigned long long)imp, (unsigned long long)calls);
  }
  fwvet_scan_destroy(scan);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(run(cmd), 0);
}

static void test_arm64(void **state) {
  char dir[512], cmd[1200], script[512];
  const char *env = getenv("FWVET_ELF_FIXTURES");
  snprintf(dir, sizeof dir, "%s", env ? env : "/tmp/fwvet-elf-foreign");
  /* tests/unit/test_callsites.c -> tests/fixtures/elf-foreign.sh */
  snprintf(script, sizeof script, "%s", SOURCE_DIR_OF_TEST);
  char *slash = strrchr(script, '/');
  assert_non_null(slash);
  *slash = '\0';
  slash = strrchr(script, '/');
  assert_non_null(slash);
  snprintf(slash, sizeof script - (size_t)(slash - script),
           "/fixtures/elf-foreign.sh");
  snprintf(cmd, sizeof cmd, "sh '%s' '%s'", script, dir);
  if (run(cmd) != 0) {
    fprintf(stderr, "skipping: Debian's archive is not reachable or apt "
                    "cannot add architectures (%s)\n", script);
    skip();
  }
  char path[700];
  snprintf(path, sizeof path, "%s/arm64/busybox/bin/busybox", dir);
  size_t len;
  uint8_t *d = slurp(path, &len);
  fwvet_elf_facts facts;
  assert_int_equal(fwvet_elf_facts_read(d, len, &facts), FWVET_OK);
  assert_string_equal(facts.info->machine, "aarch64");
  seen_list l = {0};
  assert_int_equal(fwvet_callsites_count(d, len, collect, &l), FWVET_OK);
  /* every counted function is imported */
  for (size_t i = 0; i < l.n; i++) {
    size_t k = 0;
    while (k < facts.info->nimports &&
           strcmp(facts.info->imports[k], l.s[i].name))
      k++;
    if (k == facts.info->nimports)
      fail_msg("%s counted but not imported", l.s[i].name);
  }
  /* most imports are called, and the common ones many times */
  assert_true(l.n * 2 > facts.info->nimports);
  static const char *const common[] = {"memcpy", "strcmp", "strlen",
                                       "strchr", "free"};
  for (size_t i = 0; i < sizeof common / sizeof *common; i++)
    if (seen_count(&l, common[i]) < 5)
      fail_msg("%s: %llu calls", common[i],
               (unsigned long long)seen_count(&l, common[i]));
  fprintf(stderr, "arm64 busybox: %zu of %zu imports called; memcpy %llu, "
                  "strcmp %llu, strlen %llu\n",
          l.n, facts.info->nimports,
          (unsigned long long)seen_count(&l, "memcpy"),
          (unsigned long long)seen_count(&l, "strcmp"),
          (unsigned long long)seen_count(&l, "strlen"));
  fwvet_elf_info_free(facts.info);
  free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compiled),
      cmocka_unit_test(test_hostile),
      cmocka_unit_test(test_scan),
      cmocka_unit_test(test_arm64),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
