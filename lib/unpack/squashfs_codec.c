/*
 * squashfs block decompressors.  Every metadata, data and fragment block
 * is one self-contained compressed unit whose decoded size is known in
 * advance (at most the block size), so each is decoded in one call into
 * a caller's buffer; a block that would decode to more is corrupt.
 */
#include <stdlib.h>

#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "unpack/squashfs_int.h"

/* Enough for any dictionary mksquashfs writes (at most the 1 MiB block
 * size); larger claims are hostile and fail as corrupt. */
#define SQFS_LZMA_MEMLIMIT ((uint64_t)64 << 20)

static const char *const names[] = {
    NULL, "gzip", "lzma", "lzo", "xz", "lz4", "zstd",
};

int sqfs_codec_known(unsigned id) {
  return id >= SQFS_GZIP && id <= SQFS_ZSTD;
}

const char *sqfs_codec_name(unsigned id) {
  return sqfs_codec_known(id) ? names[id] : NULL;
}

void sqfs_codec_init(sqfs_codec *c, unsigned id) {
  c->id = id;
  c->zlib = NULL;
  c->zstd = NULL;
}

void sqfs_codec_release(sqfs_codec *c) {
  if (c->zlib) {
    inflateEnd(c->zlib);
    free(c->zlib);
  }
  ZSTD_freeDCtx(c->zstd);
  c->zlib = NULL;
  c->zstd = NULL;
}

static fwvet_status de_zlib(sqfs_codec *c, const uint8_t *in, size_t in_len,
                            uint8_t *out, size_t cap, size_t *out_len) {
  z_stream *z = c->zlib;
  if (!z) {
    if (!(z = calloc(1, sizeof *z)))
      return FWVET_ENOMEM;
    if (inflateInit(z) != Z_OK) {
      free(z);
      return FWVET_ENOMEM;
    }
    c->zlib = z;
  } else if (inflateReset(z) != Z_OK) {
    return FWVET_ECORRUPT;
  }
  z->next_in = (Bytef *)in;
  z->avail_in = (uInt)in_len;
  z->next_out = out;
  z->avail_out = (uInt)cap;
  int r = inflate(z, Z_FINISH);
  if (r == Z_MEM_ERROR)
    return FWVET_ENOMEM;
  if (r != Z_STREAM_END)
    return FWVET_ECORRUPT;
  *out_len = cap - z->avail_out;
  return FWVET_OK;
}

static fwvet_status de_xz(const uint8_t *in, size_t in_len, uint8_t *out,
                          size_t cap, size_t *out_len) {
  uint64_t memlimit = SQFS_LZMA_MEMLIMIT;
  size_t in_pos = 0, out_pos = 0;
  lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, NULL, in, &in_pos,
                                         in_len, out, &out_pos, cap);
  if (r == LZMA_MEM_ERROR)
    return FWVET_ENOMEM;
  if (r != LZMA_OK || in_pos != in_len)
    return FWVET_ECORRUPT;
  *out_len = out_pos;
  return FWVET_OK;
}

/* squashfs-tools' "lzma": one lzma-alone stream (13-byte header with the
 * decoded size) per block. */
static fwvet_status de_lzma(const uint8_t *in, size_t in_len, uint8_t *out,
                            size_t cap, size_t *out_len) {
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_ret r = lzma_alone_decoder(&s, SQFS_LZMA_MEMLIMIT);
  if (r != LZMA_OK)
    return r == LZMA_MEM_ERROR ? FWVET_ENOMEM : FWVET_ECORRUPT;
  s.next_in = in;
  s.avail_in = in_len;
  s.next_out = out;
  s.avail_out = cap;
  /* liblzma reports LZMA_BUF_ERROR after two calls without progress, so
   * this loop ends. */
  do
    r = lzma_code(&s, LZMA_FINISH);
  while (r == LZMA_OK);
  size_t produced = cap - s.avail_out;
  lzma_end(&s);
  if (r == LZMA_MEM_ERROR)
    return FWVET_ENOMEM;
  if (r != LZMA_STREAM_END)
    return FWVET_ECORRUPT;
  *out_len = produced;
  return FWVET_OK;
}

static fwvet_status de_lzo(const uint8_t *in, size_t in_len, uint8_t *out,
                           size_t cap, size_t *out_len) {
  lzo_uint n = cap;
  if (lzo1x_decompress_safe(in, in_len, out, &n, NULL) != LZO_E_OK)
    return FWVET_ECORRUPT;
  *out_len = n;
  return FWVET_OK;
}

static fwvet_status de_lz4(const uint8_t *in, size_t in_len, uint8_t *out,
                           size_t cap, size_t *out_len) {
  if (in_len > (size_t)LZ4_MAX_INPUT_SIZE || cap > (size_t)INT32_MAX)
    return FWVET_ECORRUPT;
  int n = LZ4_decompress_safe((const char *)in, (char *)out, (int)in_len,
                              (int)cap);
  if (n < 0)
    return FWVET_ECORRUPT;
  *out_len = (size_t)n;
  return FWVET_OK;
}

static fwvet_status de_zstd(sqfs_codec *c, const uint8_t *in, size_t in_len,
                            uint8_t *out, size_t cap, size_t *out_len) {
  if (!c->zstd && !(c->zstd = ZSTD_createDCtx()))
    return FWVET_ENOMEM;
  size_t n = ZSTD_decompressDCtx(c->zstd, out, cap, in, in_len);
  if (ZSTD_isError(n))
    return ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation
               ? FWVET_ENOMEM
               : FWVET_ECORRUPT;
  *out_len = n;
  return FWVET_OK;
}

fwvet_status sqfs_decompress(sqfs_codec *c, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t cap, size_t *out_len) {
  /* Blocks are at most 1 MiB either way; anything else is not ours to
   * hand to libraries with int or uInt lengths. */
  if (in_len == 0 || in_len > ((size_t)1 << 24) || cap > ((size_t)1 << 24))
    return FWVET_ECORRUPT;
  switch (c->id) {
  case SQFS_GZIP:
    return de_zlib(c, in, in_len, out, cap, out_len);
  case SQFS_LZMA:
    return de_lzma(in, in_len, out, cap, out_len);
  case SQFS_LZO:
    return de_lzo(in, in_len, out, cap, out_len);
  case SQFS_XZ:
    return de_xz(in, in_len, out, cap, out_len);
  case SQFS_LZ4:
    return de_lz4(in, in_len, out, cap, out_len);
  case SQFS_ZSTD:
    return de_zstd(c, in, in_len, out, cap, out_len);
  default:
    return FWVET_ECORRUPT;
  }
}
