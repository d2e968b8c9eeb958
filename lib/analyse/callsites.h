/*
 * Call sites of imported functions in one ELF file (lib/analyse/callsites.c),
 * for the engineering table (engineering.c): direct calls to the PLT stub
 * or through the GOT slot of each imported function, found by linear
 * disassembly with capstone.
 */
#ifndef FWVET_ANALYSE_CALLSITES_H
#define FWVET_ANALYSE_CALLSITES_H

#include <stddef.h>
#include <stdint.h>

#include "fwvet/status.h"

/* Called once per imported function with at least one call site. */
typedef void (*fwvet_callsite_fn)(void *ud, const char *name,
                                  uint64_t calls);

/*
 * Counts the call sites in `data` (not modified) and reports them through
 * `fn`.  FWVET_EUNSUPPORTED when the file is not a little-endian 64-bit
 * x86-64 or AArch64 ELF with section headers, or has no PLT/GOT
 * relocations to name the targets (the caller falls back to imports);
 * FWVET_ECORRUPT on a malformed file, FWVET_ELIMIT when the executable
 * sections exceed the caps, FWVET_ENOMEM.  `fn` is called only on success.
 */
fwvet_status fwvet_callsites_count(const uint8_t *data, size_t len,
                                   fwvet_callsite_fn fn, void *ud);

#endif
