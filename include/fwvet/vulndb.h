/* fwvet — the offline vulnerability database (SQLite) and version
 * comparison.  Nothing here touches the network. */
#ifndef FWVET_VULNDB_H
#define FWVET_VULNDB_H

#include <stddef.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Compares two version strings the way the components of firmware are
 * numbered: numeric runs numerically (4.14.180 > 4.14.18), letters
 * after a number as OpenSSL letter releases (1.0.2k < 1.0.2t < 1.1.0),
 * pre-release tags before the release (1.0.0-rc1 < 1.0.0), Dropbear's
 * 2022.83, an epoch "N:" first.  Returns <0, 0 or >0.
 */
int fwvet_version_compare(const char *a, const char *b);

/*
 * Splits a package version ("1:2.36-9+deb12u4") into the upstream
 * version ("2.36") written to `out` (NUL-terminated, truncated to `cap`).
 * Returns 1 when a distribution revision was present, 0 when not.
 */
int fwvet_version_upstream(const char *pkgver, char *out, size_t cap);

typedef struct fwvet_vulndb fwvet_vulndb; /* opaque */

/* The default database: $XDG_DATA_HOME/fwvet/vulndb.sqlite, or
 * ~/.local/share/fwvet/vulndb.sqlite.  Writes into `buf`; returns it, or
 * NULL when neither variable is set. */
const char *fwvet_vulndb_default_path(char *buf, size_t cap);

/* Opens `path`; with `create` the file (and its directory) is created
 * and the schema set up if needed, otherwise a missing file is
 * FWVET_ENOTFOUND.  The caller frees *out with fwvet_vulndb_close(). */
fwvet_status fwvet_vulndb_open(const char *path, int create,
                               fwvet_vulndb **out);
void fwvet_vulndb_close(fwvet_vulndb *db); /* NULL is a no-op */

typedef struct fwvet_vulndb_stats {
  size_t added;    /* records new to the database */
  size_t updated;  /* records that replaced an earlier version */
  size_t skipped;  /* records without anything to match on */
} fwvet_vulndb_stats;

/*
 * Imports one file: NVD CVE JSON 2.0 (an API 2.0 response or a feed
 * file) or OSV JSON (one record, a list of records, or a zip archive of
 * them), plain or gzip-compressed; the format is recognised by content.
 * One transaction per file: a file that fails leaves the database as it
 * was.  Re-importing a record replaces it (a record now rejected or
 * withdrawn is removed and counted as skipped).  `err` receives
 * "FILE: why" on failure (FWVET_EIO: unreadable; FWVET_ECORRUPT: not
 * valid NVD or OSV JSON, gzip or zip; FWVET_ELIMIT: over 2 GiB, or
 * decoding to more).  Adds to *stats on success only.  The handle must
 * have been opened with `create`.
 */
fwvet_status fwvet_vulndb_import(fwvet_vulndb *db, const char *path,
                                 fwvet_vulndb_stats *stats, char *err,
                                 size_t errcap);

/* What a component is, for matching. */
typedef struct fwvet_vuln_query {
  const char *vendor;  /* CPE vendor, for NVD records */
  const char *product; /* CPE product, for NVD records */
  const char *name;    /* package name, for OSV records */
  const char *version; /* upstream version */
} fwvet_vuln_query;

typedef struct fwvet_vuln_match {
  const char *id;
  const char *source;       /* "nvd" or "osv" */
  const char *severity;     /* "critical", "high", "medium", "low",
                               "none" or "unknown" */
  double cvss;              /* base score, -1 when none */
  const char *cvss_version; /* "3.1", "3.0", "2.0" or NULL */
  const char *summary;      /* or NULL */
  const char *match;        /* why: "versionEndExcluding 1.0.2h" */
} fwvet_vuln_match;

/* Called once per matching record; strings are valid during the call
 * only.  Returning non-zero stops the search (FWVET_ECANCELLED). */
typedef int (*fwvet_vuln_fn)(void *ud, const fwvet_vuln_match *m);

/* Every record whose affected ranges contain `q->version`, each once,
 * ordered by id: NVD records by q->vendor and q->product (both needed),
 * OSV records by q->name, names compared in any case.  A NULL or empty
 * version matches only records that affect every version.  An id found
 * in both sources is reported once, from NVD.  Thread-safe for
 * concurrent readers of one handle. */
fwvet_status fwvet_vulndb_match(fwvet_vulndb *db, const fwvet_vuln_query *q,
                                fwvet_vuln_fn fn, void *ud);

#ifdef __cplusplus
}
#endif
#endif
