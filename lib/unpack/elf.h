/* ELF extent (internal): ELF files are leaves, but bytes appended after
 * the last section or segment are carved. */
#ifndef FWVET_UNPACK_ELF_H
#define FWVET_UNPACK_ELF_H

#include <stddef.h>
#include <stdint.h>

/* Returns the end of the ELF image that starts at data[0] (the furthest
 * byte any header, section or segment covers, capped at len), or 0 when
 * data does not hold a plausible ELF header. */
size_t fwvet_elf_extent(const uint8_t *data, size_t len);

#endif
