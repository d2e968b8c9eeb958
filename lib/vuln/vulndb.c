/*
 * The offline vulnerability database: an SQLite file with one row per
 * record (an NVD CVE or an OSV advisory) and one row per affected
 * product and version range.  Matching selects a product's rows by
 * index and judges the versions here, with fwvet_version_compare, since
 * SQL cannot order "1.0.2k" and "1.0.2t" against "1.1.0".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/paths.h"
#include "vuln/vuln_int.h"

static const char schema[] =
    "CREATE TABLE record("
    " rec INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL,"     /* nvd | osv */
    " id TEXT NOT NULL,"
    " modified TEXT, published TEXT, summary TEXT,"
    " cvss REAL NOT NULL,"       /* -1: none */
    " cvss_version TEXT,"
    " severity TEXT NOT NULL,"
    " UNIQUE(source, id));"
    "CREATE TABLE affected("
    " rec INTEGER NOT NULL REFERENCES record(rec),"
    " grp INTEGER NOT NULL, negate INTEGER NOT NULL,"
    " vendor TEXT, product TEXT," /* NVD CPE, lower case */
    " name TEXT, ecosystem TEXT," /* OSV package, lower case */
    " exact TEXT,"                /* else the range lo..hi */
    " lo TEXT, lo_incl INTEGER NOT NULL,"
    " hi TEXT, hi_incl INTEGER NOT NULL,"
    " why TEXT NOT NULL);"
    "CREATE INDEX affected_vp ON affected(vendor, product);"
    "CREATE INDEX affected_name ON affected(name);"
    "CREATE INDEX affected_rec ON affected(rec);";

void vuln_lower(char *out, size_t cap, const char *s) {
  size_t i = 0;
  if (!cap)
    return;
  for (; s && s[i] && i + 1 < cap; i++)
    out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
  out[i] = '\0';
}

vuln_affected *vuln_rows_add(vuln_rows *r) {
  if (r->n == r->cap) {
    if (r->cap >= VULN_MAX_AFFECTED)
      return NULL;
    size_t cap = r->cap ? r->cap * 2 : 8;
    vuln_affected *v = realloc(r->v, cap * sizeof *v);
    if (!v)
      return NULL;
    r->v = v;
    r->cap = cap;
  }
  vuln_affected *a = &r->v[r->n++];
  memset(a, 0, sizeof *a);
  return a;
}

void vuln_rows_release(vuln_rows *r) {
  free(r->v);
  r->v = NULL;
  r->n = r->cap = 0;
}

const char *fwvet_vulndb_default_path(char *buf, size_t cap) {
  return fwvet_data_path("vulndb.sqlite", buf, cap);
}

static int pragma_int(sqlite3 *db, const char *sql, int *out) {
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    *out = sqlite3_column_int(s, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(s);
  return rc;
}

/* Sets the schema up in an empty file; checks it in any other. */
static fwvet_status check_schema(sqlite3 *db, int writable) {
  int app = 0, ver = 0, tables = 0;
  if (pragma_int(db, "PRAGMA application_id", &app) ||
      pragma_int(db, "PRAGMA user_version", &ver) ||
      pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables))
    return FWVET_ECORRUPT; /* not an SQLite database at all */
  if (app == VULN_APPLICATION_ID) {
    if (ver > VULN_SCHEMA_VERSION)
      return FWVET_EUNSUPPORTED; /* written by a newer fwvet */
    return ver == VULN_SCHEMA_VERSION ? FWVET_OK : FWVET_ECORRUPT;
  }
  if (tables || !writable)
    return FWVET_ECORRUPT; /* some other program's database */
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA application_id=%d;"
           "PRAGMA user_version=%d;", VULN_APPLICATION_ID,
           VULN_SCHEMA_VERSION);
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
    return FWVET_EIO;
  if (sqlite3_exec(db, schema, NULL, NULL, NULL) ||
      sqlite3_exec(db, sql, NULL, NULL, NULL) ||
      sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return FWVET_EIO;
  }
  return FWVET_OK;
}

static fwvet_status open_db(const char *path, int flags, int writable,
                            fwvet_vulndb **out) {
  fwvet_status st = FWVET_ENOMEM;
  fwvet_vulndb *v = calloc(1, sizeof *v);
  if (!v)
    return st;
  v->writable = writable;
  v->max_decoded = VULN_MAX_DECODED;
  v->ratio_floor = VULN_RATIO_FLOOR;
  flags |= SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path, &v->db, flags, NULL) != SQLITE_OK) {
    st = FWVET_EIO;
    goto out;
  }
  sqlite3_busy_timeout(v->db, 10000);
  sqlite3_extended_result_codes(v->db, 1);
  st = check_schema(v->db, writable);
  if (!st) {
    *out = v;
    return FWVET_OK;
  }
out:
  fwvet_vulndb_close(v);
  return st;
}

