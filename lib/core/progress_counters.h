/* Progress counters of a run (internal side of fwvet_progress). */
#ifndef FWVET_CORE_PROGRESS_COUNTERS_H
#define FWVET_CORE_PROGRESS_COUNTERS_H

#include <stdint.h>

#include "fwvet/vfs.h"

/* Adds to the counters; safe from any thread. */
void fwvet_progress_add(fwvet_progress *p, uint64_t found, uint64_t done,
                        uint64_t bytes);

#endif
