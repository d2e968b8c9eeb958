/*
 * RPM's package database in its SQLite form (rpmdb.sqlite, rpm >= 4.16:
 * Fedora, RHEL 9, openSUSE): table Packages(hnum, blob), each blob an RPM
 * header in its on-disk layout — il and dl (32-bit big-endian counts of
 * index entries and data bytes), il entries of {tag, type, offset,
 * count}, then the data.  NAME (1000), VERSION (1001), RELEASE (1002)
 * and EPOCH (1003) give each installed package.  The Berkeley DB and NDB
 * forms of older databases are not read.
 *
 * The database is the image's, so hostile: SQLite opens a private copy
 * read-only in memory, in defensive mode, and a progress handler bounds
 * the work.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "analyse/pkgdb.h"
#include "core/cursor.h"
#include "fwvet/vulndb.h"
#include "sig/sigdb.h"

#define MAX_DB (256u << 20)
#define MAX_ENTRIES 65536
#define MAX_STEPS 50000000 /* SQLite VM steps, in units of 1000 */

enum { TAG_NAME = 1000, TAG_VERSION = 1001, TAG_RELEASE = 1002,
       TAG_EPOCH = 1003, TYPE_INT32 = 4, TYPE_STRING = 6 };

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

typedef struct header {
  const char *name, *version, *release;
  long epoch; /* -1: none */
} header;

/* A NUL-terminated string at `off` of the data, or NULL. */
static const char *string_at(const uint8_t *data, size_t dl, uint32_t off) {
  if (off >= dl || !memchr(data + off, '\0', dl - off))
    return NULL;
  return (const char *)data + off;
}

static int parse_header(const uint8_t *b, size_t len, header *h) {
  memset(h, 0, sizeof *h);
  h->epoch = -1;
  if (len < 8)
    return -1;
  uint32_t il = be32(b), dl = be32(b + 4);
  if (il == 0 || il > MAX_ENTRIES || !fwvet_fits(8, (uint64_t)il * 16, len) ||
      !fwvet_fits(8 + (uint64_t)il * 16, dl, len))
    return -1;
  const uint8_t *data = b + 8 + (size_t)il * 16;
  for (uint32_t i = 0; i < il; i++) {
    const uint8_t *e = b + 8 + (size_t)i * 16;
    uint32_t tag = be32(e), type = be32(e + 4), off = be32(e + 8);
    if (type == TYPE_STRING && tag >= TAG_NAME && tag <= TAG_RELEASE) {
      const char *s = string_at(data, dl, off);
      if (tag == TAG_NAME)
        h->name = s;
      else if (tag == TAG_VERSION)
        h->version = s;
      else
        h->release = s;
    } else if (type == TYPE_INT32 && tag == TAG_EPOCH &&
               fwvet_fits(off, 4, dl)) {
      h->epoch = (long)be32(data + off);
    }
  }
  return h->name && h->version && *h->name && *h->version ? 0 : -1;
}

static void emit(fwvet_sink *sink, const fwvet_node *node, const header *h) {
  char full[512], up[256], ev[640];
  if (h->epoch >= 0)
    snprintf(full, sizeof full, "%ld:%s%s%s", h->epoch, h->version,
             h->release ? "-" : "", h->release ? h->release : "");
  else
    snprintf(full, sizeof full, "%s%s%s", h->version, h->release ? "-" : "",
             h->release ? h->release : "");
  /* RPM keeps the upstream version apart from the release. */
  snprintf(up, sizeof up, "%s", h->version);
  snprintf(ev, sizeof ev, "rpm package %s, version %s", h->name, full);
  long prod = fwvet_sigdb_package(fwvet_sink_signatures(sink), h->name);
  fwvet_sink_component(sink, node, prod, h->name, up, full,
                       FWVET_EVIDENCE_PACKAGE, FWVET_NO_OFFSET, ev);
}

static int stop_after(void *ud) {
  unsigned *steps = ud;
  return ++*steps > MAX_STEPS / 1000;
}

void fwvet_rpmdb_read(fwvet_sink *sink, const fwvet_node *node,
                      const uint8_t *data, size_t len) {
  static const char magic[] = "SQLite format 3";
  const char *fs = fwvet_node_fspath(node);
  size_t n = strlen(fs);
  if (n < 17 || strcmp(fs + n - 17, "/rpm/rpmdb.sqlite") || len < 512 ||
      len > MAX_DB || memcmp(data, magic, sizeof magic) ||
      !fwvet_sink_signatures(sink))
    return;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  unsigned steps = 0;
  unsigned char *copy = sqlite3_malloc64(len);
  if (!copy)
    return;
  memcpy(copy, data, len);
  if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) !=
      SQLITE_OK) {
    sqlite3_free(copy);
    goto out;
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_progress_handler(db, 1000, stop_after, &steps);
  if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len,
                          (sqlite3_int64)len,
                          SQLITE_DESERIALIZE_READONLY |
                              SQLITE_DESERIALIZE_FREEONCLOSE) != SQLITE_OK)
    goto out; /* the copy is freed by SQLite even on failure */
  if (sqlite3_prepare_v2(db, "SELECT blob FROM Packages ORDER BY hnum", -1,
                         &st, NULL) != SQLITE_OK)
    goto out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const void *b = sqlite3_column_blob(st, 0);
    int bl = sqlite3_column_bytes(st, 0);
    header h;
    if (b && bl > 0 && parse_header(b, (size_t)bl, &h) == 0)
      emit(sink, node, &h);
  }
  if (rc != SQLITE_DONE)
    fwvet_sink_report(sink, node, "unpack.corrupt", FWVET_SEV_LOW,
                      FWVET_NO_OFFSET, 0, "rpmdb",
                      "rpm database: reading stopped: %s (packages after "
                      "this point are not listed)",
                      steps > MAX_STEPS / 1000 ? "too much work"
                                               : sqlite3_errmsg(db));
out:
  sqlite3_finalize(st);
  sqlite3_close(db);
}
