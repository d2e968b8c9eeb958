/*
 * lzma-alone (the .lzma of LZMA Utils and the LZMA SDK, common in router
 * kernels): properties byte, dictionary size, uncompressed size (-1 when
 * an end marker ends the stream), then the range-coded data.
 *
 * There is no magic and no checksum, so the header is held to what real
 * encoders write, and a damaged stream is kept only when the header gave
 * its size or much decoded before the damage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <lzma.h>

#include "core/cursor.h"
#include "unpack/format.h"
#include "unpack/stream.h"

#define LZMA_HEADER_SIZE 13
#define LZMA_DICT_MIN ((uint32_t)1 << 12)
#define LZMA_DICT_MAX ((uint32_t)1 << 30)
/* liblzma's own sanity bound on a declared size (256 GiB). */
#define LZMA_SIZE_MAX ((uint64_t)1 << 38)

/* Output a truncated stream with a declared size must have produced to
 * be kept (see lzma_unpack). */
#define LZMA_MIN_CUT ((size_t)4 << 10)

/* 2^n or 2^n + 2^(n-1), as every known encoder writes. */
static int lzma_dict_ok(uint32_t d) {
  if (d < LZMA_DICT_MIN || d > LZMA_DICT_MAX)
    return 0;
  uint32_t low = d & -d;
  return d == low || d == low * 3;
}

static int lzma_all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return 0;
  return 1;
}

static fwvet_status lzma_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                                size_t *consumed) {
  /* A header, the range coder's five init bytes (the first always zero)
   * and at least something to decode. */
  if (len < LZMA_HEADER_SIZE + 6)
    return FWVET_ENOTFOUND;
  unsigned props = data[0];
  uint32_t dict = (uint32_t)fwvet_load_le(data + 1, 4);
  uint64_t size = fwvet_load_le(data + 5, 8);
  int known = size != UINT64_MAX;
  if (props >= 9 * 5 * 5 || !lzma_dict_ok(dict) ||
      (known && (size == 0 || size > LZMA_SIZE_MAX)) ||
      data[LZMA_HEADER_SIZE] != 0)
    return FWVET_ENOTFOUND;

  fwvet_status st = FWVET_ENOMEM;
  fwvet_sout o;
  fwvet_sout_init(&o, u, "lzma");
  lzma_stream s = LZMA_STREAM_INIT;
  if (lzma_alone_decoder(&s, UINT64_MAX) != LZMA_OK)
    goto out;
  size_t pos = 0;
  fwvet_sstop stop;
  st = fwvet_sout_decode(&o, fwvet_lzma_step, &s, data, len, &pos, &stop);
  if (st)
    goto out;

  /* Without a checksum, only the end reached where the header said (or
   * at an end marker) vouches for the data; random bytes decode to a few
   * bytes before they fail. */
  unsigned flags = 0;
  st = FWVET_ENOTFOUND;
  if (pos <= LZMA_HEADER_SIZE ||
      lzma_all_zero(data + LZMA_HEADER_SIZE, pos - LZMA_HEADER_SIZE))
    goto out; /* zeros decode to zeros: padding, not a stream */
  if (stop == FWVET_SSTOP_END) {
    if (known && o.len != size)
      goto out;
  } else if (stop == FWVET_SSTOP_LIMIT) {
    if (!known && o.len < FWVET_SOUT_MIN_PARTIAL)
      goto out;
  } else {
    /* Random bytes after a plausible header fail within a few bytes of
     * output; a real stream cut short (a truncated image) produces far
     * more before its input ends.  Invalid data is believed only after
     * as much output as an unchecked stream needs. */
    size_t need = known && stop == FWVET_SSTOP_SHORT ? LZMA_MIN_CUT
                                                     : FWVET_SOUT_MIN_PARTIAL;
    if (o.len < need)
      goto out;
    if (stop == FWVET_SSTOP_SHORT)
      fwvet_uctx_corrupt(
          u, len, "lzma: stream truncated after %zu bytes of output", o.len);
    else
      fwvet_uctx_corrupt(u, pos, "lzma: invalid data after %zu bytes of output",
                         o.len);
    flags = FWVET_NODE_TRUNCATED;
  }

  char dbuf[32], sbuf[48];
  fwvet_size_str(dbuf, sizeof(dbuf), dict);
  if (known)
    snprintf(sbuf, sizeof(sbuf), "size %" PRIu64, size);
  else
    snprintf(sbuf, sizeof(sbuf), "size unknown (end marker)");
  fwvet_uctx_info(u, "lzma, lc %u lp %u pb %u, dictionary %s, %s", props % 9,
                  props / 9 % 5, props / 45, dbuf, sbuf);
  st = fwvet_sout_commit(&o, 0, flags);
  if (st == FWVET_OK)
    *consumed = pos;
out:
  lzma_end(&s);
  fwvet_sout_release(&o);
  return st;
}

/* 0x5d is lc3 lp0 pb2, every encoder's default; 0x6d (lc1 lp2 pb2) is
 * what OpenWrt's kernel images use.  Dictionaries below 64 KiB would need
 * a two-byte magic and are not looked for. */
const fwvet_format fwvet_format_lzma = {
    "lzma",
    {{"\x5d\x00\x00", 3, 0}, {"\x6d\x00\x00", 3, 0}, {NULL, 0, 0}},
    0,
    lzma_unpack};
