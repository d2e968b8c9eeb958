/* xz: not implemented yet (placeholder so the registry links). */
#include "unpack/format.h"

static fwvet_status xz_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_xz = {
    "xz", {{"\xfd\x37\x7a\x58\x5a\x00", 6, 0}, {NULL, 0, 0}}, 0,
    xz_unpack};
