/*
 * tar (ustar, GNU, pax) through libarchive.  The "ustar" magic sits at
 * offset 257 of the first header.  The archive ends after its two zero
 * blocks, or where the bytes end if a writer left them out.
 */
#include <archive.h>

#include "unpack/archive_glue.h"

static const fwvet_archive_format tar_archive = {
    .name = "tar", .enable = archive_read_support_format_tar};

static fwvet_status tar_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                               size_t *consumed) {
  return fwvet_archive_unpack(u, &tar_archive, data, len, consumed);
}

const fwvet_format fwvet_format_tar = {
    "tar", {{"ustar", 5, 257}, {NULL, 0, 0}}, 0, tar_unpack};
