/*
 * zstd: one or more frames (and skippable frames between them).  The
 * frame extent comes from walking the block headers
 * (ZSTD_findFrameCompressedSize), so the end is known before decoding and
 * data after the stream is carved even when a limit stops the output.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "core/cursor.h"
#include "unpack/format.h"
#include "unpack/stream.h"

#define ZS_MAGIC 0xfd2fb528u
#define ZS_SKIP_MAGIC 0x184d2a50u /* low four bits free */
/* The decoder's default: larger windows need --long on the command line
 * and that much memory here. */
#define ZS_WINDOWLOG_MAX 27
#define ZS_HEADER_MAX 18
#define ZS_BLOCK_MAX ((uint64_t)128 << 10)

typedef struct zs_frame {
  uint64_t window;
  uint64_t content_size; /* UINT64_MAX: not stored */
  uint32_t dict_id;
  int checksum;
  size_t header_len;
} zs_frame;

/* The frame header after the magic at p; 0 when valid. */
static int zs_parse_header(const uint8_t *p, size_t len, zs_frame *f) {
  static const unsigned dict_bytes[4] = {0, 1, 2, 4};
  static const unsigned fcs_bytes[4] = {0, 2, 4, 8};
  fwvet_cursor c;
  fwvet_cursor_init(&c, p, len, 0);
  if (fwvet_cursor_u32(&c) != ZS_MAGIC)
    return -1;
  uint8_t fhd = fwvet_cursor_u8(&c);
  if (c.bad || (fhd & 0x08)) /* reserved bit */
    return -1;
  int single = (fhd >> 5) & 1;
  unsigned fcs = fcs_bytes[fhd >> 6];
  if (single && fcs == 0)
    fcs = 1;
  memset(f, 0, sizeof(*f));
  f->checksum = (fhd >> 2) & 1;
  if (!single) {
    uint8_t wd = fwvet_cursor_u8(&c);
    unsigned log = 10 + (wd >> 3);
    uint64_t base = (uint64_t)1 << log;
    f->window = base + (base / 8) * (wd & 7);
  }
  f->dict_id = (uint32_t)fwvet_cursor_uint(&c, dict_bytes[fhd & 3]);
  f->content_size = UINT64_MAX;
  if (fcs) {
    f->content_size = fwvet_cursor_uint(&c, fcs);
    if (fcs == 2)
      f->content_size += 256;
  }
  if (single)
    f->window = f->content_size;
  f->header_len = c.pos;
  return c.bad ? -1 : 0;
}

/*
 * Raw and RLE blocks "decode" from any bytes of the right length, so
 * decoding alone proves little.  Evidence that the first frame is zstd: a
 * compressed block that decoded, or a raw/RLE block of exactly the
 * maximum block size (what the encoder writes for incompressible data,
 * 1 in 2^21 for noise), among the complete blocks before `upto`: all of
 * them when `all`, else all but the last (the one the decoder failed on).
 */
static int zs_evidence(const uint8_t *p, const zs_frame *f, size_t upto,
                       int all) {
  uint64_t block_max = f->window < ZS_BLOCK_MAX ? f->window : ZS_BLOCK_MAX;
  size_t pos = f->header_len;
  int prev = 0, seen = 0;
  while (pos <= upto && upto - pos >= 3) {
    uint32_t bh = (uint32_t)fwvet_load_le(p + pos, 3);
    unsigned type = (bh >> 1) & 3;
    size_t size = bh >> 3, csize = type == 1 ? 1 : size;
    if (type == 3 || csize > upto - pos - 3)
      break;
    seen |= prev;
    prev = type == 2 || size == block_max;
    pos += 3 + csize;
    if (bh & 1)
      break;
  }
  return seen || (all && prev);
}

static int zs_frame_magic(const uint8_t *p, size_t len) {
  if (len < 4)
    return 0;
  uint32_t m = (uint32_t)fwvet_load_le(p, 4);
  return m == ZS_MAGIC || (m & ~0xfu) == ZS_SKIP_MAGIC;
}

/* The bytes taken by the frames that follow each other from p on, or 0
 * when the first one's blocks do not add up (damaged or truncated). */
static size_t zs_extent(const uint8_t *p, size_t len, unsigned *frames) {
  size_t pos = 0;
  *frames = 0;
  while (zs_frame_magic(p + pos, len - pos)) {
    size_t n = ZSTD_findFrameCompressedSize(p + pos, len - pos);
    if (ZSTD_isError(n) || n == 0 || n > len - pos)
      break;
    pos += n;
    ++*frames;
  }
  return pos;
}

typedef struct zs_state {
  ZSTD_DCtx *dctx;
  size_t hint; /* input the decoder wants next: the rest of one block */
  size_t err;  /* last error code, for the message */
} zs_state;

/*
 * Input is handed over one block at a time (the decoder's own hint), so a
 * call that fails has not decoded other blocks too: zstd drops the output
 * position of a failing call, and a bad checksum would otherwise cost the
 * last blocks.
 */
