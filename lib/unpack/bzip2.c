/*
 * bzip2: "BZh" and a block size digit, then blocks (each starting with
 * the bit string 0x314159265359 and carrying a CRC), then an end marker
 * with the combined CRC.  Streams that follow each other directly are one
 * stream, as bunzip2 treats them.
 */
#include <limits.h>
#include <string.h>

#include <bzlib.h>

#include "unpack/format.h"
#include "unpack/stream.h"

#define BZ_HEADER_SIZE 4

static const uint8_t bz_block_magic[6] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};

/* A stream header followed by a first block: the magic alone is too
 * weak, and an empty stream (end marker first) decodes to nothing. */
static int bz_stream_start(const uint8_t *p, size_t len) {
  return len >= BZ_HEADER_SIZE + sizeof(bz_block_magic) && p[0] == 'B' &&
         p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9' &&
         memcmp(p + BZ_HEADER_SIZE, bz_block_magic, sizeof(bz_block_magic)) ==
             0;
}

static fwvet_sstep bz_step(void *state, const uint8_t *in, size_t in_len,
                           size_t *in_pos, uint8_t *dst, size_t dst_len,
                           size_t *produced) {
  bz_stream *b = state;
  size_t left = in_len - *in_pos;
  unsigned ain = left > UINT_MAX ? UINT_MAX : (unsigned)left;
  unsigned aout = dst_len > UINT_MAX ? UINT_MAX : (unsigned)dst_len;
  /* libbz2 takes non-const pointers but does not write the input. */
  b->next_in = (char *)(uintptr_t)(in + *in_pos);
  b->avail_in = ain;
  b->next_out = (char *)dst;
  b->avail_out = aout;
  int r = BZ2_bzDecompress(b);
  *in_pos += ain - b->avail_in;
  *produced = aout - b->avail_out;
  switch (r) {
  case BZ_STREAM_END:
    return FWVET_SSTEP_END;
  case BZ_OK:
    if (*in_pos == in_len && *produced < aout)
      return FWVET_SSTEP_SHORT;
    return FWVET_SSTEP_MORE;
  case BZ_MEM_ERROR:
    return FWVET_SSTEP_NOMEM;
  default:
    return FWVET_SSTEP_BAD;
  }
}

static fwvet_status bzip2_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                                 size_t *consumed) {
  if (!bz_stream_start(data, len))
    return FWVET_ENOTFOUND;

  fwvet_status st = FWVET_OK;
  fwvet_sout o;
  fwvet_sout_init(&o, u, "bzip2");
  bz_stream b;
  int live = 0;
  size_t pos = 0;
  unsigned streams = 0;
  fwvet_sstop stop;
  for (;;) {
    memset(&b, 0, sizeof(b));
    if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK) {
      st = FWVET_ENOMEM;
      goto out;
    }
    live = 1;
    st = fwvet_sout_decode(&o, bz_step, &b, data, len, &pos, &stop);
    if (st)
      goto out;
    streams++;
    if (stop != FWVET_SSTOP_END || !bz_stream_start(data + pos, len - pos))
      break;
    BZ2_bzDecompressEnd(&b);
    live = 0;
  }

  unsigned flags = 0;
  if (stop == FWVET_SSTOP_SHORT) {
    fwvet_uctx_corrupt(
        u, len, "bzip2: stream truncated after %zu bytes of output", o.len);
    flags = FWVET_NODE_TRUNCATED;
  } else if (stop == FWVET_SSTOP_BAD) {
    fwvet_uctx_corrupt(
        u, pos,
        "bzip2: corrupt block or crc mismatch after %zu bytes of output",
        o.len);
    flags = FWVET_NODE_TRUNCATED;
  }
  if (streams > 1)
    fwvet_uctx_info(u, "bzip2, block size %c00k, %u streams", data[3], streams);
  else
    fwvet_uctx_info(u, "bzip2, block size %c00k", data[3]);
  st = fwvet_sout_commit(&o, 0, flags);
  if (st == FWVET_OK)
    *consumed = pos;
out:
  if (live)
    BZ2_bzDecompressEnd(&b);
  fwvet_sout_release(&o);
  return st;
}

const fwvet_format fwvet_format_bzip2 = {
    "bzip2", {{"BZh", 3, 0}, {NULL, 0, 0}}, 0, bzip2_unpack};
