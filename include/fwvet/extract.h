/* fwvet — writing an unpacked tree to disk, safely. */
#ifndef FWVET_EXTRACT_H
#define FWVET_EXTRACT_H

#include "vfs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fwvet_extractor fwvet_extractor;

/* Called (from worker threads, serialised by the extractor) for each node
 * that was not written, with the reason. */
typedef void (*fwvet_extract_report_fn)(void *ud, const fwvet_node *node,
                                        fwvet_status why, const char *detail);

typedef struct fwvet_extract_stats {
  uint64_t files, dirs, symlinks, bytes;
  uint64_t refused;   /* unsafe names, existing paths, links in the way */
  uint64_t skipped;   /* devices, fifos, sockets: recorded, not created */
} fwvet_extract_stats;

/*
 * Writes nodes under directory `dir` (created if missing) as they are
 * unpacked: pass fwvet_extractor_visit with the extractor as visit_ud in
 * fwvet_open_options.  On disk each provenance path below the root becomes
 * a path below `dir`; a file in which data was carved keeps its content at
 * its own path and its children go under "<path>.extracted/".
 *
 * Guarantees: nothing outside `dir` is created or modified; symlinks are
 * created but never followed; existing files are never overwritten; names
 * with "..", ".", empty components or NUL are refused; setuid, setgid and
 * sticky bits are dropped; devices, fifos and sockets are not created.
 * Each refusal goes to `report` (may be NULL).  Fails only when `dir`
 * itself is unusable (FWVET_EIO, errno says why).  Free with
 * fwvet_extractor_destroy().
 */
fwvet_status fwvet_extractor_create(const char *dir,
                                    fwvet_extract_report_fn report, void *ud,
                                    fwvet_extractor **out);

/* A fwvet_visit_fn; `ud` is the extractor.  Never stops the run.
 * Symlinks are queued for fwvet_extractor_finish(). */
int fwvet_extractor_visit(void *ud, const fwvet_node *node,
                          const uint8_t *data, size_t len);

/* Creates the symlinks, which are made after everything else so that no
 * path is ever written through one.  Call once the unpack run is over,
 * before the vfs is destroyed (the refusal report names nodes). */
void fwvet_extractor_finish(fwvet_extractor *ex);

/* Copies the totals so far into `stats`. */
void fwvet_extractor_stats(const fwvet_extractor *ex,
                           fwvet_extract_stats *stats);

void fwvet_extractor_destroy(fwvet_extractor *ex); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif
