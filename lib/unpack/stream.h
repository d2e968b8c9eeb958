/*
 * What the compressed-stream readers (gzip, zlib, xz, lzma, bzip2, zstd,
 * lz4) share: an output buffer that grows geometrically up to the limits
 * the driver sets (fwvet_uctx_out_limit), the CPU-time poll, and the loop
 * that drives a decoder in bounded steps.  Internal, not installed.
 *
 * The output cap is recomputed from the compressed bytes consumed so far
 * every time the decoder is given room, so a small bomb stops after about
 * in_len * ratio + 1 MiB bytes, not after the ratio of the whole node.
 */
#ifndef FWVET_UNPACK_STREAM_H
#define FWVET_UNPACK_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/format.h"

/* Most output one decoder step may write: the time-out poll interval. */
#define FWVET_SOUT_CHUNK ((size_t)1 << 20)

/* A damaged stream without a checksum is kept only when at least this
 * much decoded before the damage (zlib, lzma: short magics). */
#define FWVET_SOUT_MIN_PARTIAL ((size_t)64 << 10)

/* Why decoding stopped. */
typedef enum fwvet_sstop {
  FWVET_SSTOP_END = 0, /* the decoder reached the end of the stream */
  FWVET_SSTOP_SHORT,   /* the input ended inside the stream */
  FWVET_SSTOP_BAD,     /* the decoder found invalid data */
  FWVET_SSTOP_LIMIT,   /* an output limit or the time limit (reported) */
} fwvet_sstop;

/* The decoded output of one stream; caller-owned struct, see
 * fwvet_sout_init() / fwvet_sout_release(). */
typedef struct fwvet_sout {
  fwvet_uctx *u;
  const char *fmt; /* format name for messages: "gzip" */
  uint8_t *buf;    /* malloc, owned until fwvet_sout_commit() */
  size_t len;
  size_t cap;
  unsigned flags; /* FWVET_NODE_TRUNCATED once a limit cut the output */
} fwvet_sout;

void fwvet_sout_init(fwvet_sout *o, fwvet_uctx *u, const char *fmt);
void fwvet_sout_release(fwvet_sout *o); /* frees the buffer if still held */

/*
 * Room for the next decoder step, at the end of the output: *dst and
 * *avail (>= 1, at least `want` unless the cap is closer, at most
 * max(want, FWVET_SOUT_CHUNK)).  `in_used` is how many compressed bytes
 * produced the output so far.  The room reaches one byte past the cap so
 * a decoder that would exceed it is caught by fwvet_sout_advance().
 * FWVET_ELIMIT when the time limit is up (reported, output flagged);
 * FWVET_ENOMEM.
 */
fwvet_status fwvet_sout_reserve(fwvet_sout *o, uint64_t in_used, size_t want,
                                uint8_t **dst, size_t *avail);

/* Accounts for `n` bytes written at *dst.  FWVET_ELIMIT when the output
 * now exceeds the cap for `in_used`: it is cut to the cap, the limit is
 * reported and the output flagged truncated. */
fwvet_status fwvet_sout_advance(fwvet_sout *o, uint64_t in_used, size_t n);

/*
 * One step of a decoder (`state` is its library object): decodes from
 * in[*in_pos..in_len) into dst[0..dst_len), advances *in_pos, sets
 * *produced.  Returns MORE to be called again, or where it stopped.
 */
typedef enum fwvet_sstep {
  FWVET_SSTEP_MORE = 0,
  FWVET_SSTEP_END,
  FWVET_SSTEP_SHORT,
  FWVET_SSTEP_BAD,
  FWVET_SSTEP_NOMEM,
} fwvet_sstep;

typedef fwvet_sstep (*fwvet_sstep_fn)(void *state, const uint8_t *in,
                                      size_t in_len, size_t *in_pos,
                                      uint8_t *dst, size_t dst_len,
                                      size_t *produced);

/*
 * Runs `step` until the stream ends, turns out bad or short, or a limit
 * stops it; *stop says which (limits are already reported).  A decoder
 * that makes no progress twice in a row counts as bad data.  Returns
 * FWVET_OK or FWVET_ENOMEM.
 */
fwvet_status fwvet_sout_decode(fwvet_sout *o, fwvet_sstep_fn step, void *state,
                               const uint8_t *in, size_t in_len, size_t *in_pos,
                               fwvet_sstop *stop);

/*
 * Hands the output to the driver as the stream's single entry (name NULL,
 * a file); `mtime` 0 when unknown; `flags` are added to the sout's.  The
 * buffer belongs to the driver afterwards, even on failure.  An empty
 * output is not committed: FWVET_ENOTFOUND.
 */
fwvet_status fwvet_sout_commit(fwvet_sout *o, int64_t mtime, unsigned flags);

/* For a stream recognised but not decodable at all (memory limit,
 * unknown dictionary): an entry without content, flagged truncated. */
fwvet_status fwvet_sout_commit_undecoded(fwvet_sout *o);

/* Steps for the decoders two readers share.  State: a z_stream set up by
 * inflateInit2() (raw or zlib); an lzma_stream set up by a liblzma
 * decoder initialiser. */
fwvet_sstep fwvet_inflate_step(void *state, const uint8_t *in, size_t in_len,
                               size_t *in_pos, uint8_t *dst, size_t dst_len,
                               size_t *produced);
fwvet_sstep fwvet_lzma_step(void *state, const uint8_t *in, size_t in_len,
                            size_t *in_pos, uint8_t *dst, size_t dst_len,
                            size_t *produced);

/* "8 MiB", "900 KiB" or "12345 bytes" into buf; returns buf. */
const char *fwvet_size_str(char *buf, size_t buf_len, uint64_t n);

#endif
