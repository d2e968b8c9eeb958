/* The evaluation store: opening, adding, finding evaluations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/paths.h"
#include "fwvet/fwvet.h"
#include "store/store_int.h"

/* How long a writer waits for another one before giving up. */
enum { BUSY_TIMEOUT_MS = 60000 };

const char *fwvet_store_default_path(char *buf, size_t cap) {
  return fwvet_data_path("store.sqlite", buf, cap);
}

/* Switching to WAL needs a moment without other connections' locks;
 * the busy handler is not consulted for it, so retry a while. */
static int set_wal(sqlite3 *db) {
  for (int i = 0; i < 600; i++) {
    int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
      return rc;
    sqlite3_sleep(100);
  }
  return SQLITE_BUSY;
}

fwvet_status fwvet_store_open(const char *path, int create,
                              fwvet_store **out) {
  if (!path || !*path || !out)
    return FWVET_EINVAL;
  struct stat sb;
  fwvet_status st;
  if (!create && stat(path, &sb))
    return errno == ENOENT ? FWVET_ENOTFOUND : FWVET_EIO;
  if (create && (st = fwvet_make_parent(path)))
    return st;
  fwvet_store *s = calloc(1, sizeof *s);
  if (!s)
    return FWVET_ENOMEM;
  /* Read-write even for reading: a reader of a WAL database needs the
   * shared-memory file. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX |
              (create ? SQLITE_OPEN_CREATE : 0);
  st = FWVET_EIO;
  if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK)
    goto out;
  sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes(s->db, 1);
  if ((st = store_schema(s->db, create)))
    goto out;
  st = FWVET_EIO;
  if (set_wal(s->db) ||
      sqlite3_exec(s->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL))
    goto out;
  *out = s;
  return FWVET_OK;
out:
  fwvet_store_close(s);
  return st;
}

void fwvet_store_close(fwvet_store *s) {
  if (!s)
    return;
  sqlite3_close(s->db);
  free(s);
}

static fwvet_status product_id(sqlite3 *db, const char *name, int64_t *id) {
  sqlite3_stmt *ins = NULL, *sel = NULL;
  fwvet_status st = FWVET_EIO;
  if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO products(name) "
                             "VALUES (?1)", -1, &ins, NULL) ||
      sqlite3_prepare_v2(db, "SELECT id FROM products WHERE name = ?1", -1,
                         &sel, NULL))
    goto out;
  sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(sel, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step(ins) != SQLITE_DONE || sqlite3_step(sel) != SQLITE_ROW)
    goto out;
  *id = sqlite3_column_int64(sel, 0);
  st = FWVET_OK;
out:
  sqlite3_finalize(ins);
  sqlite3_finalize(sel);
  return st;
}

static fwvet_status delete_release(sqlite3 *db, int64_t product,
                                   const char *release) {
  sqlite3_stmt *s = NULL;
  fwvet_status st = FWVET_EIO;
  if (sqlite3_prepare_v2(db, "DELETE FROM evaluations WHERE product_id = ?1"
                             " AND release = ?2", -1, &s, NULL))
    goto out;
  sqlite3_bind_int64(s, 1, product);
  sqlite3_bind_text(s, 2, release, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_DONE)
    st = FWVET_OK;
out:
  sqlite3_finalize(s);
  return st;
}

/* A test hook (documented in docs/progress.md): with
 * FWVET_TEST_HOOK_STORE_SLEEP=N the writer says so on stderr and sleeps
 * N seconds inside the open transaction, so a test can kill it there or
 * make two writers overlap.  Never set it in normal use. */
static void test_hook_sleep(void) {
  const char *v = getenv("FWVET_TEST_HOOK_STORE_SLEEP");
  if (!v || !*v)
    return;
  unsigned n = (unsigned)strtoul(v, NULL, 10);
  fprintf(stderr, "fwvet: test hook: store transaction open, sleeping "
                  "%u s\n", n);
  fflush(stderr);
  sleep(n);
}

fwvet_status fwvet_store_add(fwvet_store *s, const fwvet_eval *ev,
                             const char *product, const char *release,
                             unsigned flags, int64_t *id) {
  if (!s || !ev || !product || !*product || !release || !*release)
    return FWVET_EINVAL;
  /* IMMEDIATE: take the write lock now, waiting for other writers, so
   * the transaction cannot fail half-way for want of it. */
  s->err[0] = '\0';
  if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
    return FWVET_EIO;
  int64_t pid = 0, eid = 0;
  fwvet_status st = product_id(s->db, product, &pid);
  if (!st && (flags & FWVET_STORE_REPLACE))
    st = delete_release(s->db, pid, release);
  if (!st)
    st = store_write_eval(s->db, ev, pid, release, &eid);
  if (!st)
    test_hook_sleep();
  if (!st && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL))
    st = FWVET_EIO;
  if (st) {
    /* Kept: the ROLLBACK replaces SQLite's own message. */
    snprintf(s->err, sizeof s->err, "%s", sqlite3_errmsg(s->db));
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
  }
  if (id)
    *id = eid;
  return FWVET_OK;
}

