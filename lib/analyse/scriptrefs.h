/*
 * Scripts found by where they are referenced (scriptrefs.c): a file
 * without a shebang that inittab or a systemd unit runs is boot code all
 * the same.  Analysers see one file at a time and in any order, so the
 * services analyser records, through the sink, the paths inittab and
 * units run, and keeps a copy of each small text file that could be such
 * a script; once the tree is complete the scan hands the referenced ones
 * back to the services analyser.
 */
#ifndef FWVET_ANALYSE_SCRIPTREFS_H
#define FWVET_ANALYSE_SCRIPTREFS_H

#include <stddef.h>
#include <stdint.h>

#include "fwvet/vfs.h"

/* A candidate is kept when at most this big, while the scan's copies
 * stay under the total; beyond it a script is found by shebang only. */
#define FWVET_SCRIPTREFS_MAX_FILE (64u << 10)
#define FWVET_SCRIPTREFS_MAX_TOTAL (16u << 20)
#define FWVET_SCRIPTREFS_MAX_REFS 65536u

typedef struct fwvet_scriptref {
  const fwvet_node *from; /* inittab or the unit */
  char *path;             /* the absolute path it runs */
} fwvet_scriptref;

typedef struct fwvet_scriptcand {
  const fwvet_node *node;
  uint8_t *data;
  size_t len;
} fwvet_scriptcand;

typedef struct fwvet_scriptrefs {
  fwvet_scriptref *refs;
  size_t nrefs, caprefs;
  fwvet_scriptcand *cands;
  size_t ncands, capcands, bytes;
} fwvet_scriptrefs;

void fwvet_scriptrefs_release(fwvet_scriptrefs *r);

/* Records that `from` runs `path` (copied).  Not thread-safe: the sink
 * calls these under its lock.  Out of memory or a cap loses the record. */
void fwvet_scriptrefs_add_ref(fwvet_scriptrefs *r, const fwvet_node *from,
                              const char *path);
/* Keeps a copy of `data` as a possible script. */
void fwvet_scriptrefs_add_candidate(fwvet_scriptrefs *r, const fwvet_node *node,
                                    const uint8_t *data, size_t len);

/* Called once per kept file that a reference in its own filesystem
 * names, with the first such reference, in a stable order. */
typedef void (*fwvet_scriptrefs_fn)(void *ud, const fwvet_node *node,
                                    const uint8_t *data, size_t len,
                                    const fwvet_node *from);
void fwvet_scriptrefs_each(fwvet_scriptrefs *r, fwvet_scriptrefs_fn fn,
                           void *ud);

/* The services analyser's check of such a script (services.c); `ud` is
 * the scan's sink. */
void fwvet_services_referenced(void *ud, const fwvet_node *node,
                               const uint8_t *data, size_t len,
                               const fwvet_node *from);

#endif
