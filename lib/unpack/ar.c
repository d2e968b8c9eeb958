/* ar: not implemented yet (placeholder so the registry links). */
#include "unpack/format.h"

static fwvet_status ar_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_ar = {
    "ar", {{"!<arch>\n", 8, 0}, {NULL, 0, 0}}, 0,
    ar_unpack};
