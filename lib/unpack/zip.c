/* zip: not implemented yet (placeholder so the registry links). */
#include "unpack/format.h"

static fwvet_status zip_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_zip = {
    "zip", {{"PK\x03\x04", 4, 0}, {NULL, 0, 0}}, 0,
    zip_unpack};
