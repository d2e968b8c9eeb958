/*
 * Helpers for the credential and key analyser tests: a temporary
 * directory, files written into it, a scan, and the findings of a family
 * of rules as "rule@line,..." in report order.
 */
#ifndef FWVET_TEST_CREDS_FIXTURE_H
#define FWVET_TEST_CREDS_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwvet/fwvet.h"

typedef struct tdir {
  char path[64];
} tdir;

static inline void tdir_init(tdir *t) {
  snprintf(t->path, sizeof t->path, "/tmp/fwvet-creds-XXXXXX");
  assert_non_null(mkdtemp(t->path));
}

static inline void tdir_path(const tdir *t, const char *name, char *out,
                             size_t size) {
  snprintf(out, size, "%s/%s", t->path, name);
}

static inline void tdir_write(const tdir *t, const char *name, const void *data,
                              size_t len) {
  char p[256];
  tdir_path(t, name, p, sizeof p);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
}

/* Reads a whole file (tests only: small files); the caller frees it. */
static inline char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n + 4096 + 1 > cap) {
      cap = (cap ? cap * 2 : 8192);
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    size_t r = fread(buf + n, 1, 4096, f);
    n += r;
    if (r == 0)
      break;
  }
  fclose(f);
  buf[n] = '\0';
  if (len)
    *len = n;
  return buf;
}

static inline void tdir_release(tdir *t) {
  DIR *d = opendir(t->path);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' &&
        (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
      continue;
    char p[512];
    snprintf(p, sizeof p, "%s/%s", t->path, e->d_name);
    remove(p);
  }
  closedir(d);
  rmdir(t->path);
}

/* Runs a shell command (test fixtures only); fails the test on error. */
static inline void sh(const char *cmd) {
  if (system(cmd) != 0)
    fail_msg("command failed: %s", cmd);
}

/*
 * Scans the directory and writes the findings whose rule starts with one
 * of `prefixes` (NULL-terminated) as "rule@line,..." into got.  If
 * `evidence` is not NULL, the evidence strings are appended there,
 * separated by '|'.
 */
static inline void scan_rules(const tdir *t, const char *const *prefixes,
                              char *got, size_t size, char *evidence,
                              size_t esize) {
  fwvet_scan *scan = NULL;
  assert_int_equal(fwvet_scan_run(t->path, NULL, &scan), FWVET_OK);
  size_t o = 0, eo = 0;
  got[0] = '\0';
  if (evidence)
    evidence[0] = '\0';
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *fd = fwvet_scan_finding(scan, i);
    int keep = 0;
    for (size_t p = 0; prefixes[p]; p++)
      keep |= !strncmp(fd->rule, prefixes[p], strlen(prefixes[p]));
    if (!keep)
      continue;
    assert_non_null(fd->evidence);
    assert_int_equal(strlen(fd->fingerprint), 32);
    if (o < size)
      o += (size_t)snprintf(got + o, size - o, "%s%s@%u", o ? "," : "",
                            fd->rule, fd->line);
    if (evidence && eo < esize)
      eo += (size_t)snprintf(evidence + eo, esize - eo, "%s%s", eo ? "|" : "",
                             fd->evidence);
  }
  fwvet_scan_destroy(scan);
}

static const char *const credential_rules[] = {"credential.", "crypto.", NULL};

#endif
