/*
 * Internal interface between the unpack driver and the format readers
 * (one file per format in lib/unpack/).  Not installed.
 *
 * A reader is handed the bytes of a node from a candidate offset to the end
 * of that node.  It decides whether its format starts there; if so it
 * decodes it and declares what it found through the fwvet_uctx functions,
 * and reports how many bytes the container really occupies.
 *
 * Two shapes of result:
 *  - a stream (gzip, xz, a uImage payload): exactly one entry with
 *    name == NULL; it becomes the node "<parent>/<segment>", a blob;
 *  - a container (squashfs, tar, TRX): entries with names; a container
 *    node "<parent>/<segment>" is made and entries go below it.
 * The segment is the format name, with "@0x<offset>" when the candidate is
 * not at offset 0 of its parent.
 *
 * Everything declared through a uctx is staged and committed only when the
 * reader returns FWVET_OK, so returning FWVET_ENOTFOUND after a false start
 * leaves no trace.  Damage found after the format was recognised is not an
 * error: report it with fwvet_uctx_corrupt(), keep what was decoded before
 * it, and return FWVET_OK.
 *
 * Readers run on worker threads, possibly several at once: no global
 * mutable state.  The input is hostile: every length and offset is checked
 * before use (see lib/core/cursor.h).
 */
#ifndef FWVET_UNPACK_FORMAT_H
#define FWVET_UNPACK_FORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "fwvet/vfs.h"
#include "core/buf.h"

typedef struct fwvet_uctx fwvet_uctx;

/* One entry a reader found.  Zero-initialise, then fill what is known. */
typedef struct fwvet_entry {
  /* Name inside the container, components separated by '/', as stored
   * (not normalised: the driver flags "..", absolute names and NUL).
   * NULL for the single output of a stream format. */
  const char *name;
  size_t name_len;
  fwvet_kind kind;
  uint32_t mode;        /* permission bits, 07777 */
  uint32_t uid, gid;
  int64_t mtime;
  uint64_t size;        /* declared size; for data entries the data length
                           wins if they differ (and is flagged truncated) */
  const char *link;     /* symlink target, link_len bytes */
  size_t link_len;
  uint32_t dev_major, dev_minor;
  unsigned flags;       /* FWVET_NODE_* (e.g. FWVET_NODE_HARDLINK) */
  const char *info;     /* description (uImage header...), or NULL */
} fwvet_entry;

/* The fwvet_uctx_add* functions return FWVET_OK, FWVET_ENOMEM, or
 * FWVET_ELIMIT once the reader has staged as many entries as the node
 * limit allows (the limit finding is already recorded): stop adding then
 * and return FWVET_OK with what was found. */

/* An entry without content: directory, symlink, device, fifo, socket, or
 * a file whose content could not be decoded (set FWVET_NODE_TRUNCATED). */
fwvet_status fwvet_uctx_add(fwvet_uctx *u, const fwvet_entry *e);

/* An entry whose content is `len` bytes at `p`, which must lie inside the
 * bytes passed to the reader: zero copy, the driver keeps them alive. */
fwvet_status fwvet_uctx_add_slice(fwvet_uctx *u, const fwvet_entry *e,
                                  const uint8_t *p, size_t len);

/* An entry whose content is a buffer the reader decoded; ownership of
 * `buf` (from malloc) passes to the driver, even on failure. */
fwvet_status fwvet_uctx_add_owned(fwvet_uctx *u, const fwvet_entry *e,
                                  uint8_t *buf, size_t len);

/*
 * An entry whose content is decoded later, on a worker thread, by
 * load(lu, arg): lets a filesystem reader list its files quickly and leave
 * the decompression of each to the thread pool.  The loader sets the
 * content with fwvet_uctx_set_content() and may report with
 * fwvet_uctx_corrupt()/fwvet_uctx_limit() on `lu`.  free_arg(arg) is called
 * exactly once, after the load or when the entry is discarded.
 */
typedef fwvet_status (*fwvet_load_fn)(fwvet_uctx *lu, void *arg);
fwvet_status fwvet_uctx_add_deferred(fwvet_uctx *u, const fwvet_entry *e,
                                     fwvet_load_fn load, void *arg,
                                     void (*free_arg)(void *arg));

/* In a loader: the content of the node being loaded.  Ownership of `buf`
 * (malloc) passes to the driver, even on failure. */
fwvet_status fwvet_uctx_set_content(fwvet_uctx *lu, uint8_t *buf, size_t len);

/* A reference to the bytes handed to the reader (the parent's content), to
 * keep them alive in a deferred loader's arg.  Release with fwvet_buf_release. */
fwvet_buf *fwvet_uctx_retain_input(fwvet_uctx *u);

/* Description of the container/stream (e.g. "uImage: name=..., arch=...").
 * Replaces any earlier one. */
void fwvet_uctx_info(fwvet_uctx *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Findings.  Messages start with the format's name ("squashfs: ..."),
 * are lower case and have no final period.
 *
 * An `unpack.corrupt` finding: `offset` is relative to the bytes handed to
 * the reader (the driver adds the candidate offset). */
void fwvet_uctx_corrupt(fwvet_uctx *u, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An `unpack.limit` finding for limit `which` ("ratio", "file-bytes",
 * "total-bytes", "seconds", "nodes", "depth"). */
void fwvet_uctx_limit(fwvet_uctx *u, const char *which, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An `unpack.unsupported` finding (e.g. an unknown compressor id). */
void fwvet_uctx_unsupported(fwvet_uctx *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const fwvet_limits *fwvet_uctx_limits(const fwvet_uctx *u);

/*
 * How many bytes a stream decoded from `in_len` input bytes may produce:
 * the least of the per-file limit, in_len * ratio + 1 MiB of slack, and
 * what is left of the total budget.  A decoder that would go past it stops,
 * calls fwvet_uctx_limit() with the limit fwvet_uctx_out_limit_name() names,
 * and keeps what it decoded.
 */
uint64_t fwvet_uctx_out_limit(fwvet_uctx *u, uint64_t in_len);
const char *fwvet_uctx_out_limit_name(fwvet_uctx *u, uint64_t in_len);

/* Non-zero once this reader or loader has used more CPU time than the
 * per-stream limit; the caller reports it with fwvet_uctx_limit(u,
 * "seconds", ...) and stops.  Cheap enough to call every block. */
int fwvet_uctx_timed_out(fwvet_uctx *u);

/* A format reader. */
typedef struct fwvet_magic {
  const char *bytes;    /* NULL ends the list */
  unsigned len;
  unsigned at;          /* where the magic sits relative to the start */
} fwvet_magic;

enum {
  FWVET_FMT_AT_START = 1 << 0, /* only at offset 0 of a node */
};

typedef struct fwvet_format {
  const char *name;           /* segment name and type: "squashfs" */
  fwvet_magic magic[5];       /* any one of these starts a candidate */
  unsigned flags;
  /* Decode the container at data[0..len).  Return FWVET_OK with *consumed
   * set to its true size (> 0, <= len), FWVET_ENOTFOUND when this is not
   * the format (nothing staged is kept), FWVET_ENOMEM when out of memory. */
  fwvet_status (*unpack)(fwvet_uctx *u, const uint8_t *data, size_t len,
                         size_t *consumed);
} fwvet_format;

/* The registry, in lib/unpack/registry.c: NULL-terminated. */
extern const fwvet_format *const fwvet_formats[];

/* Looks a format up by name; NULL when unknown. */
const fwvet_format *fwvet_format_find(const char *name);

#endif
