/* Core pieces: cursor bounds, path offsets, fingerprints, classification,
 * ELF extent, directory input, the extractor. */
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

#include "core/cursor.h"
#include "core/hash.h"
#include "fwvet/fwvet.h"
#include "unpack/elf.h"
#include "vfs/vfs_int.h"

static void test_fits(void **state) {
  static const struct {
    uint64_t off, size, len;
    int want;
  } rows[] = {
      {0, 0, 0, 1},          {0, 1, 0, 0},         {0, 10, 10, 1},
      {1, 10, 10, 0},        {10, 0, 10, 1},       {11, 0, 10, 0},
      {UINT64_MAX, 2, 10, 0}, {2, UINT64_MAX, 10, 0},
      {UINT64_MAX - 1, 1, UINT64_MAX, 1},
  };
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
    assert_int_equal(fwvet_fits(rows[i].off, rows[i].size, rows[i].len),
                     rows[i].want);
}

static void test_cursor(void **state) {
  const uint8_t b[] = {1, 2, 3, 4, 5};
  fwvet_cursor c;
  fwvet_cursor_init(&c, b, sizeof b, 0);
  assert_int_equal(fwvet_cursor_u16(&c), 0x0201);
  fwvet_cursor_init(&c, b, sizeof b, 1);
  assert_int_equal(fwvet_cursor_u32(&c), 0x01020304);
  assert_false(c.bad);
  assert_int_equal(fwvet_cursor_u16(&c), 0); /* only one byte left */
  assert_true(c.bad);
  assert_null(fwvet_cursor_take(&c, 2));
}

static void test_strip_offsets(void **state) {
  static const char *rows[][2] = {
      {"fw.bin/squashfs@0x4c0000/usr/bin/x", "fw.bin/squashfs/usr/bin/x"},
      {"a/gzip@0x10", "a/gzip"},
      {"a/b@0xzz/c", "a/b@0xzz/c"},
      {"mail@0x1f.txt", "mail@0x1f.txt"},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    char out[128];
    fwvet_path_strip_offsets(rows[i][0], out, sizeof out);
    assert_string_equal(out, rows[i][1]);
  }
}

static void test_fingerprint(void **state) {
  char a[33], b[33], c[33];
  fwvet_fingerprint("unpack.corrupt", "fw/squashfs@0x100/x", "e", a);
  fwvet_fingerprint("unpack.corrupt", "fw/squashfs@0x200/x", "e", b);
  fwvet_fingerprint("unpack.limit", "fw/squashfs@0x200/x", "e", c);
  assert_string_equal(a, b);
  assert_string_not_equal(a, c);
  assert_int_equal(strlen(a), 32);
}