static fwvet_sstep zs_step(void *state, const uint8_t *in, size_t in_len,
                           size_t *in_pos, uint8_t *dst, size_t dst_len,
                           size_t *produced) {
  zs_state *z = state;
  size_t take = in_len - *in_pos;
  if (z->hint && take > z->hint)
    take = z->hint;
  ZSTD_inBuffer ib = {in, *in_pos + take, *in_pos};
  ZSTD_outBuffer ob = {dst, dst_len, 0};
  size_t r = ZSTD_decompressStream(z->dctx, &ob, &ib);
  *in_pos = ib.pos;
  *produced = ob.pos;
  if (ZSTD_isError(r)) {
    z->err = r;
    return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation
               ? FWVET_SSTEP_NOMEM
               : FWVET_SSTEP_BAD;
  }
  z->hint = r ? r : ZS_HEADER_MAX; /* 0: a frame ended, a header is next */
  if (r == 0)
    return FWVET_SSTEP_END;
  if (ib.pos == in_len && ob.pos < dst_len)
    return FWVET_SSTEP_SHORT;
  return FWVET_SSTEP_MORE;
}

static void zs_info(fwvet_uctx *u, const zs_frame *f, unsigned frames) {
  char wbuf[32], sbuf[48] = "", mbuf[32] = "";
  fwvet_size_str(wbuf, sizeof(wbuf), f->window);
  if (f->content_size != UINT64_MAX)
    snprintf(sbuf, sizeof(sbuf), ", content size %" PRIu64, f->content_size);
  if (frames > 1)
    snprintf(mbuf, sizeof(mbuf), ", %u frames", frames);
  fwvet_uctx_info(u, "zstd, window %s%s%s%s", wbuf, sbuf,
                  f->checksum ? ", checksum" : "", mbuf);
}

static fwvet_status zstd_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                                size_t *consumed) {
  zs_frame f;
  if (zs_parse_header(data, len, &f) != 0 || f.content_size == 0)
    return FWVET_ENOTFOUND;
  unsigned frames;
  size_t extent = zs_extent(data, len, &frames);
  size_t in_len = extent ? extent : len;

  fwvet_status st = FWVET_ENOMEM;
  fwvet_sout o;
  fwvet_sout_init(&o, u, "zstd");
  zs_state z = {ZSTD_createDCtx(), ZS_HEADER_MAX, 0};
  if (!z.dctx)
    goto out;
  /* Frames that need a dictionary or a window over 128 MiB are rare in
   * firmware and random bytes after the magic look like them often:
   * not worth a finding. */
  st = FWVET_ENOTFOUND;
  if (f.dict_id != 0 || f.window > ((uint64_t)1 << ZS_WINDOWLOG_MAX))
    goto out;

  size_t pos = 0;
  fwvet_sstop stop;
  do {
    st = fwvet_sout_decode(&o, zs_step, &z, data, in_len, &pos, &stop);
    if (st)
      goto out;
  } while (stop == FWVET_SSTOP_END && extent && pos < in_len);

  int checksum_bad = stop == FWVET_SSTOP_BAD &&
                     ZSTD_getErrorCode(z.err) == ZSTD_error_checksum_wrong;
  int real;
  if (stop == FWVET_SSTOP_END)
    real = f.checksum || zs_evidence(data, &f, in_len, 1) ||
           (frames == 1 && f.content_size == o.len);
  else if (stop == FWVET_SSTOP_BAD && !checksum_bad)
    real = zs_evidence(data, &f, pos, 0);
  else
    real = zs_evidence(data, &f, checksum_bad ? in_len : pos, 1);
  st = FWVET_ENOTFOUND;
  if (!real)
    goto out;

  unsigned flags = 0;
  if (stop == FWVET_SSTOP_SHORT) {
    fwvet_uctx_corrupt(
        u, in_len, "zstd: frame truncated after %zu bytes of output", o.len);
    flags = FWVET_NODE_TRUNCATED;
  } else if (checksum_bad) {
    fwvet_uctx_corrupt(u, pos, "zstd: content checksum mismatch");
    flags = FWVET_NODE_TRUNCATED;
  } else if (stop == FWVET_SSTOP_BAD) {
    fwvet_uctx_corrupt(u, pos,
                       "zstd: corrupt frame (%s) after %zu bytes of output",
                       ZSTD_getErrorName(z.err), o.len);
    flags = FWVET_NODE_TRUNCATED;
  }
  zs_info(u, &f, frames);
  st = fwvet_sout_commit(&o, 0, flags);
  if (st == FWVET_OK)
    *consumed = extent ? extent : pos;
out:
  ZSTD_freeDCtx(z.dctx);
  fwvet_sout_release(&o);
  return st;
}

const fwvet_format fwvet_format_zstd = {
    "zstd", {{"\x28\xb5\x2f\xfd", 4, 0}, {NULL, 0, 0}}, 0, zstd_unpack};
