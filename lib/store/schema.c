/* The store's schema and its migrations. */
#include <sqlite3.h>
#include <stdio.h>

#include "store/store_int.h"

/*
 * migrations[v] takes a store from user_version v to v + 1.  Append a
 * step to change the schema; never edit one that has shipped.
 */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE products ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE evaluations ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  product_id INTEGER NOT NULL REFERENCES products(id),"
    "  release TEXT NOT NULL,"
    "  input_path TEXT NOT NULL,"
    "  input_size INTEGER NOT NULL,"
    "  input_sha256 TEXT NOT NULL,"
    "  tool_version TEXT NOT NULL,"
    "  created TEXT NOT NULL);"
    "CREATE INDEX evaluations_release ON evaluations(product_id, release);"
    "CREATE TABLE files ("
    "  eval_id INTEGER NOT NULL REFERENCES evaluations(id)"
    "    ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  path TEXT NOT NULL, fspath TEXT NOT NULL, type TEXT NOT NULL,"
    "  size INTEGER NOT NULL, sha256 TEXT,"
    "  PRIMARY KEY (eval_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE findings ("
    "  eval_id INTEGER NOT NULL REFERENCES evaluations(id)"
    "    ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  rule TEXT NOT NULL, severity TEXT NOT NULL,"
    "  path TEXT NOT NULL, fspath TEXT NOT NULL,"
    "  line INTEGER, offset INTEGER,"
    "  message TEXT NOT NULL, evidence TEXT, fingerprint TEXT NOT NULL,"
    "  PRIMARY KEY (eval_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE components ("
    "  eval_id INTEGER NOT NULL REFERENCES evaluations(id)"
    "    ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  name TEXT NOT NULL, version TEXT, cpe TEXT, purl TEXT,"
    "  confidence TEXT, copies INTEGER NOT NULL,"
    "  PRIMARY KEY (eval_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE vulnerabilities ("
    "  eval_id INTEGER NOT NULL REFERENCES evaluations(id)"
    "    ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  vuln_id TEXT NOT NULL, component_seq INTEGER NOT NULL,"
    "  severity TEXT NOT NULL, cvss REAL NOT NULL, source TEXT,"
    "  match TEXT,"
    "  PRIMARY KEY (eval_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE hardening ("
    "  eval_id INTEGER NOT NULL REFERENCES evaluations(id)"
    "    ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  file_seq INTEGER NOT NULL, machine TEXT, bits INTEGER NOT NULL,"
    "  static INTEGER NOT NULL, stripped INTEGER NOT NULL,"
    "  nx INTEGER NOT NULL, pie INTEGER NOT NULL, canary INTEGER NOT NULL,"
    "  relro TEXT NOT NULL, fortified INTEGER NOT NULL,"
    "  fortifiable INTEGER NOT NULL,"
    "  PRIMARY KEY (eval_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE engineering ("
    "  eval_id INTEGER NOT NULL REFERENCES evaluations(id)"
    "    ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  call_sites INTEGER NOT NULL, family TEXT NOT NULL,"
    "  method TEXT NOT NULL,"
    "  safe_variants INTEGER NOT NULL, safe_calls INTEGER NOT NULL,"
    "  unsafe_variants INTEGER NOT NULL, unsafe_calls INTEGER NOT NULL,"
    "  unsafe_percent REAL NOT NULL,"
    "  PRIMARY KEY (eval_id, seq)) WITHOUT ROWID;",
};

enum { SCHEMA_VERSION = sizeof migrations / sizeof migrations[0] };

int store_pragma_int(sqlite3 *db, const char *sql, int *out) {
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    *out = sqlite3_column_int(s, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(s);
  return rc;
}

/* What the file holds: ours at version *ver, empty, or something else. */
static fwvet_status probe(sqlite3 *db, int *ver, int *empty) {
  int app = 0, tables = 0;
  if (store_pragma_int(db, "PRAGMA application_id", &app) ||
      store_pragma_int(db, "PRAGMA user_version", ver) ||
      store_pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables))
    return FWVET_ECORRUPT;
  *empty = app == 0 && tables == 0;
  if (!*empty && app != STORE_APPLICATION_ID)
    return FWVET_ECORRUPT; /* some other program's database */
  if (*ver > SCHEMA_VERSION)
    return FWVET_EUNSUPPORTED; /* written by a newer fwvet */
  return FWVET_OK;
}

fwvet_status store_schema(sqlite3 *db, int create) {
  int ver = 0, empty = 0;
  fwvet_status st = probe(db, &ver, &empty);
  if (st || ver == SCHEMA_VERSION)
    return st;
  /* An older store is migrated even when opened for reading; an empty
   * file is made a store only when asked to create one. */
  if (empty && !create)
    return FWVET_ENOTFOUND;
  /* Another process may be setting up the same file: decide again once
   * the write lock is held. */
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
    return FWVET_EIO;
  st = probe(db, &ver, &empty);
  for (; !st && ver < SCHEMA_VERSION; ver++)
    if (sqlite3_exec(db, migrations[ver], NULL, NULL, NULL))
      st = FWVET_EIO;
  char sql[96];
  snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d",
           STORE_APPLICATION_ID, SCHEMA_VERSION);
  if (!st && sqlite3_exec(db, sql, NULL, NULL, NULL))
    st = FWVET_EIO;
  if (!st && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL))
    st = FWVET_EIO;
  if (st)
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  return st;
}
