/*
 * xz: one or more streams (header, blocks, index, footer), optionally
 * separated by stream padding (zero bytes in multiples of four).  liblzma
 * checks the header, the blocks' checks, the index and the footer.
 */
#include <inttypes.h>
#include <string.h>

#include <lzma.h>

#include "unpack/format.h"
#include "unpack/stream.h"

/* Enough for a 1 GiB dictionary; xz -9 needs 65 MiB. */
#define XZ_MEMLIMIT (((uint64_t)1 << 30) + ((uint64_t)64 << 20))

static const char *xz_check_name(lzma_check c) {
  switch (c) {
  case LZMA_CHECK_NONE:
    return "none";
  case LZMA_CHECK_CRC32:
    return "crc32";
  case LZMA_CHECK_CRC64:
    return "crc64";
  case LZMA_CHECK_SHA256:
    return "sha256";
  default:
    return "unknown";
  }
}

/* The next stream header after stream padding at `pos`, or 0. */
static size_t xz_next_stream(const uint8_t *data, size_t len, size_t pos) {
  static const uint8_t zero4[4];
  while (len - pos >= 4 && memcmp(data + pos, zero4, 4) == 0)
    pos += 4;
  lzma_stream_flags f;
  if (len - pos < LZMA_STREAM_HEADER_SIZE ||
      lzma_stream_header_decode(&f, data + pos) != LZMA_OK)
    return 0;
  return pos;
}

static fwvet_status xz_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                              size_t *consumed) {
  lzma_stream_flags flags;
  if (len < 2 * LZMA_STREAM_HEADER_SIZE ||
      lzma_stream_header_decode(&flags, data) != LZMA_OK)
    return FWVET_ENOTFOUND;

  fwvet_status st = FWVET_OK;
  fwvet_sout o;
  fwvet_sout_init(&o, u, "xz");
  lzma_stream s = LZMA_STREAM_INIT;
  size_t pos = 0, start = 0;
  unsigned streams = 0;
  fwvet_sstop stop;
  int memlimit = 0;
  for (;;) {
    if (lzma_stream_decoder(&s, XZ_MEMLIMIT, 0) != LZMA_OK) {
      st = FWVET_ENOMEM;
      goto out;
    }
    st = fwvet_sout_decode(&o, fwvet_lzma_step, &s, data, len, &pos, &stop);
    if (st)
      goto out;
    streams++;
    if (stop != FWVET_SSTOP_END)
      break;
    size_t next = xz_next_stream(data, len, pos);
    if (!next)
      break;
    start = pos = next;
  }
  if (stop == FWVET_SSTOP_BAD)
    memlimit = lzma_memusage(&s) > lzma_memlimit_get(&s);

  unsigned eflags = 0;
  if (stop == FWVET_SSTOP_SHORT) {
    fwvet_uctx_corrupt(u, len, "xz: stream truncated after %zu bytes of output",
                       o.len);
    eflags = FWVET_NODE_TRUNCATED;
  } else if (stop == FWVET_SSTOP_BAD && memlimit) {
    fwvet_uctx_unsupported(
        u, "xz: stream at 0x%zx needs %" PRIu64 " MiB of memory to decode",
        start, lzma_memusage(&s) >> 20);
    eflags = FWVET_NODE_TRUNCATED;
  } else if (stop == FWVET_SSTOP_BAD) {
    fwvet_uctx_corrupt(
        u, pos, "xz: corrupt data or check mismatch after %zu bytes of output",
        o.len);
    eflags = FWVET_NODE_TRUNCATED;
  }
  if (streams > 1)
    fwvet_uctx_info(u, "xz, check %s, %u streams", xz_check_name(flags.check),
                    streams);
  else
    fwvet_uctx_info(u, "xz, check %s", xz_check_name(flags.check));
  if (o.len == 0 && memlimit)
    st = fwvet_sout_commit_undecoded(&o);
  else
    st = fwvet_sout_commit(&o, 0, eflags);
  if (st == FWVET_OK)
    *consumed = pos;
out:
  lzma_end(&s);
  fwvet_sout_release(&o);
  return st;
}

const fwvet_format fwvet_format_xz = {
    "xz", {{"\xfd\x37\x7a\x58\x5a\x00", 6, 0}, {NULL, 0, 0}}, 0, xz_unpack};