static void test_classify(void **state) {
  static const struct {
    const char *bytes;
    size_t len;
    const char *type;
  } rows[] = {
      {"", 0, "empty"},
      {"\x7f" "ELF\x01\x01\x01", 7, "elf"},
      {"#!/bin/sh\necho hi\n", 18, "script"},
      {"hello world\n", 12, "text"},
      {"\x00\x01\x02\x03", 4, "data"},
      {"\x1f\x8b\x08\x00", 4, "gzip"},
      {"hsqs\0\0\0\0", 8, "squashfs"},
      {"-----BEGIN RSA PRIVATE KEY-----", 31, "pem"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
    assert_string_equal(
        fwvet_classify((const uint8_t *)rows[i].bytes, rows[i].len),
        rows[i].type);
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *p = malloc((size_t)n + 64);
  if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
    free(p);
    p = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return p;
}

static void test_elf_extent(void **state) {
  size_t len = 0;
  uint8_t *p = slurp("/bin/true", &len);
  assert_non_null(p);
  assert_int_equal(fwvet_elf_extent(p, len), len);
  memset(p + len, 0xAA, 64); /* appended data is outside the extent */
  assert_int_equal(fwvet_elf_extent(p, len + 64), len);
  assert_int_equal(fwvet_elf_extent(p, 40), 0); /* truncated header */
  p[4] = 9;                                     /* bad class */
  assert_int_equal(fwvet_elf_extent(p, len), 0);
  free(p);
}

static char tmpl_root[64];

static void mkfile(const char *rel, const char *content, mode_t mode) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", tmpl_root, rel);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  fputs(content, f);
  fclose(f);
  chmod(p, mode);
}

static void make_tree(void) {
  char p[256];
  snprintf(tmpl_root, sizeof tmpl_root, "/tmp/fwvet-core-XXXXXX");
  assert_non_null(mkdtemp(tmpl_root));
  snprintf(p, sizeof p, "%s/tree", tmpl_root);
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/tree/etc", tmpl_root);
  mkdir(p, 0755);
  mkfile("tree/etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
  mkfile("tree/suid", "x", 04755);
  char outside[256];
  snprintf(outside, sizeof outside, "%s/outside", tmpl_root);
  mkdir(outside, 0755);
  snprintf(p, sizeof p, "%s/tree/out", tmpl_root);
  assert_int_equal(symlink(outside, p), 0);
  snprintf(p, sizeof p, "%s/tree/self", tmpl_root);
  assert_int_equal(symlink("self", p), 0);
}

static void test_dir_input(void **state) {
  char p[256];
  make_tree();
  snprintf(p, sizeof p, "%s/tree", tmpl_root);
  fwvet_vfs *vfs = NULL;
  assert_int_equal(fwvet_vfs_open(p, NULL, &vfs), FWVET_OK);
  assert_int_equal(fwvet_vfs_count(vfs), 6);
  const fwvet_node *n = fwvet_vfs_find(vfs, "tree/etc/passwd");
  assert_non_null(n);
  assert_string_equal(fwvet_node_fspath(n), "/etc/passwd");
  assert_int_equal(fwvet_node_size(n), 26);
  assert_string_equal(fwvet_node_type(n), "text");
  assert_non_null(fwvet_node_sha256(n));
  n = fwvet_vfs_find(vfs, "tree/out");
  assert_non_null(n);
  assert_int_equal(fwvet_node_kind(n), FWVET_KIND_SYMLINK);
  assert_non_null(strstr(fwvet_node_link(n), "/outside"));
  assert_int_equal(fwvet_node_mode(fwvet_vfs_find(vfs, "tree/suid")), 04755);
  /* Root first, then path order with '/' before other bytes. */
  assert_string_equal(fwvet_node_path(fwvet_vfs_node(vfs, 0)), "tree");
  assert_string_equal(fwvet_node_path(fwvet_vfs_node(vfs, 1)), "tree/etc");
  fwvet_vfs_destroy(vfs);
}

static int count_entries(const char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "find '%s' | wc -l", dir);
  FILE *f = popen(cmd, "r");
  int n = -1;
  if (f) {
    if (fscanf(f, "%d", &n) != 1)
      n = -1;
    pclose(f);
  }
  return n;
}

static void test_extract_dir(void **state) {
  char src[256], dst[256], p[300];
  snprintf(src, sizeof src, "%s/tree", tmpl_root);
  snprintf(dst, sizeof dst, "%s/out", tmpl_root);
  snprintf(p, sizeof p, "%s/outside", tmpl_root);
  int before = count_entries(p);
  fwvet_extractor *ex = NULL;
  assert_int_equal(fwvet_extractor_create(dst, NULL, NULL, &ex), FWVET_OK);
  fwvet_open_options opt;
  fwvet_open_options_init(&opt);
  opt.visit = fwvet_extractor_visit;
  opt.visit_ud = ex;
  fwvet_vfs *vfs = NULL;
  assert_int_equal(fwvet_vfs_open(src, &opt, &vfs), FWVET_OK);
  fwvet_extract_stats s;
  fwvet_extractor_stats(ex, &s);
  assert_int_equal(s.symlinks, 0); /* made last, by finish */
  fwvet_extractor_finish(ex);
  fwvet_extractor_stats(ex, &s);
  assert_int_equal(s.files, 2);
  assert_int_equal(s.symlinks, 2);
  assert_int_equal(s.dirs, 1);
  struct stat st;
  snprintf(p, sizeof p, "%s/suid", dst);
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0755); /* setuid dropped */
  snprintf(p, sizeof p, "%s/out", dst);
  assert_int_equal(lstat(p, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  fwvet_vfs_destroy(vfs);

  /* A second run into the same place overwrites nothing. */
  vfs = NULL;
  fwvet_extractor_destroy(ex);
  assert_int_equal(fwvet_extractor_create(dst, NULL, NULL, &ex), FWVET_OK);
  opt.visit_ud = ex;
  assert_int_equal(fwvet_vfs_open(src, &opt, &vfs), FWVET_OK);
  fwvet_extractor_finish(ex);
  fwvet_extractor_stats(ex, &s);
  assert_int_equal(s.files, 0);
  assert_int_equal(s.refused, 4);
  fwvet_vfs_destroy(vfs);
  fwvet_extractor_destroy(ex);
  /* Nothing appeared through the "out -> outside" link. */
  snprintf(p, sizeof p, "%s/outside", tmpl_root);
  assert_int_equal(count_entries(p), before);
  snprintf(p, sizeof p, "rm -rf '%s'", tmpl_root);
  assert_int_equal(system(p), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fits),
      cmocka_unit_test(test_cursor),
      cmocka_unit_test(test_strip_offsets),
      cmocka_unit_test(test_fingerprint),
      cmocka_unit_test(test_classify),
      cmocka_unit_test(test_elf_extent),
      cmocka_unit_test(test_dir_input),
      cmocka_unit_test(test_extract_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
