/* lzma: not implemented yet (placeholder so the registry links). */
#include "unpack/format.h"

static fwvet_status lzma_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_lzma = {
    "lzma", {{"\x5d\x00\x00", 3, 0}, {NULL, 0, 0}}, 0,
    lzma_unpack};