const char *fwvet_store_errmsg(fwvet_store *s) {
  if (!s)
    return "no store";
  return s->err[0] ? s->err : sqlite3_errmsg(s->db);
}

fwvet_status fwvet_store_load(fwvet_store *s, int64_t id, fwvet_eval **out) {
  if (!s || !out)
    return FWVET_EINVAL;
  /* One read transaction: a concurrent --replace cannot tear it. */
  if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL))
    return FWVET_EIO;
  fwvet_status st = store_read_eval(s->db, id, out);
  sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
  return st;
}

fwvet_status fwvet_store_lookup(fwvet_store *s, const char *product,
                                const char *release, int64_t *id) {
  sqlite3_stmt *q = NULL;
  fwvet_status st = FWVET_EIO;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT max(e.id) FROM evaluations e JOIN products p"
                         " ON p.id = e.product_id"
                         " WHERE p.name = ?1 AND e.release = ?2",
                         -1, &q, NULL))
    goto out;
  sqlite3_bind_text(q, 1, product, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 2, release, -1, SQLITE_STATIC);
  if (sqlite3_step(q) != SQLITE_ROW)
    goto out;
  st = FWVET_ENOTFOUND;
  if (sqlite3_column_type(q, 0) == SQLITE_NULL)
    goto out;
  *id = sqlite3_column_int64(q, 0);
  st = FWVET_OK;
out:
  sqlite3_finalize(q);
  return st;
}

void fwvet_store_entries_free(fwvet_store_entry *e, size_t n) {
  for (size_t i = 0; e && i < n; i++) {
    free(e[i].release);
    free(e[i].created);
    free(e[i].input_sha256);
  }
  free(e);
}

static int entry_cmp(const void *a, const void *b) {
  const fwvet_store_entry *x = a, *y = b;
  int c = fwvet_version_compare(x->release, y->release);
  return c ? c : strcmp(x->release, y->release);
}

static char *dup_col(sqlite3_stmt *q, int col, int *bad) {
  const char *t = (const char *)sqlite3_column_text(q, col);
  char *d = strdup(t ? t : "");
  if (!d)
    *bad = 1;
  return d;
}

fwvet_status fwvet_store_releases(fwvet_store *s, const char *product,
                                  fwvet_store_entry **out, size_t *n) {
  sqlite3_stmt *q = NULL;
  fwvet_store_entry *e = NULL;
  size_t cnt = 0, cap = 0;
  fwvet_status st = FWVET_EIO;
  /* Latest run per release: ids grow, so max(id) is the newest. */
  if (sqlite3_prepare_v2(s->db,
                         "SELECT e.id, e.release, e.created, e.input_sha256,"
                         " (SELECT count(*) FROM evaluations r"
                         "  WHERE r.product_id = e.product_id"
                         "  AND r.release = e.release)"
                         " FROM evaluations e JOIN products p"
                         " ON p.id = e.product_id WHERE p.name = ?1"
                         " AND e.id = (SELECT max(id) FROM evaluations x"
                         "  WHERE x.product_id = e.product_id"
                         "  AND x.release = e.release)",
                         -1, &q, NULL))
    goto out;
  sqlite3_bind_text(q, 1, product, -1, SQLITE_STATIC);
  int rc, bad = 0;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    if (cnt == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      fwvet_store_entry *p = realloc(e, ncap * sizeof *p);
      if (!p) {
        st = FWVET_ENOMEM;
        goto out;
      }
      e = p;
      cap = ncap;
    }
    fwvet_store_entry *x = &e[cnt++];
    x->id = sqlite3_column_int64(q, 0);
    x->release = dup_col(q, 1, &bad);
    x->created = dup_col(q, 2, &bad);
    x->input_sha256 = dup_col(q, 3, &bad);
    x->runs = (size_t)sqlite3_column_int64(q, 4);
    if (bad) {
      st = FWVET_ENOMEM;
      goto out;
    }
  }
  if (rc != SQLITE_DONE)
    goto out;
  if (cnt)
    qsort(e, cnt, sizeof *e, entry_cmp);
  *out = e;
  *n = cnt;
  e = NULL;
  cnt = 0;
  st = FWVET_OK;
out:
  fwvet_store_entries_free(e, cnt);
  sqlite3_finalize(q);
  return st;
}
