/* cpio: not implemented yet (placeholder so the registry links). */
#include "unpack/format.h"

static fwvet_status cpio_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_cpio = {
    "cpio", {{"07070", 5, 0}, {NULL, 0, 0}}, 0,
    cpio_unpack};
