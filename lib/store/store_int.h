/* The evaluation store (internal). */
#ifndef FWVET_STORE_STORE_INT_H
#define FWVET_STORE_STORE_INT_H

#include <sqlite3.h>

#include "fwvet/store.h"

/* PRAGMA application_id of a store: "fwst". */
#define STORE_APPLICATION_ID 0x66777374

struct fwvet_store {
  sqlite3 *db;
  char err[256]; /* why the last fwvet_store_add() failed, or "" */
};

/* Runs a one-value query; an SQLite result code. */
int store_pragma_int(sqlite3 *db, const char *sql, int *out);

/* Migrates an older schema, or sets one up in an empty file when
 * `create` (FWVET_ENOTFOUND otherwise), inside one transaction. */
fwvet_status store_schema(sqlite3 *db, int create);

/* Writing and reading one evaluation (store_write.c, store_read.c). */
fwvet_status store_write_eval(sqlite3 *db, const fwvet_eval *ev,
                              int64_t product_id, const char *release,
                              int64_t *id);
fwvet_status store_read_eval(sqlite3 *db, int64_t id, fwvet_eval **out);

#endif
