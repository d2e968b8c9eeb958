/*
 * Call sites of imported functions (lib/analyse/callsites.c and its
 * architecture files): small x86-64 programs compiled at test time
 * calling memcpy/strcpy/sprintf a known number of times (PLT, -fno-plt
 * GOT calls, IBT .plt.sec, a shared library); the same for ARM (A32,
 * Thumb-2, both mixed with and without mapping symbols) and MIPS (both
 * byte orders, GOT calls and a PLT), cross-compiled with clang and
 * ld.lld; hostile bytes; the scan's "call-sites" table; then real
 * Debian arm64, armhf and mipsel binaries (tests/fixtures/elf-foreign.sh;
 * skipped when the archive is not reachable).
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

/* A function making the calls with opaque arguments (no folding). */
static void write_body(FILE *f, unsigned m, unsigned s, unsigned p,
                       const char *fn, const char *k) {
  fprintf(f, "volatile int %s = 3;\n", k);
  fprintf(f, "%s(int c, char **v) {\n  char b[256];\n", fn);
  for (unsigned i = 0; i < m; i++)
    fprintf(f, "  memcpy(b + %u, v[0], (unsigned)%s);\n", i, k);
  for (unsigned i = 0; i < s; i++)
    fprintf(f, "  strcpy(b + %u, v[(c + %u) & 1]);\n", i, i);
  for (unsigned i = 0; i < p; i++)
    fprintf(f, "  sprintf(b + %u, \"%%d\", c + %s);\n", i, k);
  fputs("  return b[c & 7];\n}\n", f);
}

static void write_prog(FILE *f, unsigned m, unsigned s, unsigned p,
                       int shared) {
  fputs("#include <stdio.h>\n#include <string.h>\n", f);
  write_body(f, m, s, p, shared ? "int lib_f" : "int main", "k");
}

