/* Hashing helpers (internal). */
#ifndef FWVET_CORE_HASH_H
#define FWVET_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Writes the sha256 of data[0..len) as 64 lower-case hex chars plus NUL. */
void fwvet_sha256_hex(const uint8_t *data, size_t len, char out[65]);

/* Stable fingerprint of a finding: hex sha256 (first 32 chars) over the
 * rule, a location with offsets removed, and the evidence. */
void fwvet_fingerprint(const char *rule, const char *location,
                       const char *evidence, char out[33]);

/* Copies `path` into `out` (size `cap`) without "@0x..." offset suffixes of
 * carved segments, so the same item matches across releases. */
void fwvet_path_strip_offsets(const char *path, char *out, size_t cap);

#endif
