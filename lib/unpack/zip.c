/*
 * zip through libarchive.  The archive ends with its End Of Central
 * Directory record (and comment); it is found by scanning for
 * "PK\x05\x06" and accepted only when the central directory it describes
 * ends right where it starts, so the EOCD of a stored inner zip does not
 * end the outer one.  Without one (a truncated zip) libarchive's
 * streaming reader walks the local headers instead.
 */
#include <archive.h>
#include <string.h>

#include "core/cursor.h"
#include "unpack/archive_glue.h"

#define LOCAL_HDR 30
#define EOCD_LEN 22
#define LOCATOR_LEN 20
#define EOCD64_LEN 56

/* A local file header that libarchive could plausibly read. */
static int local_plausible(const uint8_t *d, size_t len) {
  if (len < LOCAL_HDR)
    return 0;
  unsigned version = (unsigned)fwvet_load_le(d + 4, 2) & 0xff;
  unsigned method = (unsigned)fwvet_load_le(d + 8, 2);
  uint64_t nlen = fwvet_load_le(d + 26, 2), xlen = fwvet_load_le(d + 28, 2);
  return version < 100 && method < 100 && nlen > 0 &&
         fwvet_fits(LOCAL_HDR, nlen + xlen, len);
}

/* Zip64: the locator right before the EOCD points at the zip64 EOCD,
 * which must follow its central directory directly. */
static int zip64_consistent(const uint8_t *d, size_t p) {
  if (p < LOCATOR_LEN || memcmp(d + p - LOCATOR_LEN, "PK\x06\x07", 4) != 0)
    return 0;
  uint64_t x = fwvet_load_le(d + p - LOCATOR_LEN + 8, 8);
  if (!fwvet_fits(x, EOCD64_LEN, p - LOCATOR_LEN) ||
      memcmp(d + x, "PK\x06\x06", 4) != 0)
    return 0;
  uint64_t cd_size = fwvet_load_le(d + x + 40, 8);
  uint64_t cd_off = fwvet_load_le(d + x + 48, 8);
  return cd_size <= x && cd_off == x - cd_size;
}

static int eocd_consistent(const uint8_t *d, size_t p) {
  uint64_t cd_size = fwvet_load_le(d + p + 12, 4);
  uint64_t cd_off = fwvet_load_le(d + p + 16, 4);
  if (cd_off == 0xffffffffu || cd_size == 0xffffffffu)
    return zip64_consistent(d, p);
  return cd_size <= p && cd_off == p - cd_size;
}

static fwvet_status zip_probe(fwvet_uctx *u, const uint8_t *d, size_t len,
                              fwvet_archive_hint *hint) {
  if (!local_plausible(d, len))
    return FWVET_ENOTFOUND;
  size_t p = LOCAL_HDR;
  while (p < len) {
    const uint8_t *hit = memmem(d + p, len - p, "PK\x05\x06", 4);
    if (!hit)
      break;
    p = (size_t)(hit - d);
    if (!fwvet_fits(p, EOCD_LEN, len))
      break;
    if (eocd_consistent(d, p)) {
      hint->size = p + EOCD_LEN + fwvet_load_le(d + p + 20, 2);
      return FWVET_OK;
    }
    p++;
  }
  fwvet_uctx_corrupt(u, len, "zip: end of central directory not found");
  return FWVET_OK;
}

static const fwvet_archive_format zip_archive = {
    .name = "zip",
    .enable = archive_read_support_format_zip,
    .probe = zip_probe};

static fwvet_status zip_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                               size_t *consumed) {
  return fwvet_archive_unpack(u, &zip_archive, data, len, consumed);
}

const fwvet_format fwvet_format_zip = {
    "zip", {{"PK\x03\x04", 4, 0}, {NULL, 0, 0}}, 0, zip_unpack};
