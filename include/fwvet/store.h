/*
 * fwvet — evaluations and the evaluation store.
 *
 * An evaluation is what one scan of one input found, in a form that does
 * not need the input any more: findings, files, components,
 * vulnerabilities, ELF hardening and the engineering tables.  It is made
 * from a scan (fwvet_eval_from_scan()) or loaded from the store
 * (fwvet_store_load()); both give the same values in the same order, so
 * a diff of stored evaluations equals a diff of fresh scans.
 *
 * The store is an SQLite file (docs/progress.md describes the schema):
 * one transaction per evaluation, so an interrupted write leaves nothing
 * behind; WAL and a busy timeout, so several processes may write to one
 * store at once.
 */
#ifndef FWVET_STORE_H
#define FWVET_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "elf.h"
#include "finding.h"
#include "scan.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fwvet_eval fwvet_eval; /* opaque */

/* Where an evaluation came from.  Strings are owned by the evaluation;
 * product, release and created are NULL for one that was not stored. */
typedef struct fwvet_eval_info {
  int64_t id;              /* store id, 0 when not stored */
  const char *product;
  const char *release;
  const char *input_path;
  uint64_t input_size;
  const char *input_sha256; /* "" when unknown (a directory) */
  const char *tool_version;
  const char *created;     /* "2026-11-22T23:40:01Z" */
} fwvet_eval_info;

/* A regular file of the unpacked tree. */
typedef struct fwvet_eval_file {
  const char *path;   /* provenance path */
  const char *fspath; /* "" for blobs */
  const char *type;
  uint64_t size;
  const char *sha256; /* NULL when its content could not be decoded */
} fwvet_eval_file;

typedef struct fwvet_eval_component {
  const char *name;
  const char *version; /* NULL when unknown */
  const char *cpe;
  const char *purl;
  const char *confidence;
  unsigned copies;
} fwvet_eval_component;

typedef struct fwvet_eval_vuln {
  const char *id;
  const char *component; /* its name */
  const char *version;   /* its version, NULL when unknown */
  const char *severity;  /* "critical" ... "low", "none" or "unknown" */
  double cvss;           /* -1 when none */
  const char *source;
  const char *match;
} fwvet_eval_vuln;

/* The hardening of one ELF file. */
typedef struct fwvet_eval_elf {
  const char *path;
  const char *fspath;
  const char *machine;
  unsigned bits;
  int is_static, stripped;
  int nx, pie, canary;
  fwvet_relro relro;
  unsigned fortified, fortifiable;
} fwvet_eval_elf;

/* Copies what `scan` found into a new evaluation (the caller frees *out,
 * written only on success, with fwvet_eval_destroy()). */
fwvet_status fwvet_eval_from_scan(const fwvet_scan *scan, fwvet_eval **out);
void fwvet_eval_destroy(fwvet_eval *ev); /* NULL is a no-op */

/* Accessors; everything is owned by `ev`.  Findings are in the scan's
 * stable order, files and ELF files by path, components by name and
 * version, vulnerabilities as the scan listed them. */
const fwvet_eval_info *fwvet_eval_get_info(const fwvet_eval *ev);
size_t fwvet_eval_finding_count(const fwvet_eval *ev);
const fwvet_finding *fwvet_eval_finding(const fwvet_eval *ev, size_t i);
const fwvet_eval_file *fwvet_eval_files(const fwvet_eval *ev, size_t *n);
const fwvet_eval_component *fwvet_eval_components(const fwvet_eval *ev,
                                                  size_t *n);
const fwvet_eval_vuln *fwvet_eval_vulnerabilities(const fwvet_eval *ev,
                                                  size_t *n);
const fwvet_eval_elf *fwvet_eval_elfs(const fwvet_eval *ev, size_t *n);
/* The engineering table by imports (method "imports") and by call sites
 * (empty unless the scan counted them). */
const fwvet_eng_row *fwvet_eval_engineering(const fwvet_eval *ev,
                                            size_t *n);
const fwvet_eng_row *fwvet_eval_engineering_calls(const fwvet_eval *ev,
                                                  size_t *n);

/* Share of unsafe calls over all families of the imports table, in
 * percent; -1 when no family function is imported at all. */
double fwvet_eval_unsafe_percent(const fwvet_eval *ev);

/* Binaries with each hardening property. */
typedef struct fwvet_hardening_coverage {
  size_t elf_files;
  size_t nx, pie, relro_full, canary;
  size_t fortified; /* at least one *_chk function */
} fwvet_hardening_coverage;

void fwvet_eval_coverage(const fwvet_eval *ev, fwvet_hardening_coverage *c);

typedef struct fwvet_store fwvet_store; /* opaque */

/* The default store: $XDG_DATA_HOME/fwvet/store.sqlite, or
 * ~/.local/share/fwvet/store.sqlite.  Writes into `buf`; returns it, or
 * NULL when neither variable is set. */
const char *fwvet_store_default_path(char *buf, size_t cap);

/*
 * Opens the store at `path`.  With `create` the file and its directory
 * are made when missing and the schema is set up or migrated; without
 * it a missing file is FWVET_ENOTFOUND.  FWVET_ECORRUPT: not a store;
 * FWVET_EUNSUPPORTED: written by a newer fwvet.  The caller closes *out
 * with fwvet_store_close().
 */
fwvet_status fwvet_store_open(const char *path, int create,
                              fwvet_store **out);
void fwvet_store_close(fwvet_store *s); /* NULL is a no-op */

enum {
  /* Delete every earlier evaluation of the same product and release in
   * the same transaction. */
  FWVET_STORE_REPLACE = 1u << 0,
};

/*
 * Records `ev` as PRODUCT@RELEASE in one transaction: all of it or,
 * after any failure or interruption, nothing.  Waits for other writers
 * (busy timeout 60 s).  *id (if not NULL) receives the new evaluation's
 * id.  FWVET_EIO when the database cannot be written.
 */
fwvet_status fwvet_store_add(fwvet_store *s, const fwvet_eval *ev,
                             const char *product, const char *release,
                             unsigned flags, int64_t *id);

/* SQLite's description of the last failure on `s` ("database is
 * locked", "disk I/O error"); owned by `s`, valid until its next call. */
const char *fwvet_store_errmsg(fwvet_store *s);

/* Loads evaluation `id` (FWVET_ENOTFOUND when there is none). */
fwvet_status fwvet_store_load(fwvet_store *s, int64_t id, fwvet_eval **out);

/* The latest evaluation of PRODUCT@RELEASE (FWVET_ENOTFOUND: none). */
fwvet_status fwvet_store_lookup(fwvet_store *s, const char *product,
                                const char *release, int64_t *id);

/* A stored evaluation, as listed. */
typedef struct fwvet_store_entry {
  int64_t id;
  char *release;
  char *created;
  char *input_sha256;
  size_t runs; /* evaluations stored for this release */
} fwvet_store_entry;

/*
 * The latest evaluation of each release of `product`, releases ordered
 * by fwvet_version_compare() (then by name).  The caller frees the array
 * with fwvet_store_entries_free().  *n is 0 for an unknown product.
 */
fwvet_status fwvet_store_releases(fwvet_store *s, const char *product,
                                  fwvet_store_entry **out, size_t *n);
void fwvet_store_entries_free(fwvet_store_entry *e, size_t n);

#ifdef __cplusplus
}
#endif
#endif
