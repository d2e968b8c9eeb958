/*
 * lz4: the frame format (magic 04 22 4d 18: descriptor with its own
 * checksum, blocks, optional block and content checksums) and the legacy
 * format Linux kernels use (magic 02 21 4c 18, then blocks of 8 MiB of
 * output each, the last one shorter, with no end marker).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <lz4.h>
#include <lz4frame.h>

#include "core/cursor.h"
#include "unpack/format.h"
#include "unpack/stream.h"

#define LZ4_FRAME_MAGIC 0x184d2204u
#define LZ4_SKIP_MAGIC 0x184d2a50u /* low four bits free */
#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK ((size_t)8 << 20)

static uint32_t lz4_magic(const uint8_t *p, size_t len) {
  return len >= 4 ? (uint32_t)fwvet_load_le(p, 4) : 0;
}

/* The descriptor's fixed bits: version 01, reserved bits zero, a block
 * size id of 4..7.  LZ4F checks the header checksum afterwards. */
static int lz4_frame_header_ok(const uint8_t *p, size_t len) {
  if (len < 7)
    return 0;
  uint8_t flg = p[4], bd = p[5];
  return (flg >> 6) == 1 && !(flg & 0x02) && !(bd & 0x8f) &&
         ((bd >> 4) & 7) >= 4;
}

typedef struct lz4f_state {
  LZ4F_dctx *d;
  size_t hint; /* input LZ4F wants next: the rest of one block */
} lz4f_state;

/* Input goes one block at a time (LZ4F's hint): a failing call reports no
 * output, so it must not have decoded other blocks too. */
static fwvet_sstep lz4f_step(void *state, const uint8_t *in, size_t in_len,
                             size_t *in_pos, uint8_t *dst, size_t dst_len,
                             size_t *produced) {
  lz4f_state *s = state;
  size_t src = in_len - *in_pos, out = dst_len;
  if (s->hint && src > s->hint)
    src = s->hint;
  size_t r = LZ4F_decompress(s->d, dst, &out, in + *in_pos, &src, NULL);
  *in_pos += src;
  *produced = out;
  if (LZ4F_isError(r))
    return FWVET_SSTEP_BAD;
  s->hint = r ? r : LZ4F_HEADER_SIZE_MIN; /* a frame ended */
  if (r == 0)
    return FWVET_SSTEP_END;
  if (*in_pos == in_len && out < dst_len)
    return FWVET_SSTEP_SHORT;
  return FWVET_SSTEP_MORE;
}

static fwvet_status lz4_frame(fwvet_uctx *u, const uint8_t *data, size_t len,
                              size_t *consumed) {
  if (!lz4_frame_header_ok(data, len))
    return FWVET_ENOTFOUND;
  LZ4F_dctx *d = NULL;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
    return FWVET_ENOMEM;
  fwvet_status st = FWVET_ENOTFOUND;
  fwvet_sout o;
  fwvet_sout_init(&o, u, "lz4");
  LZ4F_frameInfo_t fi;
  memset(&fi, 0, sizeof(fi));
  size_t pos = len;
  lz4f_state s = {d, LZ4F_getFrameInfo(d, &fi, data, &pos)};
  if (LZ4F_isError(s.hint))
    goto out;

  unsigned frames = 0;
  fwvet_sstop stop;
  for (;;) {
    st = fwvet_sout_decode(&o, lz4f_step, &s, data, len, &pos, &stop);
    if (st)
      goto out;
    frames++;
    if (stop != FWVET_SSTOP_END)
      break;
    /* Frames that follow directly are one stream, as lz4 -d sees it. */
    uint32_t m = lz4_magic(data + pos, len - pos);
    if (!(m == LZ4_FRAME_MAGIC && lz4_frame_header_ok(data + pos, len - pos)) &&
        (m & ~0xfu) != LZ4_SKIP_MAGIC)
      break;
  }

  unsigned flags = 0;
  if (stop == FWVET_SSTOP_SHORT) {
    fwvet_uctx_corrupt(u, len, "lz4: frame truncated after %zu bytes of output",
                       o.len);
    flags = FWVET_NODE_TRUNCATED;
  } else if (stop == FWVET_SSTOP_BAD) {
    fwvet_uctx_corrupt(
        u, pos,
        "lz4: corrupt block or checksum mismatch after %zu bytes of output",
        o.len);
    flags = FWVET_NODE_TRUNCATED;
  }
  char bbuf[32], sbuf[48] = "", mbuf[32] = "";
  /* Block size ids 4..7 are 64 KiB, 256 KiB, 1 MiB, 4 MiB. */
  fwvet_size_str(bbuf, sizeof(bbuf),
                 (uint64_t)1 << (8 + 2 * ((data[5] >> 4) & 7)));
  if (fi.contentSize)
    snprintf(sbuf, sizeof(sbuf), ", content size %llu", fi.contentSize);
  if (frames > 1)
    snprintf(mbuf, sizeof(mbuf), ", %u frames", frames);
  fwvet_uctx_info(
      u, "lz4 frame, block %s, %s blocks%s%s%s", bbuf,
      fi.blockMode == LZ4F_blockIndependent ? "independent" : "linked",
      fi.contentChecksumFlag ? ", content checksum" : "", sbuf, mbuf);
  st = fwvet_sout_commit(&o, 0, flags);
  if (st == FWVET_OK)
    *consumed = pos;
out:
  LZ4F_freeDecompressionContext(d);
  fwvet_sout_release(&o);
  return st;
}

