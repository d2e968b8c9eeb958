/*
 * The binary hardening analyser: small programs compiled at test time
 * with the host cc and flags that flip one property each, scanned as real
 * files; then real foreign-architecture binaries from Debian's archive
 * (tests/fixtures/elf-foreign.sh; skipped when the archive is not
 * reachable).
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

#include "fwvet/fwvet.h"

#define SOURCE_DIR_OF_TEST __FILE__ /* .../tests/unit/test_elf_hardening.c */

static const char prog_src[] =
    "#include <stdio.h>\n#include <string.h>\n"
    "int main(int argc, char **argv) {\n"
    "  char b[64];\n"
    "  strcpy(b, argc > 1 ? argv[1] : \"x\");\n"
    "  memcpy(b + 8, argv[0], strlen(argv[0]) % 32);\n"
    "  printf(\"%s %d\\n\", b, argc);\n  return 0;\n}\n";

static const char lib_src[] =
    "#include <string.h>\n"
    "int f(char *d, const char *s) { char b[32]; strcpy(b, s);\n"
    "  return (int)strlen(b) + (d[0] = b[0]); }\n";

enum { PATCH_NONE, PATCH_NO_GNU_STACK, PATCH_NO_SECTIONS, PATCH_TRUNCATE,
       PATCH_GARBAGE };

static const struct {
  const char *src;
  const char *flags;
  int patch;
  const char *facts; /* "key=value ..." checked against files[].elf */
  const char *rules; /* "rule:severity,..." sorted, "" for none */
} rows[] = {
    {prog_src, "-fstack-protector-all -fPIE -pie -Wl,-z,relro,-z,now",
     PATCH_NONE,
     "type=dyn static=0 pie=1 relro=full canary=1 nx=1 gnu_stack=1 "
     "stripped=0 rpath= runpath= import=printf",
     ""},
    {prog_src, "-fno-stack-protector -fno-PIE -no-pie -Wl,-z,norelro",
     PATCH_NONE, "type=exec pie=0 relro=none canary=0 static=0",
     "hardening.no-canary:low,hardening.no-pie:low,hardening.no-relro:low"},
    {prog_src, "-fstack-protector-all -fPIE -pie -Wl,-z,relro,-z,lazy",
     PATCH_NONE, "pie=1 relro=partial", ""},
    {prog_src, "-fstack-protector-all -Wl,-z,relro,-z,now -z execstack",
     PATCH_NONE, "nx=0 gnu_stack=1", "hardening.execstack:medium"},
    {prog_src, "-fstack-protector-all -Wl,-z,now", PATCH_NO_GNU_STACK,
     "nx=0 gnu_stack=0", "hardening.execstack:medium"},
    {prog_src,
     "-fstack-protector-all -Wl,-z,now -Wl,--disable-new-dtags "
     "-Wl,-rpath,/tmp/lib",
     PATCH_NONE, "rpath=/tmp/lib runpath=", "hardening.rpath:medium"},
    {prog_src,
     "-fstack-protector-all -Wl,-z,now -Wl,--enable-new-dtags "
     "-Wl,-rpath,/opt/vendor/lib",
     PATCH_NONE, "runpath=/opt/vendor/lib rpath=", "hardening.rpath:low"},
    {prog_src,
     "-fstack-protector-all -Wl,-z,now -Wl,--enable-new-dtags "
     "-Wl,-rpath,'lib:$ORIGIN/../lib'",
     PATCH_NONE, "runpath=lib:$ORIGIN/../lib", "hardening.rpath:medium"},
    {prog_src,
     "-fstack-protector-all -Wl,-z,now -Wl,--enable-new-dtags "
     "-Wl,-rpath,'$ORIGIN/../lib'",
     PATCH_NONE, "runpath=$ORIGIN/../lib", "hardening.rpath:low"},
    {prog_src, "-static -fstack-protector-all", PATCH_NONE,
     "static=1 type=exec pie=0 imports=0", ""},
    {prog_src, "-fstack-protector-all -Wl,-z,now -s", PATCH_NONE,
     "stripped=1 canary=1", ""},
    {prog_src, "-fstack-protector-all -Wl,-z,now -O2 -D_FORTIFY_SOURCE=2",
     PATCH_NONE, "fortified>0 import=__printf_chk", ""},
    {prog_src, "-fstack-protector-all -Wl,-z,now -O0 -U_FORTIFY_SOURCE",
     PATCH_NONE, "fortified=0 fortifiable>0 import=strcpy", ""},
    /* sstripped: no section headers, the dynamic symbols come from the
     * dynamic array. */
    {prog_src, "-fstack-protector-all -Wl,-z,now", PATCH_NO_SECTIONS,
     "stripped=1 canary=1 import=printf", ""},
    {prog_src, "-fno-stack-protector -Wl,-z,now", PATCH_NO_SECTIONS,
     "canary=0 import=printf", "hardening.no-canary:low"},
    /* A shared library is not a PIE and is not asked to be one. */
    {lib_src, "-shared -fPIC -fno-stack-protector -Wl,-z,relro,-z,now",
     PATCH_NONE, "type=dyn pie=0 canary=0 import=strcpy",
     "hardening.no-canary:low"},
    {lib_src, "-shared -fPIC -fstack-protector-all -Wl,-z,norelro",
     PATCH_NONE, "type=dyn pie=0 canary=1", "hardening.no-relro:low"},
    /* Objects and kernel modules: facts only. */
    {prog_src, "-c -fno-stack-protector -z execstack", PATCH_NONE,
     "type=rel import=printf", ""},
    /* Hostile: cut short, or garbage after the magic; no crash. */
    {prog_src, "-fstack-protector-all", PATCH_TRUNCATE, "", ""},
    {prog_src, "-fstack-protector-all", PATCH_GARBAGE, "", ""},
};

