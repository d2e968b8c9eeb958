/*
 * ISO 9660 (with Rock Ridge and Joliet) through libarchive.  The volume
 * descriptors start at 32 KiB; the primary one gives the volume's size in
 * logical blocks, and so where the image ends.
 */
#include <archive.h>
#include <string.h>

#include "core/cursor.h"
#include "unpack/archive_glue.h"

#define VD_START 0x8000
#define VD_SIZE 2048
#define VD_MAX 64 /* descriptors looked at before giving up */
#define CUT_SLACK (16u << 20)

static fwvet_status iso_probe(fwvet_uctx *u, const uint8_t *d, size_t len,
                              fwvet_archive_hint *hint) {
  for (size_t i = 0; i < VD_MAX; i++) {
    size_t at = VD_START + i * VD_SIZE;
    if (!fwvet_fits(at, VD_SIZE, len))
      return FWVET_ENOTFOUND;
    const uint8_t *vd = d + at;
    if (memcmp(vd + 1, "CD001", 5) != 0 || vd[6] != 1 || vd[0] == 255)
      return FWVET_ENOTFOUND;
    if (vd[0] != 1)
      continue;
    uint64_t blocks = fwvet_load_le(vd + 80, 4);
    uint64_t bsize = fwvet_load_le(vd + 128, 2);
    if (blocks != fwvet_load_be(vd + 84, 4) ||
        bsize != fwvet_load_be(vd + 130, 2) ||
        (bsize != 512 && bsize != 1024 && bsize != 2048) ||
        blocks * bsize < VD_START + 2 * VD_SIZE)
      return FWVET_ENOTFOUND;
    hint->size = blocks * bsize;
    /* libarchive reads a directory whole and allocates its claimed size
     * when it lies past the bytes present: a cut image is read only while
     * what it may claim stays near the size of what is there. */
    uint64_t missing = hint->size > len ? hint->size - len : 0;
    hint->unreadable = missing > (len > CUT_SLACK ? len : CUT_SLACK);
    return FWVET_OK;
  }
  return FWVET_ENOTFOUND;
}

static const fwvet_archive_format iso_archive = {
    .name = "iso9660",
    .enable = archive_read_support_format_iso9660,
    .probe = iso_probe,
    .rdev_hi_lo = 1};

static fwvet_status iso9660_unpack(fwvet_uctx *u, const uint8_t *data,
                                   size_t len, size_t *consumed) {
  return fwvet_archive_unpack(u, &iso_archive, data, len, consumed);
}

const fwvet_format fwvet_format_iso9660 = {
    "iso9660", {{"CD001", 5, 32769}, {NULL, 0, 0}}, 0, iso9660_unpack};
