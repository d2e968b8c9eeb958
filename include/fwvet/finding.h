/* fwvet — findings: what a run reports about the input. */
#ifndef FWVET_FINDING_H
#define FWVET_FINDING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fwvet_severity {
  FWVET_SEV_INFO = 0,
  FWVET_SEV_LOW,
  FWVET_SEV_MEDIUM,
  FWVET_SEV_HIGH,
  FWVET_SEV_CRITICAL,
} fwvet_severity;

/* "info", "low", ... ; never NULL. */
const char *fwvet_severity_name(fwvet_severity sev);
/* Parses a severity name; returns -1 when `name` is not one. */
int fwvet_severity_parse(const char *name);

/*
 * A finding.  All strings are owned by the object that handed the finding
 * out (the vfs or scan) and live as long as it does.  Optional fields are
 * NULL (strings) or FWVET_NO_OFFSET / 0 (line).
 */
#define FWVET_NO_OFFSET UINT64_MAX

typedef struct fwvet_finding {
  const char *rule;        /* stable id, e.g. "unpack.corrupt" */
  fwvet_severity severity;
  const char *path;        /* provenance path of the node concerned */
  const char *fspath;      /* path inside its filesystem, "" for blobs */
  uint64_t offset;         /* byte offset in that node, or FWVET_NO_OFFSET */
  unsigned line;           /* 1-based line, 0 when not applicable */
  const char *message;     /* one sentence a person understands */
  const char *evidence;    /* the bytes or text that triggered it, or NULL */
  const char *fingerprint; /* hex; same issue in another release => same */
} fwvet_finding;

#ifdef __cplusplus
}
#endif
#endif
