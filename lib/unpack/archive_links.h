/*
 * Hard links inside an archive (internal to archive_glue.c): which input
 * bytes each regular file so far holds, so a later link can share them,
 * and the links still waiting for their data (newc cpio stores a
 * multiply-linked file's data with its last link only).
 */
#ifndef FWVET_UNPACK_ARCHIVE_LINKS_H
#define FWVET_UNPACK_ARCHIVE_LINKS_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/format.h"

typedef struct fwvet_link_slot fwvet_link_slot;
typedef struct fwvet_link_wait fwvet_link_wait;

/* Zero-initialise; release with fwvet_links_release(). */
typedef struct fwvet_links {
  fwvet_link_slot *slots; /* open addressing by name */
  size_t cap, used;
  fwvet_link_wait *wait;
  size_t nwait;
} fwvet_links;

/* Records that `name` holds `len` bytes at `p` (a slice of the input), or
 * content that cannot be shared (p NULL).  A later entry of the same name
 * replaces it, as it would on extraction. */
fwvet_status fwvet_links_put(fwvet_links *l, const char *name, const uint8_t *p,
                             size_t len);

/* The shared bytes of `name`: non-zero, with *p and *len set, when known. */
int fwvet_links_get(fwvet_links *l, const char *name, const uint8_t **p,
                    size_t *len);

/* Non-zero while another entry may wait (the list is bounded). */
int fwvet_links_can_wait(const fwvet_links *l);

/* Keeps `e` (copied), a link without data, until the data of `target`
 * (its hard link target, or its own name when NULL) turns up. */
fwvet_status fwvet_links_wait(fwvet_links *l, const fwvet_entry *e,
                              const char *target);

/* Declares through `u` the waiting links of `target` with the content of
 * `from`: `len` bytes at `data` (a slice of the input), or no content when
 * `data` is NULL.  With `target` NULL, declares every waiting link without
 * content (at the end of the archive).  Returns what fwvet_uctx_add*
 * returned first when it failed. */
fwvet_status fwvet_links_resolve(fwvet_links *l, fwvet_uctx *u,
                                 const char *target, const fwvet_entry *from,
                                 const uint8_t *data, size_t len);

void fwvet_links_release(fwvet_links *l);

#endif
