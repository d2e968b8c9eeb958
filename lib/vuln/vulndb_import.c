/*
 * Importing a file into the vulnerability database: reading it,
 * un-gzipping it, walking a zip archive of OSV records, all inside one
 * transaction per file.  vuln_json.c finds the records in the JSON and
 * hands them one by one to nvd.c and osv.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "vuln/vuln_int.h"

#define MAX_ZIP_ENTRIES 10000000

fwvet_status vuln_fail(vuln_ctx *c, fwvet_status st, const char *fmt,
                       ...) {
  va_list ap;
  int n = snprintf(c->im->err, c->im->errcap, "%s: ", c->name);
  if (n >= 0 && (size_t)n < c->im->errcap) {
    va_start(ap, fmt);
    vsnprintf(c->im->err + n, c->im->errcap - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return st;
}

/* Decodes gzip data (any number of members) into *out, within budget. */
static fwvet_status gunzip(vuln_ctx *c, const uint8_t *d, size_t len,
                           uint8_t **out, size_t *outlen) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    return vuln_fail(c, FWVET_ENOMEM, "%s", fwvet_strerror(FWVET_ENOMEM));
  fwvet_status st = FWVET_OK;
  size_t cap = len < ((size_t)1 << 20) ? (size_t)1 << 20 : len * 4;
  size_t n = 0;
  uint8_t *buf = NULL;
  z.next_in = (Bytef *)d;
  z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
  for (;;) {
    if (!buf || n == cap) {
      if (n >= c->budget) {
        st = vuln_fail(c, FWVET_ELIMIT, "gzip data decodes to more than "
                       "%llu bytes", (unsigned long long)c->budget);
        goto out;
      }
      size_t ncap = buf ? cap * 2 : cap;
      if (ncap > c->budget)
        ncap = (size_t)c->budget;
      uint8_t *nb = realloc(buf, ncap);
      if (!nb) {
        st = vuln_fail(c, FWVET_ENOMEM, "%s",
                       fwvet_strerror(FWVET_ENOMEM));
        goto out;
      }
      buf = nb;
      cap = ncap;
    }
    z.next_out = buf + n;
    z.avail_out = (uInt)(cap - n > UINT32_MAX ? UINT32_MAX : cap - n);
    uInt before = z.avail_out;
    int rc = inflate(&z, Z_NO_FLUSH);
    n += before - z.avail_out;
    if (n > c->im->vdb->ratio_floor && n / VULN_MAX_RATIO > len) {
      st = vuln_fail(c, FWVET_ELIMIT, "gzip data expands more than %d:1",
                     VULN_MAX_RATIO);
      goto out;
    }
    if (rc == Z_STREAM_END) {
      /* Another member may follow (gzip files concatenate). */
      size_t used = (size_t)(z.next_in - d);
      if (used + 2 <= len && d[used] == 0x1f && d[used + 1] == 0x8b) {
        inflateReset(&z);
        continue;
      }
      break;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && z.avail_out) {
      st = vuln_fail(c, FWVET_ECORRUPT, "truncated gzip data");
      goto out;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      st = vuln_fail(c, FWVET_ECORRUPT, "corrupt gzip data: %s",
                     z.msg ? z.msg : "inflate failed");
      goto out;
    }
  }
  c->budget -= n;
out:
  inflateEnd(&z);
  if (st) {
    free(buf);
    return st;
  }
  *out = buf;
  *outlen = n;
  return FWVET_OK;
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

