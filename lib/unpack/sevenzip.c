/* 7z: not implemented yet (placeholder so the registry links). */
#include "unpack/format.h"

static fwvet_status sevenzip_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_sevenzip = {
    "7z", {{"7z\xbc\xaf\x27\x1c", 6, 0}, {NULL, 0, 0}}, 0,
    sevenzip_unpack};
