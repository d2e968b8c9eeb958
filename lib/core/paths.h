/* Where fwvet keeps its databases (internal). */
#ifndef FWVET_CORE_PATHS_H
#define FWVET_CORE_PATHS_H

#include <stddef.h>

#include "fwvet/status.h"

/* $XDG_DATA_HOME/fwvet/NAME, or ~/.local/share/fwvet/NAME (a relative
 * XDG_DATA_HOME is ignored, as the XDG spec says), into `buf`; NULL when
 * neither variable helps or `buf` is too small. */
const char *fwvet_data_path(const char *name, char *buf, size_t cap);

/* mkdir -p of the directory holding `path`; FWVET_EIO (errno kept). */
fwvet_status fwvet_make_parent(const char *path);

#endif
