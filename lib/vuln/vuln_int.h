/* The vulnerability database's insides: what the NVD and OSV readers
 * hand to the store, CVSS scoring, and the in-memory entry points the
 * tests and the fuzz target use (internal). */
#ifndef FWVET_VULN_INT_H
#define FWVET_VULN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "fwvet/vulndb.h"

#define VULN_SCHEMA_VERSION 1
#define VULN_APPLICATION_ID 0x66777664 /* "fwvd" */

/* Decoded bytes per imported file (a gzip bomb stops here). */
#define VULN_MAX_DECODED ((uint64_t)2 << 30)
/* Past this many decoded bytes, gzip data may not expand more than
 * VULN_MAX_RATIO:1.  NVD and OSV JSON compresses about 30:1; deflate's
 * ceiling, reached by bombs, is about 1030:1. */
#define VULN_RATIO_FLOOR ((uint64_t)64 << 20)
#define VULN_MAX_RATIO 250
/* Affected rows per record: NVD's largest records have a few thousand. */
#define VULN_MAX_AFFECTED 100000

struct fwvet_vulndb {
  sqlite3 *db;
  int writable;
  uint64_t max_decoded; /* VULN_MAX_DECODED unless a test lowers it */
  uint64_t ratio_floor; /* VULN_RATIO_FLOOR, likewise */
};

/* One record as the readers found it; strings borrowed from the JSON. */
typedef struct vuln_record {
  const char *source; /* "nvd" or "osv" */
  const char *id;
  const char *modified;  /* or NULL */
  const char *published; /* or NULL */
  const char *summary;   /* or NULL */
  double cvss;           /* -1 when none */
  const char *cvss_version; /* "3.1", "3.0", "2.0" or NULL */
  const char *severity;     /* lower case; "unknown" when none */
} vuln_record;

/*
 * One affected product and the versions it covers.  A row with `exact`
 * covers that version only; otherwise [start, end] with each bound
 * inclusive or not, an empty bound being open.  Rows of one record with
 * the same `group` (an NVD configuration, an OSV affected entry) are
 * judged together: a version is affected by a group when a row without
 * `negate` covers it and no row with `negate` does.
 */
typedef struct vuln_affected {
  char vendor[128], product[128]; /* NVD CPE, lower case, unescaped */
  char name[128];                 /* OSV package name, lower case */
  char ecosystem[64];
  char exact[128];
  char start[128], end[128];
  int start_incl, end_incl;
  int group;
  int negate;
  char why[320]; /* "versionEndExcluding 1.0.2h" */
} vuln_affected;

/* Rows being collected for one record (a growing, capped array). */
typedef struct vuln_rows {
  vuln_affected *v;
  size_t n, cap;
} vuln_rows;

/* A new zeroed row, or NULL when out of memory or over the cap. */
vuln_affected *vuln_rows_add(vuln_rows *r);
void vuln_rows_release(vuln_rows *r);

/* An import in progress: one file, one transaction. */
typedef struct vuln_import {
  fwvet_vulndb *vdb;
  sqlite3_stmt *find, *del_rows, *del_rec, *ins_rec, *ins_row;
  fwvet_vulndb_stats stats;
  char *err;
  size_t errcap;
} vuln_import;

/* Replaces record `r` by `r` with `rows` (none: it is skipped, and an
 * earlier version of it removed).  Counts it in im->stats. */
fwvet_status vuln_store(vuln_import *im, const vuln_record *r,
                        const vuln_rows *rows);

/* The readers: one NVD "vulnerabilities" element ({"cve": {...}}), one
 * OSV record.  A record that is not an object or lacks an id is
 * FWVET_ECORRUPT with a message in im->err. */
fwvet_status vuln_nvd_item(vuln_import *im, json_t *item);
fwvet_status vuln_osv_record(vuln_import *im, json_t *rec);

/* Base score of a CVSS v3.0/v3.1 vector ("CVSS:3.1/AV:N/...") or a v2
 * vector ("AV:N/AC:L/Au:N/C:P/I:P/A:P"); -1 when it is not one. */
double vuln_cvss3_score(const char *vector);
double vuln_cvss2_score(const char *vector);
/* Severity name of a score for CVSS major version 2 or 3. */
const char *vuln_severity_of(double score, int major);

/* Copies `s` lower-cased into out[cap] (truncating). */
void vuln_lower(char *out, size_t cap, const char *s);

/* One file (or zip entry) being imported: messages start with `name`. */
typedef struct vuln_ctx {
  vuln_import *im;
  const char *name;
  uint64_t budget; /* decoded bytes still allowed */
} vuln_ctx;

/* One record's JSON at most. */
#define VULN_MAX_RECORD ((size_t)256 << 20)

/* Writes "NAME: <message>" to im->err; returns `st`. */
fwvet_status vuln_fail(vuln_ctx *c, fwvet_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Imports one JSON document (NVD response or feed, OSV record, list of
 * records or {"vulns": [...]}), record by record. */
fwvet_status vuln_import_json(vuln_ctx *c, const uint8_t *d, size_t len);

/* Imports `len` bytes as the file `name` (used for messages).  Same
 * contract as fwvet_vulndb_import. */
fwvet_status vuln_import_mem(fwvet_vulndb *db, const char *name,
                             const uint8_t *data, size_t len,
                             fwvet_vulndb_stats *stats, char *err,
                             size_t errcap);

/* A private, empty, writable database in memory. */
fwvet_status vuln_open_memory(fwvet_vulndb **out);

#endif