static int run(const char *cmd) {
  int r = system(cmd);
  return r == 0 ? 0 : -1;
}

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fputs(text, f);
  return fclose(f);
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *d = malloc(n > 0 ? (size_t)n : 1);
  if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
    free(d);
    d = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return d;
}

static int spew(const char *path, const uint8_t *d, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  fwrite(d, 1, len, f);
  return fclose(f);
}

/* The host is x86-64 or another little-endian 64-bit ELF target. */
static uint64_t rd(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

static void wr(uint8_t *p, int n, uint64_t v) {
  for (int i = 0; i < n; i++, v >>= 8)
    p[i] = (uint8_t)v;
}

static void patch(const char *path, int how) {
  size_t len = 0;
  uint8_t *d = slurp(path, &len);
  assert_non_null(d);
  assert_true(len > 64 && d[4] == 2 && d[5] == 1);
  if (how == PATCH_NO_GNU_STACK) {
    uint64_t phoff = rd(d + 32, 8), phent = rd(d + 54, 2),
             phnum = rd(d + 56, 2);
    for (uint64_t i = 0; i < phnum; i++)
      if (rd(d + phoff + i * phent, 4) == 0x6474e551)
        wr(d + phoff + i * phent, 4, 0); /* PT_NULL */
  } else if (how == PATCH_NO_SECTIONS) {
    wr(d + 40, 8, 0); /* e_shoff */
    wr(d + 60, 2, 0); /* e_shnum */
    wr(d + 62, 2, 0); /* e_shstrndx */
  } else if (how == PATCH_TRUNCATE) {
    len = 300;
  } else if (how == PATCH_GARBAGE) {
    for (size_t i = 16; i < len; i++)
      d[i] = (uint8_t)(i * 131 + 7);
  }
  assert_int_equal(spew(path, d, len), 0);
  free(d);
}

static int has_import(const fwvet_elf_info *e, const char *name) {
  for (size_t i = 0; i < e->nimports; i++)
    if (!strcmp(e->imports[i], name))
      return 1;
  return 0;
}

/* The value of `key` in `e`, as the table writes it. */
static void fact(const fwvet_elf_info *e, const char *key, char *v,
                 size_t n) {
  if (!strcmp(key, "type"))
    snprintf(v, n, "%s", e->elf_type);
  else if (!strcmp(key, "machine"))
    snprintf(v, n, "%s", e->machine);
  else if (!strcmp(key, "bits"))
    snprintf(v, n, "%u", e->bits);
  else if (!strcmp(key, "endian"))
    snprintf(v, n, "%s", e->big_endian ? "big" : "little");
  else if (!strcmp(key, "static"))
    snprintf(v, n, "%d", e->is_static);
  else if (!strcmp(key, "stripped"))
    snprintf(v, n, "%d", e->stripped);
  else if (!strcmp(key, "gnu_stack"))
    snprintf(v, n, "%d", e->has_gnu_stack);
  else if (!strcmp(key, "nx"))
    snprintf(v, n, "%d", e->nx);
  else if (!strcmp(key, "pie"))
    snprintf(v, n, "%d", e->pie);
  else if (!strcmp(key, "canary"))
    snprintf(v, n, "%d", e->canary);
  else if (!strcmp(key, "relro"))
    snprintf(v, n, "%s", fwvet_relro_name(e->relro));
  else if (!strcmp(key, "fortified"))
    snprintf(v, n, "%u", e->fortified);
  else if (!strcmp(key, "fortifiable"))
    snprintf(v, n, "%u", e->fortifiable);
  else if (!strcmp(key, "imports"))
    snprintf(v, n, "%zu", e->nimports);
  else if (!strcmp(key, "rpath"))
    snprintf(v, n, "%s", e->rpath ? e->rpath : "");
  else if (!strcmp(key, "runpath"))
    snprintf(v, n, "%s", e->runpath ? e->runpath : "");
  else if (!strcmp(key, "import"))
    snprintf(v, n, "?");
  else
    fail_msg("unknown fact '%s'", key);
}

/* Checks "key=value", "key>0" and "import=name" items of `want`. */
static void check_facts(const char *what, const fwvet_elf_info *e,
                        const char *want) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", want);
  for (char *save, *t = strtok_r(buf, " ", &save); t;
       t = strtok_r(NULL, " ", &save)) {
    char *op = strpbrk(t, "=>"), v[256];
    assert_non_null(op);
    char c = *op;
    *op = '\0';
    if (!strcmp(t, "import")) {
      if (!has_import(e, op + 1))
        fail_msg("%s: import '%s' missing", what, op + 1);
      continue;
    }
    fact(e, t, v, sizeof v);
    if (c == '>' ? strtoul(v, NULL, 10) <= strtoul(op + 1, NULL, 10)
                 : strcmp(v, op + 1) != 0)
      fail_msg("%s: %s is '%s', want %c'%s'", what, t, v, c, op + 1);
  }
}

