/* Internal entry points of the unpack driver (for tests and fuzzing). */
#ifndef FWVET_UNPACK_DRIVER_H
#define FWVET_UNPACK_DRIVER_H

#include "fwvet/vfs.h"

/* Like fwvet_vfs_open_memory(), but the root is first tried as `format`
 * at offset 0 (then carved as usual).  Unknown format: FWVET_EINVAL. */
fwvet_status fwvet_vfs_open_format(const char *format, const char *name,
                                   const uint8_t *data, size_t len,
                                   const fwvet_open_options *opt,
                                   fwvet_vfs **out);

#endif