/* Reads the current zip entry whole, within budget. */
static fwvet_status zip_entry(vuln_ctx *c, struct archive *a,
                              const char *ename, uint8_t **out,
                              size_t *outlen) {
  size_t cap = 64 << 10, n = 0;
  uint8_t *buf = malloc(cap);
  if (!buf)
    return vuln_fail(c, FWVET_ENOMEM, "%s", fwvet_strerror(FWVET_ENOMEM));
  for (;;) {
    if (n == cap) {
      if (cap >= VULN_MAX_RECORD || n >= c->budget) {
        free(buf);
        uint64_t cut = c->budget < VULN_MAX_RECORD ? c->budget
                                                   : VULN_MAX_RECORD;
        return vuln_fail(c, FWVET_ELIMIT, "zip entry '%s' is larger than "
                         "%llu bytes", ename, (unsigned long long)cut);
      }
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        return vuln_fail(c, FWVET_ENOMEM, "%s",
                         fwvet_strerror(FWVET_ENOMEM));
      }
      buf = nb;
      cap *= 2;
    }
    la_ssize_t r = archive_read_data(a, buf + n, cap - n);
    if (r < 0) {
      free(buf);
      return vuln_fail(c, FWVET_ECORRUPT, "zip entry '%s': %s", ename,
                       archive_error_string(a) ? archive_error_string(a)
                                               : "read error");
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  if (n > c->budget) {
    free(buf);
    return vuln_fail(c, FWVET_ELIMIT, "zip data decodes to more than %llu "
                     "bytes", (unsigned long long)c->budget);
  }
  c->budget -= n;
  *out = buf;
  *outlen = n;
  return FWVET_OK;
}

/* A zip archive of OSV records (osv.dev's all.zip): every *.json entry. */
static fwvet_status import_zip(vuln_ctx *c, const uint8_t *d, size_t len) {
  struct archive *a = archive_read_new();
  struct archive_entry *e;
  fwvet_status st = FWVET_OK;
  size_t count = 0;
  if (!a)
    return vuln_fail(c, FWVET_ENOMEM, "%s", fwvet_strerror(FWVET_ENOMEM));
  archive_read_support_format_zip(a);
  if (archive_read_open_memory(a, d, len) != ARCHIVE_OK) {
    st = vuln_fail(c, FWVET_ECORRUPT, "zip: %s", archive_error_string(a));
    goto out;
  }
  int rc;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    const char *ename = archive_entry_pathname(e);
    if (!ename)
      ename = "";
    if (archive_entry_filetype(e) != AE_IFREG || !ends_with(ename, ".json"))
      continue;
    if (++count > MAX_ZIP_ENTRIES) {
      st = vuln_fail(c, FWVET_ELIMIT, "more than %d zip entries",
                     MAX_ZIP_ENTRIES);
      goto out;
    }
    uint8_t *buf = NULL;
    size_t n = 0;
    if ((st = zip_entry(c, a, ename, &buf, &n)))
      goto out;
    /* Messages name the entry inside the file. */
    char name[512];
    snprintf(name, sizeof name, "%s: %s", c->name, ename);
    vuln_ctx sub = {c->im, name, c->budget};
    st = vuln_import_json(&sub, buf, n);
    free(buf);
    if (st)
      goto out;
  }
  if (rc != ARCHIVE_EOF)
    st = vuln_fail(c, FWVET_ECORRUPT, "zip: %s",
                   archive_error_string(a) ? archive_error_string(a)
                                           : "corrupt archive");
out:
  archive_read_free(a);
  return st;
}

static fwvet_status import_bytes(vuln_ctx *c, const uint8_t *d, size_t len,
                                 int depth) {
  if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b && depth == 0) {
    uint8_t *buf = NULL;
    size_t n = 0;
    fwvet_status st = gunzip(c, d, len, &buf, &n);
    if (st)
      return st;
    st = import_bytes(c, buf, n, depth + 1);
    free(buf);
    return st;
  }
  if (len >= 4 && d[0] == 'P' && d[1] == 'K' &&
      ((d[2] == 3 && d[3] == 4) || (d[2] == 5 && d[3] == 6)))
    return import_zip(c, d, len);
  return vuln_import_json(c, d, len);
}

/* ---- the transaction ---- */

