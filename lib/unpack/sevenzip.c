/*
 * 7z through libarchive.  The 32-byte start header, guarded by its own
 * CRC, says where the archive's header block lies; the archive ends with
 * that block.
 */
#include <archive.h>
#include <string.h>
#include <zlib.h>

#include "core/cursor.h"
#include "unpack/archive_glue.h"

#define START_HDR 32

static fwvet_status sevenzip_probe(fwvet_uctx *u, const uint8_t *d, size_t len,
                                   fwvet_archive_hint *hint) {
  if (len < START_HDR || memcmp(d, "7z\xbc\xaf\x27\x1c", 6) != 0 || d[6] != 0)
    return FWVET_ENOTFOUND;
  if ((uint32_t)crc32(0L, d + 12, 20) != fwvet_load_le(d + 8, 4))
    return FWVET_ENOTFOUND;
  uint64_t next_off = fwvet_load_le(d + 12, 8);
  uint64_t next_size = fwvet_load_le(d + 20, 8);
  if (next_off > UINT64_MAX - START_HDR ||
      next_size > UINT64_MAX - START_HDR - next_off)
    return FWVET_ENOTFOUND;
  hint->size = START_HDR + next_off + next_size;
  /* Everything libarchive needs is in the header block at the end. */
  hint->unreadable = hint->size > len;
  return FWVET_OK;
}

static const fwvet_archive_format sevenzip_archive = {
    .name = "7z",
    .enable = archive_read_support_format_7zip,
    .probe = sevenzip_probe};

static fwvet_status sevenzip_unpack(fwvet_uctx *u, const uint8_t *data,
                                    size_t len, size_t *consumed) {
  return fwvet_archive_unpack(u, &sevenzip_archive, data, len, consumed);
}

const fwvet_format fwvet_format_sevenzip = {
    "7z", {{"7z\xbc\xaf\x27\x1c", 6, 0}, {NULL, 0, 0}}, 0, sevenzip_unpack};
