/* fwvet — third-party components found in an image, their copies and
 * their known vulnerabilities. */
#ifndef FWVET_COMPONENT_H
#define FWVET_COMPONENT_H

#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a component was recognised at one location. */
typedef enum fwvet_evidence_kind {
  FWVET_EVIDENCE_STRING = 0, /* a version string in the file's bytes */
  FWVET_EVIDENCE_FILENAME,   /* the file's name (libz.so.1.2.11) */
  FWVET_EVIDENCE_PACKAGE,    /* a package database record (opkg, dpkg) */
} fwvet_evidence_kind;

const char *fwvet_evidence_kind_name(fwvet_evidence_kind k);

typedef struct fwvet_location {
  const char *path;     /* provenance path of the file */
  const char *fspath;   /* path inside the filesystem, "" for blobs */
  const char *sha256;   /* of the file, "" when unknown */
  uint64_t offset;      /* of the evidence in the file, or FWVET_NO_OFFSET */
  fwvet_evidence_kind kind;
  const char *evidence; /* the text that identified it, as found */
} fwvet_location;

typedef struct fwvet_component {
  const char *name;    /* common lower-case name: "openssl" */
  const char *version; /* upstream version, or NULL when unknown */
  /* The full version as a package database gave it (epoch and distro
   * revision included, "1.1.1n-0+deb11u4"), or NULL. */
  const char *package_version;
  const char *vendor;  /* NVD CPE vendor: "openssl" */
  const char *product; /* NVD CPE product: "openssl" */
  const char *cpe;     /* CPE 2.3 formatted string */
  const char *purl;    /* package URL */
  const char *confidence; /* "high", "medium" or "low" */
  /* Files holding a copy (separate files and copies linked into other
   * binaries; package records are locations but not copies). */
  unsigned copies;
  const fwvet_location *locations; /* ordered by path */
  size_t nlocations;
} fwvet_component;

/* The copy census: per product, copies per version. */
typedef struct fwvet_census_version {
  const char *version; /* "unknown" when no version could be read */
  unsigned copies;
} fwvet_census_version;

typedef struct fwvet_census_row {
  const char *name;
  unsigned copies; /* all versions together */
  const fwvet_census_version *versions; /* by version, ascending */
  size_t nversions;
} fwvet_census_row;

/* A known vulnerability of a component. */
typedef struct fwvet_vulnerability {
  const char *id;        /* "CVE-2016-2107", "GHSA-...", ... */
  size_t component;      /* index into the scan's components */
  const char *severity;  /* "critical" ... "low", or "unknown" */
  double cvss;           /* base score, or -1 when the record has none */
  const char *cvss_version; /* "3.1", "3.0", "2.0", or NULL */
  const char *source;    /* "nvd" or "osv" */
  const char *summary;   /* first description, or NULL */
  /* Why it matched, e.g. "versionEndExcluding 1.0.2h". */
  const char *match;
  /* Set when the component's version carries a distribution revision:
   * distributions backport fixes, so the package may be fixed even
   * though its upstream version is in the vulnerable range. */
  int distro_may_fix;
} fwvet_vulnerability;

/*
 * Checks a signature file (data/signatures.txt format) as `fwvet scan
 * --signatures` would use it, together with the built-in signatures:
 * FWVET_OK, or an error with the reason ("FILE:LINE: ...") in `err`.
 */
fwvet_status fwvet_signatures_check(const char *path, char *err,
                                    size_t errcap);

#ifdef __cplusplus
}
#endif
#endif
