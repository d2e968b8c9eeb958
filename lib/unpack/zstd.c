/* zstd: not implemented yet (placeholder so the registry links). */
#include "unpack/format.h"

static fwvet_status zstd_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_zstd = {
    "zstd", {{"\x28\xb5\x2f\xfd", 4, 0}, {NULL, 0, 0}}, 0,
    zstd_unpack};