static const fwvet_node *find(const fwvet_scan *scan, const char *fspath) {
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++)
    if (!strcmp(fwvet_node_fspath(fwvet_vfs_node(vfs, i)), fspath))
      return fwvet_vfs_node(vfs, i);
  return NULL;
}

/* "rule:severity,..." of the hardening findings about `fspath`. */
static void rules_of(const fwvet_scan *scan, const char *fspath, char *got,
                     size_t n) {
  static const char *const sev[] = {"info", "low", "medium", "high",
                                    "critical"};
  size_t o = 0;
  got[0] = '\0';
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *f = fwvet_scan_finding(scan, i);
    if (strncmp(f->rule, "hardening.", 10) || strcmp(f->fspath, fspath))
      continue;
    assert_non_null(f->evidence);
    assert_null(strstr(f->evidence, "0x")); /* no offsets */
    o += (size_t)snprintf(got + o, n - o, "%s%s:%s", o ? "," : "", f->rule,
                          (unsigned)f->severity < 5 ? sev[f->severity] : "?");
  }
}

static void test_compiled(void **state) {
  if (run("cc --version >/dev/null 2>&1") != 0)
    skip();
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    char dir[] = "/tmp/fwvet-elfh-XXXXXX", src[128], bin[128], cmd[1024];
    assert_non_null(mkdtemp(dir));
    snprintf(src, sizeof src, "%s/src.c", dir);
    snprintf(bin, sizeof bin, "%s/prog", dir);
    assert_int_equal(write_file(src, rows[r].src), 0);
    snprintf(cmd, sizeof cmd, "cd %s && cc -w %s -o prog src.c", dir,
             rows[r].flags);
    if (run(cmd) != 0)
      fail_msg("row %zu: cannot build with '%s'", r, rows[r].flags);
    remove(src);
    if (rows[r].patch)
      patch(bin, rows[r].patch);

    fwvet_scan *scan = NULL;
    assert_int_equal(fwvet_scan_run(dir, NULL, &scan), FWVET_OK);
    const fwvet_node *node = find(scan, "/prog");
    assert_non_null(node);
    const fwvet_elf_info *e = fwvet_scan_elf(scan, node);
    char what[160], got[512];
    snprintf(what, sizeof what, "row %zu (%s)", r, rows[r].flags);
    if (rows[r].patch == PATCH_GARBAGE || rows[r].patch == PATCH_TRUNCATE) {
      /* Whatever libelf salvages, nothing about hardening is claimed. */
    } else {
      if (!e)
        fail_msg("%s: no elf record", what);
      assert_string_equal(e->machine, "x86-64");
      assert_int_equal(e->bits, 64);
      assert_false(e->big_endian);
      check_facts(what, e, rows[r].facts);
    }
    rules_of(scan, "/prog", got, sizeof got);
    if (strcmp(got, rows[r].rules) != 0)
      fail_msg("%s: got '%s', want '%s'", what, got, rows[r].rules);
    fwvet_scan_destroy(scan);
    remove(bin);
    rmdir(dir);
  }
}

