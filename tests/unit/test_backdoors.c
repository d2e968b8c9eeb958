/*
 * The backdoors analyser (backdoor.known): one row per case, binary or
 * text, each scanned as a real file through fwvet_scan_run.
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

#define ROW(path, lit, want)                                                   \
  { path, lit, sizeof(lit) - 1, want }
#define BD "backdoor.known"

static const struct {
  const char *path;
  const char *content;
  size_t len;
  const char *want; /* "rule@line:offset,..." */
} rows[] = {
    /* signatures inside binaries: no line, the offset of the match */
    ROW("usr/sbin/httpd",
        "\x01\x02\0\0thttpd\0xmlset_roodkcableoj28840ybtide\0", BD "@0:0xb"),
    ROW("bin/httpd", "\x01\0MfgThread\0w302r_mfg\0", BD "@0:0xc"),
    ROW("bin/httpd2", "\x01\0rlink_mfg\0", BD "@0:0x2"),
    ROW("usr/sbin/telnetenabled", "\x01\0\0\0AMBIT_TELNET_ENABLE+\0",
        BD "@0:0x4"),
    ROW("screenos.bin", "\x02\x03<<< %s(un='%s') = %u\0", BD "@0:0x2"),
    ROW("bin/sshd", "\x01\0FGTAbc11*xy+Qqz27\0", BD "@0:0x2"),
    ROW("bin/zysh", "\x01\0zyfwp\0PrOw!aN_fXp\0", BD "@0:0x8"),
    /* two signatures in one file: two findings */
    ROW("bin/multi", "\x01\0w302r_mfg\0zyad5001\0", BD "@0:0x2," BD "@0:0xc"),
    /* in text the line is given too */
    ROW("etc/ua.conf",
        "# agents\nok=Mozilla\nua=xmlset_roodkcableoj28840ybtide\n",
        BD "@3:0x17"),
    ROW("etc/su.conf", "user=admin\nsu_password=zyad5001\n", BD "@2:0x17"),
    /* near misses */
    ROW("bin/near",
        "\x01\0xmlset_roodkcable\0w302r_mf\0AMBIT_TELNET_ENABLE\0"
        "<<< %s(un=\0FGTAbc11\0PrOw!aN\0zyad500\0",
        ""),
    ROW("etc/notes.txt", "the tenda w302r router and the zyxel pk5001z\n", ""),
};

static int copy_file(const char *src, const char *dst, const char *append) {
  FILE *in = fopen(src, "rb");
  if (!in)
    return 0;
  FILE *out = fopen(dst, "wb");
  assert_non_null(out);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    assert_int_equal(fwrite(buf, 1, n, out), n);
  if (append)
    fputs(append, out);
  fclose(in);
  fclose(out);
  return 1;
}

static void make_dirs(char *path) {
  for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
    *p = 0;
    mkdir(path, 0755);
    *p = '/';
  }
}

static void scan_bd(const char *root, char *got, size_t cap) {
  fwvet_scan *scan = NULL;
  assert_int_equal(fwvet_scan_run(root, NULL, &scan), FWVET_OK);
  size_t o = 0;
  got[0] = 0;
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *fd = fwvet_scan_finding(scan, i);
    if (strcmp(fd->rule, BD) != 0)
      continue;
    assert_non_null(fd->evidence);
    assert_non_null(strstr(fd->message, fd->evidence));
    assert_int_equal(fd->severity, FWVET_SEV_CRITICAL);
    if (o < cap)
      o += (size_t)snprintf(got + o, cap - o, "%s%s@%u:0x%llx", o ? "," : "",
                            fd->rule, fd->line, (unsigned long long)fd->offset);
  }
  fwvet_scan_destroy(scan);
}

static void test_rows(void **state) {
  int bad = 0;
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    char root[] = "/tmp/fwvet-bd-XXXXXX", path[512], got[512];
    assert_non_null(mkdtemp(root));
    snprintf(path, sizeof path, "%s/%s", root, rows[r].path);
    make_dirs(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(rows[r].content, 1, rows[r].len, f), rows[r].len);
    fclose(f);
    scan_bd(root, got, sizeof got);
    if (strcmp(got, rows[r].want) != 0) {
      print_error("row %zu (%s): got '%s', want '%s'\n", r, rows[r].path, got,
                  rows[r].want);
      bad++;
    }
    remove(path);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
  }
  assert_int_equal(bad, 0);
}

/* Real binaries of this machine give nothing; one with a signature
 * appended (still an ELF) gives it at the end of the original. */
static void test_real_binaries(void **state) {
  const char *bins[] = {"/bin/ls",
                        "/bin/sh",
                        "/usr/bin/ssh",
                        "/bin/bash",
                        "/usr/sbin/sshd",
                        "/lib/x86_64-linux-gnu/libc.so.6",
                        "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
                        NULL};
  char root[] = "/tmp/fwvet-bd-XXXXXX", dst[512], got[512];
  assert_non_null(mkdtemp(root));
  int n = 0;
  for (size_t i = 0; bins[i]; i++) {
    snprintf(dst, sizeof dst, "%s/clean%zu", root, i);
    n += copy_file(bins[i], dst, NULL);
  }
  assert_true(n >= 2);
  scan_bd(root, got, sizeof got);
  assert_string_equal(got, "");

  struct stat st;
  assert_int_equal(stat("/bin/ls", &st), 0);
  snprintf(dst, sizeof dst, "%s/telnetenabled", root);
  assert_true(copy_file("/bin/ls", dst, "AMBIT_TELNET_ENABLE+"));
  scan_bd(root, got, sizeof got);
  char want[64];
  snprintf(want, sizeof want, BD "@0:0x%llx", (unsigned long long)st.st_size);
  assert_string_equal(got, want);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_real_binaries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
