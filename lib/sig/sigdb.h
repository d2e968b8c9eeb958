/*
 * The component signature database (internal): products from
 * data/signatures.txt and --signatures files, their string and file-name
 * patterns compiled into two Hyperscan databases, so that one pass over a
 * file tries every signature at once.
 */
#ifndef FWVET_SIG_SIGDB_H
#define FWVET_SIG_SIGDB_H

#include <stddef.h>
#include <stdint.h>

#include "fwvet/component.h"
#include "fwvet/status.h"

typedef struct fwvet_sigprod {
  char *name;           /* "openssl" */
  char part;            /* CPE part: 'a', 'o' (linux) or 'h' */
  char *vendor;         /* CPE vendor */
  char *product;        /* CPE product */
  char *purl;           /* without version: "pkg:generic/openssl" */
  char **packages;      /* package database names */
  size_t npackages, cappackages;
  /* Functions whose import marks a program linked against the product:
   * its version string there is the product's header text compiled in,
   * not a copy. */
  char **linked;
  size_t nlinked, caplinked;
} fwvet_sigprod;

typedef struct fwvet_sigdb fwvet_sigdb;

/*
 * Parses the signature text `text` (data/signatures.txt format) and adds
 * its products to *db (a new database when *db is NULL).  `origin` names
 * the text in errors ("signatures.txt:12: ...").  Nothing is compiled
 * yet: call fwvet_sigdb_compile() once every text is in.  On failure *db
 * is unchanged apart from products of earlier texts and `err` holds why.
 */
fwvet_status fwvet_sigdb_add(fwvet_sigdb **db, const char *text, size_t len,
                             const char *origin, char *err, size_t errcap);

/* Adds the built-in database (compiled into the library). */
fwvet_status fwvet_sigdb_add_builtin(fwvet_sigdb **db, char *err,
                                     size_t errcap);

/* Adds the products of the signature file `path`. */
fwvet_status fwvet_sigdb_add_file(fwvet_sigdb **db, const char *path,
                                  char *err, size_t errcap);

/* Compiles the patterns.  After this the database is read-only and may be
 * shared by threads. */
fwvet_status fwvet_sigdb_compile(fwvet_sigdb *db, char *err, size_t errcap);

void fwvet_sigdb_free(fwvet_sigdb *db); /* NULL is a no-op */

size_t fwvet_sigdb_count(const fwvet_sigdb *db);
const fwvet_sigprod *fwvet_sigdb_product(const fwvet_sigdb *db, size_t i);
size_t fwvet_sigdb_pattern_count(const fwvet_sigdb *db);

/* The product a package database calls `pkgname`, or -1. */
long fwvet_sigdb_package(const fwvet_sigdb *db, const char *pkgname);

/* One recognised occurrence. */
typedef struct fwvet_sighit {
  size_t product;       /* index into the database */
  fwvet_evidence_kind kind;
  uint64_t offset;      /* of the evidence in the data (strings) */
  const char *version;  /* NULL when the pattern has no version */
  const char *evidence; /* the matched text, printable */
} fwvet_sighit;

/* Called per hit; strings are valid during the call only.  Non-zero
 * stops the scan. */
typedef int (*fwvet_sighit_fn)(void *ud, const fwvet_sighit *hit);

/*
 * One Hyperscan pass of every string signature over data[0..len).  Each
 * occurrence is reported once, with its longest match.  Thread-safe.
 * FWVET_ENOMEM, or FWVET_ECANCELLED when `fn` stopped it.
 */
fwvet_status fwvet_sigdb_scan(const fwvet_sigdb *db, const uint8_t *data,
                              size_t len, fwvet_sighit_fn fn, void *ud);

/* The file-name signatures over a base name (the whole name must match). */
fwvet_status fwvet_sigdb_scan_name(const fwvet_sigdb *db, const char *name,
                                   fwvet_sighit_fn fn, void *ud);

#endif