/*
 * FORTIFY judged against the image's own C library: a program importing
 * five functions of glibc's fortify table, in a tree with a C library
 * built here that exports only some __*_chk functions.
 */
static const char fortify_src[] =
    "#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\n"
    "int main(int c, char **v) { char b[64]; strcpy(b, v[0]);\n"
    "  memcpy(b, v[0], 2); sprintf(b, \"%d\", c); printf(\"%s\", b);\n"
    "  return (int)read(0, b, 1); }\n";

static const struct {
  const char *what;
  const char *libc;    /* its path in the tree, NULL for none */
  const char *soname;  /* NULL: no DT_SONAME */
  const char *exports; /* X of the __X_chk it exports */
  const char *hidden;  /* X of __X_chk defined but not exported */
  const char *other;   /* a libc.so.6 in a tar in the tree exporting
                          these, NULL for none */
  unsigned want;
} own_libc[] = {
    {"no C library in the image: glibc's table", NULL, NULL, "", "", NULL,
     5},
    {"libc.so.6 exporting two", "/lib/libc.so.6", "libc.so.6",
     "memcpy sprintf", "", NULL, 2},
    {"libc.so.6 exporting none, like uClibc or musl", "/lib/libc.so.6",
     "libc.so.6", "", "", NULL, 0},
    {"libc.so.6 exporting the five and more", "/lib/libc.so.6", "libc.so.6",
     "memcpy strcpy sprintf printf read gets wcscpy", "", NULL, 5},
    {"hidden __*_chk are not exports", "/lib/libc.so.6", "libc.so.6",
     "sprintf", "memcpy strcpy", NULL, 1},
    {"a C library known by its file name only", "/lib/libuClibc-1.0.so",
     NULL, "memcpy", "", NULL, 1},
    {"another soname is not the program's C library", "/lib/libc.so.0",
     "libc.so.0", "", "", NULL, 5},
    {"the program's own filesystem first", "/lib/libc.so.6", "libc.so.6",
     "memcpy", "", "memcpy strcpy sprintf", 1},
    {"else another filesystem's", NULL, NULL, "", "", "memcpy strcpy", 2},
};

/* A shared library defining __X_chk for each X of the lists. */
static void write_libc(const char *path, const char *exports,
                       const char *hidden) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  const char *lists[2] = {exports, hidden};
  for (int h = 0; h < 2; h++) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", lists[h]);
    for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
      fprintf(f, "%svoid __%s_chk(void) {}\n",
              h ? "__attribute__((visibility(\"hidden\"))) " : "", t);
  }
  fputs("int fwvet_test_libc;\n", f);
  fclose(f);
}

static void test_own_libc(void **state) {
  if (run("cc --version >/dev/null 2>&1") != 0)
    skip();
  for (size_t r = 0; r < sizeof own_libc / sizeof *own_libc; r++) {
    char dir[] = "/tmp/fwvet-fort-XXXXXX", path[256], cmd[1024];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/prog.c", dir);
    assert_int_equal(write_file(path, fortify_src), 0);
    snprintf(cmd, sizeof cmd,
             "cd %s && mkdir -p root/bin root/lib other/lib && cc -w -O0 "
             "-fno-builtin -U_FORTIFY_SOURCE -o root/bin/prog prog.c",
             dir);
    assert_int_equal(run(cmd), 0);
    if (own_libc[r].libc) {
      snprintf(path, sizeof path, "%s/libc.c", dir);
      write_libc(path, own_libc[r].exports, own_libc[r].hidden);
      snprintf(cmd, sizeof cmd, "cd %s && cc -w -shared -fPIC %s%s -o root%s "
               "libc.c", dir, own_libc[r].soname ? "-Wl,-soname," : "",
               own_libc[r].soname ? own_libc[r].soname : "",
               own_libc[r].libc);
      assert_int_equal(run(cmd), 0);
    }
    if (own_libc[r].other) {
      snprintf(path, sizeof path, "%s/other.c", dir);
      write_libc(path, own_libc[r].other, "");
      snprintf(cmd, sizeof cmd, "cd %s && cc -w -shared -fPIC "
               "-Wl,-soname,libc.so.6 -o other/lib/libc.so.6 other.c && "
               "tar -C other -cf root/other.tar lib", dir);
      assert_int_equal(run(cmd), 0);
    }
    snprintf(path, sizeof path, "%s/root", dir);
    fwvet_scan *scan = NULL;
    assert_int_equal(fwvet_scan_run(path, NULL, &scan), FWVET_OK);
    const fwvet_node *node = find(scan, "/bin/prog");
    assert_non_null(node);
    const fwvet_elf_info *e = fwvet_scan_elf(scan, node);
    assert_non_null(e);
    if (e->fortifiable != own_libc[r].want || e->fortified != 0)
      fail_msg("row %zu (%s): fortifiable %u fortified %u, want %u 0", r,
               own_libc[r].what, e->fortifiable, e->fortified,
               own_libc[r].want);
    fwvet_scan_destroy(scan);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(run(cmd), 0);
  }
}

