/* iso9660: not implemented yet (placeholder so the registry links). */
#include "unpack/format.h"

static fwvet_status iso9660_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_iso9660 = {
    "iso9660", {{"CD001", 5, 32769}, {NULL, 0, 0}}, 0,
    iso9660_unpack};
