/* A thread-safe, growable list of findings that owns their strings
 * (internal). */
#ifndef FWVET_CORE_FINDINGS_H
#define FWVET_CORE_FINDINGS_H

#include <pthread.h>
#include <stddef.h>

#include "fwvet/finding.h"
#include "fwvet/status.h"

typedef struct fwvet_findings {
  pthread_mutex_t lock;
  fwvet_finding *items;
  size_t count, cap;
} fwvet_findings;

void fwvet_findings_init(fwvet_findings *l);
void fwvet_findings_release(fwvet_findings *l);

/* Adds a finding; every string is copied, `fspath` and `evidence` may be
 * NULL.  The fingerprint is computed from rule, location (fspath, else
 * path without carving offsets) and evidence.  Thread-safe. */
fwvet_status fwvet_findings_add(fwvet_findings *l, const char *rule,
                                fwvet_severity sev, const char *path,
                                const char *fspath, uint64_t offset,
                                unsigned line, const char *evidence,
                                const char *message);

/* The documented stable order: path ('/' first), offset, line, rule,
 * message. */
int fwvet_finding_cmp(const fwvet_finding *a, const fwvet_finding *b);
void fwvet_findings_sort(fwvet_findings *l);

/* Path order in which '/' sorts before every other byte, so a directory's
 * descendants follow it directly. */
int fwvet_path_cmp(const char *a, const char *b);

#endif