/* Two builds of one program at different addresses keep fingerprints. */
static void test_fingerprint(void **state) {
  char fp[2][40];
  const char *extra[2] = {"", "-Wl,--section-start=.text=0x500000"};
  for (int k = 0; k < 2; k++) {
    char dir[] = "/tmp/fwvet-elfh-XXXXXX", cmd[512], src[128];
    assert_non_null(mkdtemp(dir));
    snprintf(src, sizeof src, "%s/src.c", dir);
    assert_int_equal(write_file(src, prog_src), 0);
    snprintf(cmd, sizeof cmd,
             "cd %s && cc -w -fno-PIE -no-pie -fstack-protector-all "
             "-Wl,-z,now %s -o prog src.c && rm src.c",
             dir, extra[k]);
    assert_int_equal(run(cmd), 0);
    fwvet_scan *scan;
    assert_int_equal(fwvet_scan_run(dir, NULL, &scan), FWVET_OK);
    fp[k][0] = '\0';
    for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++)
      if (!strcmp(fwvet_scan_finding(scan, i)->rule, "hardening.no-pie"))
        snprintf(fp[k], sizeof fp[k], "%s",
                 fwvet_scan_finding(scan, i)->fingerprint);
    fwvet_scan_destroy(scan);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(run(cmd), 0);
  }
  assert_int_equal(strlen(fp[0]), 32);
  assert_string_equal(fp[0], fp[1]);
}

static const struct {
  const char *fspath; /* under the fixtures directory */
  const char *facts;
} foreign[] = {
    {"/armhf/busybox/bin/busybox",
     "machine=arm bits=32 endian=little type=dyn pie=1 static=0 nx=1 "
     "canary=1 import=__stack_chk_fail"},
    {"/armhf/busybox-static/bin/busybox",
     "machine=arm bits=32 endian=little static=1 imports=0"},
    {"/arm64/busybox/bin/busybox",
     "machine=aarch64 bits=64 endian=little type=dyn pie=1 static=0 nx=1"},
    {"/arm64/busybox-static/bin/busybox",
     "machine=aarch64 bits=64 endian=little static=1"},
    {"/mipsel/busybox/bin/busybox",
     "machine=mips bits=32 endian=little static=0 import=strcpy"},
    {"/mipsel/busybox-static/bin/busybox",
     "machine=mips bits=32 endian=little static=1"},
    {"/s390x/busybox/bin/busybox",
     "machine=s390x bits=64 endian=big type=dyn pie=1 static=0 "
     "import=memcpy"},
    {"/i386/busybox/bin/busybox",
     "machine=x86 bits=32 endian=little type=dyn pie=1 static=0"},
};

static void test_foreign(void **state) {
  char dir[512], cmd[1200];
  const char *env = getenv("FWVET_ELF_FIXTURES");
  snprintf(dir, sizeof dir, "%s", env ? env : "/tmp/fwvet-elf-foreign");
  /* tests/unit/test_elf_hardening.c -> tests/fixtures/elf-foreign.sh */
  char script[512];
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
  fwvet_scan *scan = NULL;
  assert_int_equal(fwvet_scan_run(dir, NULL, &scan), FWVET_OK);
  for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
    const fwvet_node *node = find(scan, foreign[i].fspath);
    if (!node)
      fail_msg("%s: not found", foreign[i].fspath);
    const fwvet_elf_info *e = fwvet_scan_elf(scan, node);
    if (!e)
      fail_msg("%s: no elf record", foreign[i].fspath);
    check_facts(foreign[i].fspath, e, foreign[i].facts);
  }
  fwvet_scan_destroy(scan);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compiled),
      cmocka_unit_test(test_fingerprint),
      cmocka_unit_test(test_own_libc),
      cmocka_unit_test(test_foreign),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