/*
 * Decodes the legacy block at data[pos] (size word checked by the caller)
 * into `o`: *out is what it added, *bad is set when it does not decode.
 * FWVET_ELIMIT when a limit stopped it (reported).
 */
static fwvet_status lz4_legacy_block(fwvet_sout *o, const uint8_t *data,
                                     size_t len, size_t pos, size_t *out,
                                     int *bad) {
  size_t csize = (size_t)fwvet_load_le(data + pos, 4);
  uint8_t *dst;
  size_t avail;
  *bad = 0;
  *out = 0;
  fwvet_status st = fwvet_sout_reserve(o, pos, LZ4_LEGACY_BLOCK, &dst, &avail);
  if (st)
    return st;
  const char *src = (const char *)data + pos + 4;
  int r;
  if (avail >= LZ4_LEGACY_BLOCK)
    r = LZ4_decompress_safe(src, (char *)dst, (int)csize,
                            (int)LZ4_LEGACY_BLOCK);
  else /* the cap is nearer than a block: decode up to one byte past it */
    r = LZ4_decompress_safe_partial(src, (char *)dst, (int)csize, (int)avail,
                                    (int)avail);
  if (r < 0) {
    *bad = 1;
    return FWVET_OK;
  }
  *out = (size_t)r;
  return fwvet_sout_advance(o, pos + 4 + csize, (size_t)r);
}

static fwvet_status lz4_legacy(fwvet_uctx *u, const uint8_t *data, size_t len,
                               size_t *consumed) {
  const size_t bound = (size_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK);
  fwvet_status st = FWVET_OK;
  fwvet_sout o;
  fwvet_sout_init(&o, u, "lz4");
  size_t pos = 4, blocks = 0;
  unsigned flags = 0;
  for (;;) {
    if (len - pos < 4)
      break;
    size_t csize = (size_t)fwvet_load_le(data + pos, 4);
    if (csize == LZ4_LEGACY_MAGIC && blocks > 0) {
      pos += 4; /* lz4 -l starts a new frame this way */
      continue;
    }
    /* No end marker: the stream ends where no block could start. */
    if (csize == 0 || csize > bound)
      break;
    if (csize > len - pos - 4) {
      if (blocks > 0) {
        fwvet_uctx_corrupt(u, len, "lz4: legacy block at 0x%zx truncated", pos);
        flags = FWVET_NODE_TRUNCATED;
        pos = len;
      }
      break;
    }
    size_t out;
    int bad;
    st = lz4_legacy_block(&o, data, len, pos, &out, &bad);
    if (st == FWVET_ELIMIT) {
      if (out)
        pos += 4 + csize;
      st = FWVET_OK;
      break;
    }
    if (st)
      goto out;
    if (bad) {
      if (blocks > 0) {
        fwvet_uctx_corrupt(
            u, pos, "lz4: corrupt legacy block after %zu bytes of output",
            o.len);
        flags = FWVET_NODE_TRUNCATED;
      }
      break;
    }
    pos += 4 + csize;
    blocks++;
    if (out < LZ4_LEGACY_BLOCK)
      break; /* only the last block is short */
  }
  fwvet_uctx_info(u, "lz4 legacy (linux kernel), %zu blocks", blocks);
  st = fwvet_sout_commit(&o, 0, flags);
  if (st == FWVET_OK)
    *consumed = pos;
out:
  fwvet_sout_release(&o);
  return st;
}

static fwvet_status lz4_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                               size_t *consumed) {
  uint32_t m = lz4_magic(data, len);
  if (m == LZ4_FRAME_MAGIC)
    return lz4_frame(u, data, len, consumed);
  if (m == LZ4_LEGACY_MAGIC)
    return lz4_legacy(u, data, len, consumed);
  return FWVET_ENOTFOUND;
}

const fwvet_format fwvet_format_lz4 = {
    "lz4",
    {{"\x04\x22\x4d\x18", 4, 0}, {"\x02\x21\x4c\x18", 4, 0}, {NULL, 0, 0}},
    0,
    lz4_unpack};