fwvet_status fwvet_vulndb_open(const char *path, int create,
                               fwvet_vulndb **out) {
  if (!path || !*path || !out)
    return FWVET_EINVAL;
  struct stat sb;
  if (!create) {
    if (stat(path, &sb))
      return errno == ENOENT ? FWVET_ENOTFOUND : FWVET_EIO;
    return open_db(path, SQLITE_OPEN_READONLY, 0, out);
  }
  fwvet_status st = fwvet_make_parent(path);
  if (st)
    return st;
  return open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1, out);
}

fwvet_status vuln_open_memory(fwvet_vulndb **out) {
  return open_db(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, 1,
                 out);
}

void fwvet_vulndb_close(fwvet_vulndb *db) {
  if (!db)
    return;
  sqlite3_close_v2(db->db);
  free(db);
}

static int bind_text(sqlite3_stmt *s, int i, const char *t) {
  return t && *t ? sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT)
                 : sqlite3_bind_null(s, i);
}

static int step_done(sqlite3_stmt *s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int insert_row(vuln_import *im, sqlite3_int64 rec,
                      const vuln_affected *a) {
  sqlite3_stmt *s = im->ins_row;
  sqlite3_bind_int64(s, 1, rec);
  sqlite3_bind_int(s, 2, a->group);
  sqlite3_bind_int(s, 3, a->negate);
  bind_text(s, 4, a->vendor);
  bind_text(s, 5, a->product);
  bind_text(s, 6, a->name);
  bind_text(s, 7, a->ecosystem);
  bind_text(s, 8, a->exact);
  bind_text(s, 9, a->start);
  sqlite3_bind_int(s, 10, a->start_incl);
  bind_text(s, 11, a->end);
  sqlite3_bind_int(s, 12, a->end_incl);
  sqlite3_bind_text(s, 13, a->why, -1, SQLITE_TRANSIENT);
  return step_done(s);
}

fwvet_status vuln_store(vuln_import *im, const vuln_record *r,
                        const vuln_rows *rows) {
  sqlite3_stmt *s = im->find;
  sqlite3_int64 old = -1;
  int rc;
  bind_text(s, 1, r->source);
  bind_text(s, 2, r->id);
  if ((rc = sqlite3_step(s)) == SQLITE_ROW)
    old = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    goto fail;
  if (old >= 0) {
    sqlite3_bind_int64(im->del_rows, 1, old);
    sqlite3_bind_int64(im->del_rec, 1, old);
    if ((rc = step_done(im->del_rows)) || (rc = step_done(im->del_rec)))
      goto fail;
  }
  if (!rows->n) {
    im->stats.skipped++;
    return FWVET_OK;
  }
  s = im->ins_rec;
  bind_text(s, 1, r->source);
  bind_text(s, 2, r->id);
  bind_text(s, 3, r->modified);
  bind_text(s, 4, r->published);
  bind_text(s, 5, r->summary);
  sqlite3_bind_double(s, 6, r->cvss);
  bind_text(s, 7, r->cvss_version);
  bind_text(s, 8, r->severity ? r->severity : "unknown");
  if ((rc = step_done(s)))
    goto fail;
  sqlite3_int64 rec = sqlite3_last_insert_rowid(im->vdb->db);
  for (size_t i = 0; i < rows->n; i++)
    if ((rc = insert_row(im, rec, &rows->v[i])))
      goto fail;
  if (old >= 0)
    im->stats.updated++;
  else
    im->stats.added++;
  return FWVET_OK;
fail:
  snprintf(im->err, im->errcap, "database: %s",
           sqlite3_errmsg(im->vdb->db));
  return rc == SQLITE_NOMEM ? FWVET_ENOMEM : FWVET_EIO;
}

/* ---- matching ---- */

static int covers(const char *ver, const char *exact, const char *lo,
                  int lo_incl, const char *hi, int hi_incl) {
  if (!ver || !*ver)
    return !exact && !lo && !hi; /* unknown: only "every version" */
  if (exact)
    return fwvet_version_compare(ver, exact) == 0;
  int c;
  if (lo && ((c = fwvet_version_compare(ver, lo)) < 0 || (c == 0 && !lo_incl)))
    return 0;
  if (hi && ((c = fwvet_version_compare(ver, hi)) > 0 || (c == 0 && !hi_incl)))
    return 0;
  return 1;
}

typedef struct hit {
  sqlite3_int64 rec;
  char *why;
} hit;

static const char match_sql[] =
    "SELECT a.rec, r.id, a.grp, a.negate, a.exact, a.lo, a.lo_incl,"
    " a.hi, a.hi_incl, a.why"
    " FROM affected a JOIN record r ON r.rec = a.rec"
    " WHERE (a.vendor = ?1 AND a.product = ?2) OR a.name = ?3"
    " ORDER BY r.id, r.source, a.rec, a.grp, a.negate";

static const char record_sql[] =
    "SELECT id, source, severity, cvss, cvss_version, summary"
    " FROM record WHERE rec = ?1";

static const char *col(sqlite3_stmt *s, int i) {
  return (const char *)sqlite3_column_text(s, i);
}

/* State of the group being read: whether a plain row covers the version
 * (and why), whether a negated one does. */
typedef struct group_state {
  sqlite3_int64 rec;
  int grp;
  int pos, neg;
  char id[256];
  char why[320];
} group_state;

static fwvet_status push_hit(hit **h, size_t *n, size_t *cap,
                             const group_state *g) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 16;
    hit *nh = realloc(*h, nc * sizeof *nh);
    if (!nh)
      return FWVET_ENOMEM;
    *h = nh;
    *cap = nc;
  }
  char *why = strdup(g->why);
  if (!why)
    return FWVET_ENOMEM;
  (*h)[*n].rec = g->rec;
  (*h)[*n].why = why;
  (*n)++;
  return FWVET_OK;
}

