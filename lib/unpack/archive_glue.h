/*
 * Archive readers backed by libarchive (tar, cpio, zip, 7z, iso9660, ar):
 * the shared glue (internal).  Each format file only names its libarchive
 * format and, where the bytes tell it cheaply, checks the candidate and
 * finds where the archive ends.
 *
 * Exactly one libarchive format and no filter is enabled per call, so a
 * compressed member stays compressed here and is unpacked by our own
 * readers one level down, with its own path segment and limits.
 */
#ifndef FWVET_UNPACK_ARCHIVE_GLUE_H
#define FWVET_UNPACK_ARCHIVE_GLUE_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/format.h"

struct archive;

/* What a format's probe learnt from the bytes before libarchive runs. */
typedef struct fwvet_archive_hint {
  /* The archive's declared size (may exceed the bytes present), or 0
   * when it is known only after reading it to its end. */
  uint64_t size;
  /* Read to its end, the archive occupies the bytes libarchive consumed
   * rounded up to this (cpio pads entries); 0 means 1. */
  unsigned align;
  /* libarchive sees only the first `feed` bytes (0: all).  It allocates
   * whatever size a header claims before finding the bytes missing, so a
   * probe that sees such a header stops the feed before it. */
  uint64_t feed;
  /* Nothing is readable (a 7z whose header block is cut off): report the
   * truncation only. */
  int unreadable;
} fwvet_archive_hint;

typedef struct fwvet_archive_format {
  const char *name; /* for messages: "tar" */
  /* Enables the one libarchive format (archive_read_support_format_*). */
  int (*enable)(struct archive *a);
  /* Optional: rejects a candidate cheaply (FWVET_ENOTFOUND) and fills in
   * the hint (zeroed by the caller).  May report through `u`. */
  fwvet_status (*probe)(fwvet_uctx *u, const uint8_t *data, size_t len,
                        fwvet_archive_hint *hint);
  /* Device numbers arrive as one value, major in the high 32 bits and
   * minor in the low ones (libarchive's reading of Rock Ridge "PN"), not
   * as the host's dev_t. */
  int rdev_hi_lo;
} fwvet_archive_format;

/*
 * Reads the archive at data[0..len) with libarchive and declares every
 * entry through `u`, as a format's unpack function does (see format.h).
 * Stored members that are one run of the input are zero-copy slices;
 * decoded ones are owned buffers capped by the file, ratio and total
 * limits.  FWVET_ENOTFOUND when libarchive cannot read the first header
 * and the probe gave no declared size.
 */
fwvet_status fwvet_archive_unpack(fwvet_uctx *u,
                                  const fwvet_archive_format *fmt,
                                  const uint8_t *data, size_t len,
                                  size_t *consumed);

#endif