static const struct {
  size_t off;
  const char *sql;
} stmts[] = {
    {offsetof(vuln_import, find),
     "SELECT rec FROM record WHERE source = ?1 AND id = ?2"},
    {offsetof(vuln_import, del_rows), "DELETE FROM affected WHERE rec = ?1"},
    {offsetof(vuln_import, del_rec), "DELETE FROM record WHERE rec = ?1"},
    {offsetof(vuln_import, ins_rec),
     "INSERT INTO record(source, id, modified, published, summary, cvss,"
     " cvss_version, severity) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
    {offsetof(vuln_import, ins_row),
     "INSERT INTO affected(rec, grp, negate, vendor, product, name,"
     " ecosystem, exact, lo, lo_incl, hi, hi_incl, why)"
     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"},
};

#define STMT(im, i) ((sqlite3_stmt **)((char *)(im) + stmts[i].off))

fwvet_status vuln_import_mem(fwvet_vulndb *db, const char *name,
                             const uint8_t *data, size_t len,
                             fwvet_vulndb_stats *stats, char *err,
                             size_t errcap) {
  char dummy[1];
  if (!err || !errcap) {
    err = dummy;
    errcap = sizeof dummy;
  }
  err[0] = '\0';
  if (!db || !db->writable || (!data && len)) {
    snprintf(err, errcap, "%s: database not open for writing", name);
    return FWVET_EINVAL;
  }
  vuln_import im;
  memset(&im, 0, sizeof im);
  im.vdb = db;
  im.err = err;
  im.errcap = errcap;
  vuln_ctx c = {&im, name, db->max_decoded};
  fwvet_status st = FWVET_EIO;
  if (sqlite3_exec(db->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) {
    snprintf(err, errcap, "database: %s", sqlite3_errmsg(db->db));
    return st;
  }
  for (size_t i = 0; i < sizeof stmts / sizeof *stmts; i++)
    if (sqlite3_prepare_v2(db->db, stmts[i].sql, -1, STMT(&im, i), NULL)) {
      snprintf(err, errcap, "database: %s", sqlite3_errmsg(db->db));
      goto out;
    }
  if ((st = import_bytes(&c, data ? data : (const uint8_t *)"", len, 0)))
    goto out;
  st = FWVET_EIO;
  for (size_t i = 0; i < sizeof stmts / sizeof *stmts; i++) {
    sqlite3_finalize(*STMT(&im, i));
    *STMT(&im, i) = NULL;
  }
  if (sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL)) {
    snprintf(err, errcap, "database: %s", sqlite3_errmsg(db->db));
    goto out;
  }
  if (stats) {
    stats->added += im.stats.added;
    stats->updated += im.stats.updated;
    stats->skipped += im.stats.skipped;
  }
  return FWVET_OK;
out:
  for (size_t i = 0; i < sizeof stmts / sizeof *stmts; i++)
    sqlite3_finalize(*STMT(&im, i));
  sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
  return st;
}

fwvet_status fwvet_vulndb_import(fwvet_vulndb *db, const char *path,
                                 fwvet_vulndb_stats *stats, char *err,
                                 size_t errcap) {
  char dummy[1];
  if (!err || !errcap) {
    err = dummy;
    errcap = sizeof dummy;
  }
  if (!db || !path) {
    snprintf(err, errcap, "invalid argument");
    return FWVET_EINVAL;
  }
  fwvet_status st = FWVET_EIO;
  uint8_t *buf = NULL;
  struct stat sb;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &sb)) {
    snprintf(err, errcap, "%s: %s", path, strerror(errno));
    goto out;
  }
  if (!S_ISREG(sb.st_mode)) {
    snprintf(err, errcap, "%s: not a regular file", path);
    goto out;
  }
  if ((uint64_t)sb.st_size > db->max_decoded) {
    snprintf(err, errcap, "%s: larger than %llu bytes", path,
             (unsigned long long)db->max_decoded);
    st = FWVET_ELIMIT;
    goto out;
  }
  size_t len = (size_t)sb.st_size, n = 0;
  if (!(buf = malloc(len ? len : 1))) {
    st = FWVET_ENOMEM;
    snprintf(err, errcap, "%s: %s", path, fwvet_strerror(st));
    goto out;
  }
  while (n < len) {
    ssize_t r = read(fd, buf + n, len - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      snprintf(err, errcap, "%s: %s", path,
               r < 0 ? strerror(errno) : "file shrank while read");
      goto out;
    }
    n += (size_t)r;
  }
  st = vuln_import_mem(db, path, buf, len, stats, err, errcap);
out:
  if (fd >= 0)
    close(fd);
  free(buf);
  return st;
}