/* Collects the records one of whose groups covers the version; rows come
 * ordered by id, so a second record with the same id (from the other
 * source) follows the first and is left out. */
static fwvet_status collect(sqlite3_stmt *s, const char *ver, hit **out,
                            size_t *nout) {
  hit *h = NULL;
  size_t n = 0, cap = 0;
  group_state g;
  char last_id[256] = "";
  fwvet_status st = FWVET_OK;
  int rc;
  memset(&g, 0, sizeof g);
  g.rec = -1;
  for (;;) {
    rc = sqlite3_step(s);
    int end = rc != SQLITE_ROW;
    sqlite3_int64 rec = end ? -1 : sqlite3_column_int64(s, 0);
    int grp = end ? 0 : sqlite3_column_int(s, 2);
    if (g.rec >= 0 && (end || rec != g.rec || grp != g.grp) && g.pos &&
        !g.neg && (!n || (h[n - 1].rec != g.rec && strcmp(last_id, g.id)))) {
      if ((st = push_hit(&h, &n, &cap, &g)))
        goto out;
      memcpy(last_id, g.id, sizeof last_id);
    }
    if (end)
      break;
    if (rec != g.rec || grp != g.grp) {
      g.rec = rec;
      g.grp = grp;
      g.pos = g.neg = 0;
      snprintf(g.id, sizeof g.id, "%s", col(s, 1) ? col(s, 1) : "");
    }
    if (!covers(ver, col(s, 4), col(s, 5), sqlite3_column_int(s, 6),
                col(s, 7), sqlite3_column_int(s, 8)))
      continue;
    if (sqlite3_column_int(s, 3)) {
      g.neg = 1;
    } else if (!g.pos) {
      g.pos = 1;
      snprintf(g.why, sizeof g.why, "%s", col(s, 9) ? col(s, 9) : "");
    }
  }
  if (rc != SQLITE_DONE)
    st = rc == SQLITE_NOMEM ? FWVET_ENOMEM : FWVET_EIO;
out:
  if (st) {
    for (size_t i = 0; i < n; i++)
      free(h[i].why);
    free(h);
    return st;
  }
  *out = h;
  *nout = n;
  return FWVET_OK;
}

fwvet_status fwvet_vulndb_match(fwvet_vulndb *db, const fwvet_vuln_query *q,
                                fwvet_vuln_fn fn, void *ud) {
  if (!db || !q || !fn)
    return FWVET_EINVAL;
  char vendor[128], product[128], name[128];
  vuln_lower(vendor, sizeof vendor, q->vendor);
  vuln_lower(product, sizeof product, q->product);
  vuln_lower(name, sizeof name, q->name);
  sqlite3_stmt *s = NULL, *r = NULL;
  hit *h = NULL;
  size_t n = 0;
  fwvet_status st = FWVET_EIO;
  if (sqlite3_prepare_v2(db->db, match_sql, -1, &s, NULL) ||
      sqlite3_prepare_v2(db->db, record_sql, -1, &r, NULL))
    goto out;
  if (*vendor && *product) {
    sqlite3_bind_text(s, 1, vendor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, product, -1, SQLITE_TRANSIENT);
  }
  if (*name)
    sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
  if ((st = collect(s, q->version, &h, &n)))
    goto out;
  for (size_t i = 0; i < n; i++) {
    sqlite3_bind_int64(r, 1, h[i].rec);
    if (sqlite3_step(r) != SQLITE_ROW) {
      st = FWVET_EIO;
      goto out;
    }
    fwvet_vuln_match m = {
        col(r, 0), col(r, 1), col(r, 2), sqlite3_column_double(r, 3),
        col(r, 4), col(r, 5), h[i].why,
    };
    int stop = fn(ud, &m);
    sqlite3_reset(r);
    if (stop) {
      st = FWVET_ECANCELLED;
      goto out;
    }
  }
  st = FWVET_OK;
out:
  for (size_t i = 0; i < n; i++)
    free(h[i].why);
  free(h);
  sqlite3_finalize(s);
  sqlite3_finalize(r);
  return st;
}
