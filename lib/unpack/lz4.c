/* lz4: not implemented yet (placeholder so the registry links). */
#include "unpack/format.h"

static fwvet_status lz4_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_lz4 = {
    "lz4", {{"\x04\x22\x4d\x18", 4, 0}, {NULL, 0, 0}}, 0,
    lz4_unpack};
