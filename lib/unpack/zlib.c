/*
 * zlib (RFC 1950): a two-byte header, raw deflate data, an adler32.
 *
 * The magic is only two bytes (one offset in 16384 of random data matches
 * one of the four), so the deflate data must reach its end with a good
 * checksum; a damaged stream is kept only when a lot decoded before the
 * damage, which random data never does.
 */
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "core/cursor.h"
#include "unpack/format.h"
#include "unpack/stream.h"

static const char *const zlib_levels[4] = {"fastest", "fast", "default",
                                           "best"};

static fwvet_status zlib_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                                size_t *consumed) {
  /* Deflate with a 32 KiB window, no preset dictionary, and a first block
   * of a valid type (11 is reserved). */
  if (len < 2 + 2 + 4 || data[0] != 0x78 || (data[1] & 0x20) ||
      (data[0] * 256u + data[1]) % 31 != 0 || ((data[2] >> 1) & 3) == 3)
    return FWVET_ENOTFOUND;

  fwvet_status st = FWVET_ENOMEM;
  fwvet_sout o;
  fwvet_sout_init(&o, u, "zlib");
  z_stream z;
  memset(&z, 0, sizeof(z));
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
    return FWVET_ENOMEM;

  size_t pos = 2;
  fwvet_sstop stop;
  st = fwvet_sout_decode(&o, fwvet_inflate_step, &z, data, len, &pos, &stop);
  if (st)
    goto out;

  unsigned flags = 0;
  st = FWVET_ENOTFOUND;
  if (stop == FWVET_SSTOP_END) {
    if (len - pos < 4) {
      if (o.len < FWVET_SOUT_MIN_PARTIAL)
        goto out;
      fwvet_uctx_corrupt(u, len, "zlib: adler32 missing at the end");
      pos = len;
      flags = FWVET_NODE_TRUNCATED;
    } else {
      uint32_t want = (uint32_t)fwvet_load_be(data + pos, 4);
      uint32_t got = (uint32_t)adler32_z(1, o.buf, o.len);
      if (want != got) {
        if (o.len < FWVET_SOUT_MIN_PARTIAL)
          goto out; /* random data ends a deflate block easily */
        fwvet_uctx_corrupt(u, pos, "zlib: adler32 mismatch");
        flags = FWVET_NODE_TRUNCATED;
      }
      pos += 4;
    }
  } else if (stop == FWVET_SSTOP_SHORT || stop == FWVET_SSTOP_BAD) {
    if (o.len < FWVET_SOUT_MIN_PARTIAL)
      goto out;
    if (stop == FWVET_SSTOP_SHORT)
      fwvet_uctx_corrupt(
          u, len, "zlib: stream truncated after %zu bytes of output", o.len);
    else
      fwvet_uctx_corrupt(u, pos, "zlib: invalid deflate data (%s)",
                         z.msg ? z.msg : "no detail");
    flags = FWVET_NODE_TRUNCATED;
  } else if (o.len < FWVET_SOUT_MIN_PARTIAL) {
    goto out; /* a limit cut it too early to tell it from noise */
  }
  fwvet_uctx_info(u, "zlib, %s compression", zlib_levels[data[1] >> 6]);
  st = fwvet_sout_commit(&o, 0, flags);
  if (st == FWVET_OK)
    *consumed = pos;
out:
  inflateEnd(&z);
  fwvet_sout_release(&o);
  return st;
}

const fwvet_format fwvet_format_zlib = {"zlib",
                                        {{"\x78\x01", 2, 0},
                                         {"\x78\x5e", 2, 0},
                                         {"\x78\x9c", 2, 0},
                                         {"\x78\xda", 2, 0},
                                         {NULL, 0, 0}},
                                        0,
                                        zlib_unpack};