/* No headers: cross targets have no C library here. */
static void write_cross(FILE *f, unsigned m, unsigned s, unsigned p,
                        const char *fn, const char *k) {
  fputs("void *memcpy(void *, const void *, __SIZE_TYPE__);\n"
        "char *strcpy(char *, const char *);\n"
        "int sprintf(char *, const char *, ...);\n",
        f);
  write_body(f, m, s, p, fn, k);
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

/*
 * ARM and MIPS, cross-compiled with clang and linked with ld.lld (no C
 * library needed: a stub library defines the functions).  One or two
 * objects (the second in the other instruction set, or a second MIPS
 * object) with known calls; `want` is what must be counted: a stripped
 * file mixing A32 and Thumb is counted in its entry point's mode only.
 */
static const struct {
  const char *what, *target, *cflags, *cflags2, *link;
  unsigned n1[3], n2[3], want[3];
} cross[] = {
    {"A32 library -O2", "armv7a-linux-gnueabihf", "-marm -O2 -fPIC", NULL,
     "-shared", {2, 1, 1}, {0}, {2, 1, 1}},
    {"Thumb-2 library -O2", "armv7a-linux-gnueabihf", "-mthumb -O2 -fPIC",
     NULL, "-shared", {3, 2, 1}, {0}, {3, 2, 1}},
    {"Thumb-2 library -O0", "armv7a-linux-gnueabihf", "-mthumb -O0 -fPIC",
     NULL, "-shared", {1, 0, 2}, {0}, {1, 0, 2}},
    {"A32 and Thumb executable, mapping symbols", "armv7a-linux-gnueabihf",
     "-marm -O1 -fno-pic", "-mthumb -O1 -fno-pic", "-no-pie", {1, 2, 1},
     {2, 0, 1}, {3, 2, 2}},
    {"A32 and Thumb executable, stripped, A32 entry",
     "armv7a-linux-gnueabihf", "-marm -O1 -fno-pic", "-mthumb -O1 -fno-pic",
     "-no-pie -Wl,-s", {1, 2, 1}, {2, 0, 1}, {1, 2, 1}},
    {"Thumb and A32 executable, stripped, Thumb entry",
     "armv7a-linux-gnueabihf", "-mthumb -O1 -fno-pic", "-marm -O1 -fno-pic",
     "-no-pie -Wl,-s", {1, 2, 1}, {2, 0, 1}, {1, 2, 1}},
    {"mipsel library -O2 ($gp kept in a saved register)", "mipsel-linux-gnu",
     "-O2 -fPIC", NULL, "-shared", {2, 1, 1}, {0}, {2, 1, 1}},
    {"mips library -O0", "mips-linux-gnu", "-O0 -fPIC", NULL, "-shared",
     {1, 3, 2}, {0}, {1, 3, 2}},
    {"mips library -O2, two objects", "mips-linux-gnu", "-O2 -fPIC",
     "-O2 -fPIC", "-shared", {2, 0, 1}, {1, 1, 1}, {3, 1, 2}},
    {"mipsel executable, non-PIC, PLT", "mipsel-linux-gnu",
     "-O1 -fno-pic -mno-abicalls", "-O1 -fno-pic -mno-abicalls", "-no-pie",
     {1, 2, 1}, {2, 0, 1}, {3, 2, 2}},
    {"mips executable, non-PIC, PLT", "mips-linux-gnu",
     "-O1 -fno-pic -mno-abicalls", "-O1 -fno-pic -mno-abicalls", "-no-pie",
     {1, 2, 1}, {2, 0, 1}, {3, 2, 2}},
};

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_cross(void **state) {
  char dir[] = "/tmp/fwvet-cs-XXXXXX", path[600], cmd[2000];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/stub.c", dir);
  write_file(path, "void *memcpy(void *d, const void *s, __SIZE_TYPE__ n) "
                   "{ return d; }\nchar *strcpy(char *d, const char *s) "
                   "{ return d; }\nint sprintf(char *b, const char *f, ...) "
                   "{ return 0; }\n");
  for (size_t i = 0; i < sizeof cross / sizeof *cross; i++) {
    int exe = strstr(cross[i].link, "-shared") == NULL;
    for (int o = 0; o < 2; o++) {
      const unsigned *n = o ? cross[i].n2 : cross[i].n1;
      if (o && !cross[i].cflags2)
        break;
      snprintf(path, sizeof path, "%s/o%d.c", dir, o);
      FILE *f = fopen(path, "w");
      assert_non_null(f);
      write_cross(f, n[0], n[1], n[2],
                  o ? "int lib_g" : exe ? "int _start" : "int lib_f",
                  o ? "k2" : "k");
      fclose(f);
      snprintf(cmd, sizeof cmd,
               "clang --target=%s -fno-builtin -w %s -c -o %s/o%d.o %s",
               cross[i].target, o ? cross[i].cflags2 : cross[i].cflags, dir,
               o, path);
      if (run(cmd))
        fail_msg("row %zu: cannot compile: %s", i, cmd);
    }
    snprintf(cmd, sizeof cmd,
             "cd %s && clang --target=%s -w -fPIC -shared -nostdlib "
             "-fuse-ld=lld -o libs.so stub.c && clang --target=%s -nostdlib "
             "-fuse-ld=lld %s %s -o out o0.o %s %s",
             dir, cross[i].target, cross[i].target, cross[i].link,
             exe ? "-Wl,-e,_start" : "",
             cross[i].cflags2 ? "o1.o" : "", exe ? "libs.so" : "");
    if (run(cmd))
      fail_msg("row %zu: cannot link (clang, lld): %s", i, cmd);
    snprintf(path, sizeof path, "%s/out", dir);
    size_t len;
    uint8_t *d = slurp(path, &len);
    seen_list l = {0};
    fwvet_status st = fwvet_callsites_count(d, len, collect, &l);
    if (st)
      fail_msg("row %zu (%s): %s", i, cross[i].what, fwvet_strerror(st));
    uint64_t got[3] = {seen_count(&l, "memcpy"), seen_count(&l, "strcpy"),
                       seen_count(&l, "sprintf")};
    const unsigned *w = cross[i].want;
    if (got[0] != w[0] || got[1] != w[1] || got[2] != w[2])
      fail_msg("row %zu (%s): memcpy/strcpy/sprintf %llu/%llu/%llu, "
               "want %u/%u/%u",
               i, cross[i].what, (unsigned long long)got[0],
               (unsigned long long)got[1], (unsigned long long)got[2], w[0],
               w[1], w[2]);
    /* every prefix and a byte changed at every offset: no overrun (ASan),
     * and a truncated file (lld writes the section headers last) is never
     * counted */
    uint8_t *c = malloc(len);
    assert_non_null(c);
    for (size_t n = 0; n < len; n++) {
      seen_list m = {0};
      memcpy(c, d, n);
      if (fwvet_callsites_count(c, n, collect, &m) == FWVET_OK)
        fail_msg("row %zu: counted when cut to %zu bytes", i, n);
      assert_int_equal(m.n, 0);
    }
    for (size_t k = 0; k < len; k++) {
      seen_list m = {0};
      memcpy(c, d, len);
      c[k] ^= (uint8_t)(0x5a + k);
      (void)fwvet_callsites_count(c, len, collect, &m);
    }
    free(c);
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

/* Real Debian binaries: one row per architecture. */
static const struct {
  const char *arch, *machine;
} real[] = {
    {"arm64", "aarch64"},
    {"armhf", "arm"},
    {"mipsel", "mips"},
};

static void test_real(void **state) {
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
  for (size_t r = 0; r < sizeof real / sizeof *real; r++) {
    char path[700];
    snprintf(path, sizeof path, "%s/%s/busybox/bin/busybox", dir,
             real[r].arch);
    size_t len;
    uint8_t *d = slurp(path, &len);
    fwvet_elf_facts facts;
    assert_int_equal(fwvet_elf_facts_read(d, len, &facts), FWVET_OK);
    assert_string_equal(facts.info->machine, real[r].machine);
    seen_list l = {0};
    assert_int_equal(fwvet_callsites_count(d, len, collect, &l), FWVET_OK);
    /* every counted function is imported */
    for (size_t i = 0; i < l.n; i++) {
      size_t k = 0;
      while (k < facts.info->nimports &&
             strcmp(facts.info->imports[k], l.s[i].name))
        k++;
      if (k == facts.info->nimports &&
          strcmp(l.s[i].name, "__gmon_start__")) /* weak, not a function */
        fail_msg("%s: %s counted but not imported", real[r].arch,
                 l.s[i].name);
    }
    /* most imports are called, and the common ones many times */
    if (l.n * 2 <= facts.info->nimports)
      fail_msg("%s: %zu of %zu imports called", real[r].arch, l.n,
               facts.info->nimports);
    static const char *const common[] = {"memcpy", "strcmp", "strlen",
                                         "strchr", "free"};
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
      if (seen_count(&l, common[i]) < 5)
        fail_msg("%s: %s: %llu calls", real[r].arch, common[i],
                 (unsigned long long)seen_count(&l, common[i]));
    fprintf(stderr, "%s busybox: %zu of %zu imports called; memcpy %llu, "
                    "strcmp %llu, strlen %llu\n",
            real[r].arch, l.n, facts.info->nimports,
            (unsigned long long)seen_count(&l, "memcpy"),
            (unsigned long long)seen_count(&l, "strcmp"),
            (unsigned long long)seen_count(&l, "strlen"));
    fwvet_elf_info_free(facts.info);
    fwvet_elf_facts_release(&facts);
    free(d);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compiled),
      cmocka_unit_test(test_cross),
      cmocka_unit_test(test_hostile),
      cmocka_unit_test(test_scan),
      cmocka_unit_test(test_real),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
