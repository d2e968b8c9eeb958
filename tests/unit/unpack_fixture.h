/*
 * Helpers for reader tests: a scratch directory where the real tools
 * (mkimage, tar, cpio, zip, 7z, genisoimage, ar, python3) build inputs at
 * test time, and lookups over the unpacked tree.  Header-only; include
 * once per test program after <cmocka.h>.
 */
#ifndef FWVET_TEST_UNPACK_FIXTURE_H
#define FWVET_TEST_UNPACK_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hash.h"
#include "fwvet/vfs.h"
#include "unpack/driver.h"

#define FX_FN static __attribute__((unused))

static char fx_dir[256];

/* Creates the scratch directory (once per program). */
FX_FN void fx_setup_dir(void) {
  if (fx_dir[0])
    return;
  const char *t = getenv("TMPDIR");
  snprintf(fx_dir, sizeof fx_dir, "%s/fwvet-test-XXXXXX", t ? t : "/tmp");
  if (!mkdtemp(fx_dir)) {
    fprintf(stderr, "mkdtemp failed\n");
    exit(1);
  }
}

FX_FN void fx_remove_dir(void) {
  char cmd[512];
  if (!fx_dir[0])
    return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", fx_dir);
  fx_dir[0] = '\0';
}

/* Runs a shell command inside the scratch directory; returns its exit
 * status.  Output goes to stderr only when it fails. */
FX_FN int fx_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
FX_FN int fx_sh(const char *fmt, ...) {
  char body[8192], cmd[9000];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof body, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd,
           "cd '%s' && { %s ; } >fx.log 2>&1 || { rc=$?; cat fx.log >&2; "
           "exit $rc; }",
           fx_dir, body);
  int rc = system(cmd);
  if (rc != 0)
    fprintf(stderr, "command failed (%d): %s\n", rc, body);
  return rc;
}

/* Reads a file of the scratch directory; NULL when missing. */
FX_FN uint8_t *fx_read(const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", fx_dir, name);
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = n > 0 ? (size_t)n : 0;
  return buf;
}

FX_FN int fx_write(const char *name, const void *data, size_t len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", fx_dir, name);
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  size_t w = fwrite(data, 1, len, f);
  return fclose(f) == 0 && w == len ? 0 : -1;
}

/* sha256 (hex) of a scratch file. */
FX_FN void fx_sha_file(const char *name, char out[65]) {
  size_t len;
  uint8_t *d = fx_read(name, &len);
  assert_non_null(d);
  fwvet_sha256_hex(d, len, out);
  free(d);
}

/* Unpacks `data` as the image "img" with `opt` (NULL: small defaults). */
FX_FN fwvet_vfs *fx_open(const uint8_t *data, size_t len,
                         const fwvet_open_options *opt) {
  fwvet_open_options o;
  if (!opt) {
    fwvet_open_options_init(&o);
    o.jobs = 2;
    opt = &o;
  }
  fwvet_vfs *vfs = NULL;
  assert_int_equal(fwvet_vfs_open_memory("img", data, len, opt, &vfs),
                   FWVET_OK);
  assert_non_null(vfs);
  return vfs;
}

FX_FN fwvet_vfs *fx_open_file(const char *name, const fwvet_open_options *opt) {
  size_t len;
  uint8_t *d = fx_read(name, &len);
  assert_non_null(d);
  fwvet_vfs *vfs = fx_open(d, len, opt);
  free(d);
  return vfs;
}

FX_FN void fx_dump(const fwvet_vfs *vfs) {
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    fprintf(stderr, "  %-9s %8llu %04o f=%x %s%s%s\n",
            fwvet_kind_name(fwvet_node_kind(n)),
            (unsigned long long)fwvet_node_size(n), fwvet_node_mode(n),
            fwvet_node_flags(n), fwvet_node_path(n),
            fwvet_node_link(n) ? " -> " : "",
            fwvet_node_link(n) ? fwvet_node_link(n) : "");
  }
  for (size_t i = 0; i < fwvet_vfs_finding_count(vfs); i++) {
    const fwvet_finding *f = fwvet_vfs_finding(vfs, i);
    fprintf(stderr, "  finding %s [%s] %s\n", f->rule,
            f->evidence ? f->evidence : "", f->message);
  }
}

/* The node at `path`; fails the test (after a dump) when absent. */
FX_FN const fwvet_node *fx_node(const fwvet_vfs *vfs, const char *path) {
  const fwvet_node *n = fwvet_vfs_find(vfs, path);
  if (!n) {
    fprintf(stderr, "no node '%s' in:\n", path);
    fx_dump(vfs);
  }
  assert_non_null(n);
  return n;
}

/* The first node whose fspath is `fspath`, or NULL. */
FX_FN const fwvet_node *fx_by_fspath(const fwvet_vfs *vfs, const char *fspath) {
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    if (strcmp(fwvet_node_fspath(n), fspath) == 0)
      return n;
  }
  return NULL;
}

/* How many findings have `rule` and a message containing `text` (and,
 * when `evidence` is not NULL, that evidence). */
FX_FN size_t fx_findings(const fwvet_vfs *vfs, const char *rule,
                         const char *evidence, const char *text) {
  size_t count = 0;
  for (size_t i = 0; i < fwvet_vfs_finding_count(vfs); i++) {
    const fwvet_finding *f = fwvet_vfs_finding(vfs, i);
    if (strcmp(f->rule, rule) != 0)
      continue;
    if (evidence && (!f->evidence || strcmp(f->evidence, evidence) != 0))
      continue;
    if (text && !strstr(f->message, text))
      continue;
    count++;
  }
  return count;
}

FX_FN void fx_expect_finding(const fwvet_vfs *vfs, const char *rule,
                             const char *evidence, const char *text) {
  if (fx_findings(vfs, rule, evidence, text) == 0) {
    fprintf(stderr, "no finding %s [%s] '%s' in:\n", rule,
            evidence ? evidence : "", text ? text : "");
    fx_dump(vfs);
    fail();
  }
}

FX_FN void fx_expect_no_finding(const fwvet_vfs *vfs, const char *rule) {
  if (fx_findings(vfs, rule, NULL, NULL) != 0) {
    fprintf(stderr, "unexpected finding %s in:\n", rule);
    fx_dump(vfs);
    fail();
  }
}

#endif
