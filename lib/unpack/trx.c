/*
 * Broadcom TRX firmware container ("HDR0"), little-endian:
 *   0 magic "HDR0"   4 len (whole image incl. header)   8 crc32
 *  12 flag_version (flags in bits 0-15, version in 16-31)
 *  16 partition offsets from the start of the header: 3 (v1) or 4 (v2)
 * The CRC covers bytes 12..len and is CRC-32 with the initial value ~0
 * and no final complement (Broadcom's hndcrc32, OpenWrt's trx tool): the
 * bitwise complement of zlib's crc32().
 *
 * Partitions become entries "part<i>" (i: the slot in the header), each
 * a zero-copy slice from its offset to the next non-zero offset or `len`.
 */
#include <stdio.h>
#include <zlib.h>

#include "core/cursor.h"
#include "unpack/format.h"

#define TRX_MAX_PARTS 4

static fwvet_status trx_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                               size_t *consumed) {
  fwvet_cursor c;
  fwvet_cursor_init(&c, data, len, 0);
  const uint8_t *magic = fwvet_cursor_take(&c, 4);
  uint32_t total = fwvet_cursor_u32(&c);
  uint32_t crc = fwvet_cursor_u32(&c);
  uint32_t flag_version = fwvet_cursor_u32(&c);
  unsigned version = flag_version >> 16;
  if (c.bad || magic[0] != 'H' || magic[1] != 'D' || magic[2] != 'R' ||
      magic[3] != '0' || (version != 1 && version != 2))
    return FWVET_ENOTFOUND;
  unsigned nparts = version == 1 ? 3 : 4;
  size_t hdr = 16 + 4 * (size_t)nparts;
  uint32_t off[TRX_MAX_PARTS];
  for (unsigned i = 0; i < nparts; i++)
    off[i] = fwvet_cursor_u32(&c);
  if (c.bad || total < hdr)
    return FWVET_ENOTFOUND;

  /* Offsets: non-zero ones increasing, past the header, inside `total`.
   * Anything else is noise that happened to start with "HDR0". */
  uint32_t prev = 0;
  for (unsigned i = 0; i < nparts; i++) {
    if (off[i] == 0)
      continue;
    if (off[i] < hdr || off[i] >= total || off[i] <= prev)
      return FWVET_ENOTFOUND;
    prev = off[i];
  }

  size_t have = total <= len ? total : len;
  if (have < total) {
    fwvet_uctx_corrupt(u, len, "trx: image truncated: %zu of %u bytes present",
                       have, (unsigned)total);
  } else {
    uint32_t sum = ~(uint32_t)crc32_z(0L, data + 12, total - 12);
    /* Some vendor tools store the plain CRC-32; equally strong evidence. */
    if (sum != crc && ~sum != crc)
      fwvet_uctx_corrupt(u, 8,
                         "trx: crc mismatch (stored 0x%08x, "
                         "computed 0x%08x)",
                         (unsigned)crc, (unsigned)sum);
  }

  char parts[80] = "";
  size_t plen = 0;
  for (unsigned i = 0; i < nparts; i++) {
    if (off[i] == 0)
      continue;
    uint64_t end = total;
    for (unsigned j = i + 1; j < nparts; j++)
      if (off[j] != 0) {
        end = off[j];
        break;
      }
    plen += (size_t)snprintf(parts + plen, sizeof(parts) - plen, "%s0x%x",
                             plen ? ", " : "", (unsigned)off[i]);
    if (off[i] >= have)
      continue; /* truncated away: reported above */
    size_t n = (size_t)(end <= have ? end : have) - off[i];
    char name[16];
    fwvet_entry e = {0};
    e.name = name;
    e.name_len = (size_t)snprintf(name, sizeof(name), "part%u", i);
    e.kind = FWVET_KIND_FILE;
    e.size = end - off[i];
    if (end > have)
      e.flags |= FWVET_NODE_TRUNCATED;
    fwvet_status st = fwvet_uctx_add_slice(u, &e, data + off[i], n);
    if (st == FWVET_ELIMIT) /* the node limit; already reported */
      break;
    if (st)
      return st;
  }
  fwvet_uctx_info(u, "TRX v%u, length %u, flags 0x%04x, partitions at %s",
                  version, (unsigned)total, (unsigned)(flag_version & 0xffff),
                  plen ? parts : "none");
  *consumed = have;
  return FWVET_OK;
}

const fwvet_format fwvet_format_trx = {
    "trx", {{"HDR0", 4, 0}, {NULL, 0, 0}}, 0, trx_unpack};
