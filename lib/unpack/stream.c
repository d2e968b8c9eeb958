/* Output buffer, limits and step loop shared by the stream readers. */
#include "unpack/stream.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#define ZLIB_CONST
#include <lzma.h>
#include <zlib.h>

#define SOUT_FIRST_CAP ((size_t)16 << 10)
/* Less room than this is grown first: tiny decoder calls waste time. */
#define SOUT_MIN_STEP ((size_t)4 << 10)

void fwvet_sout_init(fwvet_sout *o, fwvet_uctx *u, const char *fmt) {
  o->u = u;
  o->fmt = fmt;
  o->buf = NULL;
  o->len = 0;
  o->cap = 0;
  o->flags = 0;
}

void fwvet_sout_release(fwvet_sout *o) {
  free(o->buf);
  o->buf = NULL;
  o->len = 0;
  o->cap = 0;
}

/* The cap for `in_used` compressed bytes, plus the one byte of room that
 * lets fwvet_sout_advance() see a decoder go past it. */
static size_t sout_hard_cap(fwvet_sout *o, uint64_t in_used) {
  uint64_t lim = fwvet_uctx_out_limit(o->u, in_used);
  if (lim >= SIZE_MAX - 1)
    return SIZE_MAX - 1;
  return (size_t)lim + 1;
}

static void sout_report_limit(fwvet_sout *o, uint64_t in_used, uint64_t lim) {
  const char *which = fwvet_uctx_out_limit_name(o->u, in_used);
  fwvet_uctx_limit(o->u, which,
                   "%s: limit '%s' reached: output cut at %" PRIu64
                   " bytes after %" PRIu64 " compressed bytes",
                   o->fmt, which, lim, in_used);
  o->flags |= FWVET_NODE_TRUNCATED;
}

fwvet_status fwvet_sout_reserve(fwvet_sout *o, uint64_t in_used, size_t want,
                                uint8_t **dst, size_t *avail) {
  if (fwvet_uctx_timed_out(o->u)) {
    fwvet_uctx_limit(
        o->u, "seconds",
        "%s: limit 'seconds' reached: decoding stopped after %zu bytes", o->fmt,
        o->len);
    o->flags |= FWVET_NODE_TRUNCATED;
    return FWVET_ELIMIT;
  }
  size_t hard = sout_hard_cap(o, in_used);
  if (o->len >= hard) {
    /* Only when the total budget shrank under us (other streams). */
    sout_report_limit(o, in_used, (uint64_t)o->len);
    return FWVET_ELIMIT;
  }
  if (want == 0)
    want = 1;
  size_t room = hard - o->len;
  size_t need = want < room ? want : room;
  if (o->cap - o->len < need) {
    size_t ncap = SOUT_FIRST_CAP;
    if (o->cap >= SOUT_FIRST_CAP)
      ncap = o->cap <= SIZE_MAX / 2 ? o->cap * 2 : SIZE_MAX;
    if (ncap - o->len < need)
      ncap = o->len + need;
    if (ncap > hard)
      ncap = hard;
    uint8_t *nb = realloc(o->buf, ncap);
    if (!nb)
      return FWVET_ENOMEM;
    o->buf = nb;
    o->cap = ncap;
  }
  size_t n = o->cap - o->len;
  if (n > room)
    n = room;
  size_t most = want > FWVET_SOUT_CHUNK ? want : FWVET_SOUT_CHUNK;
  if (n > most)
    n = most;
  *dst = o->buf + o->len;
  *avail = n;
  return FWVET_OK;
}

fwvet_status fwvet_sout_advance(fwvet_sout *o, uint64_t in_used, size_t n) {
  o->len += n;
  size_t hard = sout_hard_cap(o, in_used);
  if (o->len < hard)
    return FWVET_OK;
  o->len = hard - 1;
  sout_report_limit(o, in_used, (uint64_t)o->len);
  return FWVET_ELIMIT;
}

fwvet_status fwvet_sout_decode(fwvet_sout *o, fwvet_sstep_fn step, void *state,
                               const uint8_t *in, size_t in_len, size_t *in_pos,
                               fwvet_sstop *stop) {
  unsigned idle = 0;
  for (;;) {
    uint8_t *dst;
    size_t avail, produced = 0, before = *in_pos;
    fwvet_status st =
        fwvet_sout_reserve(o, *in_pos, SOUT_MIN_STEP, &dst, &avail);
    if (st == FWVET_ELIMIT) {
      *stop = FWVET_SSTOP_LIMIT;
      return FWVET_OK;
    }
    if (st)
      return st;
    fwvet_sstep r = step(state, in, in_len, in_pos, dst, avail, &produced);
    if (produced > avail || *in_pos > in_len || *in_pos < before) {
      *in_pos = before; /* a decoder bug must not become ours */
      r = FWVET_SSTEP_BAD;
    } else if (fwvet_sout_advance(o, *in_pos, produced) == FWVET_ELIMIT) {
      *stop = FWVET_SSTOP_LIMIT;
      return FWVET_OK;
    }
    switch (r) {
    case FWVET_SSTEP_MORE:
      if (produced == 0 && *in_pos == before) {
        if (++idle >= 2) {
          *stop = *in_pos == in_len ? FWVET_SSTOP_SHORT : FWVET_SSTOP_BAD;
          return FWVET_OK;
        }
      } else {
        idle = 0;
      }
      break;
    case FWVET_SSTEP_END:
      *stop = FWVET_SSTOP_END;
      return FWVET_OK;
    case FWVET_SSTEP_SHORT:
      *stop = FWVET_SSTOP_SHORT;
      return FWVET_OK;
    case FWVET_SSTEP_BAD:
      *stop = FWVET_SSTOP_BAD;
      return FWVET_OK;
    case FWVET_SSTEP_NOMEM:
      return FWVET_ENOMEM;
    }
  }
}

fwvet_status fwvet_sout_commit(fwvet_sout *o, int64_t mtime, unsigned flags) {
  if (o->len == 0) {
    fwvet_sout_release(o);
    return FWVET_ENOTFOUND;
  }
  if (o->cap > o->len) {
    uint8_t *nb = realloc(o->buf, o->len);
    if (nb) {
      o->buf = nb;
      o->cap = o->len;
    }
  }
  fwvet_entry e = {0};
  e.kind = FWVET_KIND_FILE;
  e.mode = 0644;
  e.mtime = mtime;
  e.size = o->len;
  e.flags = o->flags | flags;
  uint8_t *buf = o->buf;
  size_t len = o->len;
  o->buf = NULL;
  o->len = 0;
  o->cap = 0;
  return fwvet_uctx_add_owned(o->u, &e, buf, len);
}

const char *fwvet_size_str(char *buf, size_t buf_len, uint64_t n) {
  if (n >= ((uint64_t)1 << 30) && n % ((uint64_t)1 << 30) == 0)
    snprintf(buf, buf_len, "%" PRIu64 " GiB", n >> 30);
  else if (n >= ((uint64_t)1 << 20) && n % ((uint64_t)1 << 20) == 0)
    snprintf(buf, buf_len, "%" PRIu64 " MiB", n >> 20);
  else if (n >= ((uint64_t)1 << 10) && n % ((uint64_t)1 << 10) == 0)
    snprintf(buf, buf_len, "%" PRIu64 " KiB", n >> 10);
  else
    snprintf(buf, buf_len, "%" PRIu64 " bytes", n);
  return buf;
}

fwvet_status fwvet_sout_commit_undecoded(fwvet_sout *o) {
  fwvet_sout_release(o);
  fwvet_entry e = {0};
  e.kind = FWVET_KIND_FILE;
  e.mode = 0644;
  e.flags = FWVET_NODE_TRUNCATED;
  return fwvet_uctx_add(o->u, &e);
}

fwvet_sstep fwvet_inflate_step(void *state, const uint8_t *in, size_t in_len,
                               size_t *in_pos, uint8_t *dst, size_t dst_len,
                               size_t *produced) {
  z_stream *z = state;
  size_t left = in_len - *in_pos;
  uInt ain = left > UINT_MAX ? UINT_MAX : (uInt)left;
  uInt aout = dst_len > UINT_MAX ? UINT_MAX : (uInt)dst_len;
  z->next_in = in + *in_pos;
  z->avail_in = ain;
  z->next_out = dst;
  z->avail_out = aout;
  int r = inflate(z, Z_NO_FLUSH);
  *in_pos += ain - z->avail_in;
  *produced = aout - z->avail_out;
  switch (r) {
  case Z_STREAM_END:
    return FWVET_SSTEP_END;
  case Z_OK:
    return FWVET_SSTEP_MORE;
  case Z_BUF_ERROR: /* no progress possible: the input ran out */
    return *in_pos == in_len ? FWVET_SSTEP_SHORT : FWVET_SSTEP_MORE;
  case Z_MEM_ERROR:
    return FWVET_SSTEP_NOMEM;
  default:
    return FWVET_SSTEP_BAD;
  }
}

fwvet_sstep fwvet_lzma_step(void *state, const uint8_t *in, size_t in_len,
                            size_t *in_pos, uint8_t *dst, size_t dst_len,
                            size_t *produced) {
  lzma_stream *s = state;
  size_t ain = in_len - *in_pos;
  s->next_in = in + *in_pos;
  s->avail_in = ain;
  s->next_out = dst;
  s->avail_out = dst_len;
  lzma_ret r = lzma_code(s, LZMA_RUN);
  *in_pos += ain - s->avail_in;
  *produced = dst_len - s->avail_out;
  switch (r) {
  case LZMA_STREAM_END:
    return FWVET_SSTEP_END;
  case LZMA_OK:
    return FWVET_SSTEP_MORE;
  case LZMA_BUF_ERROR:
    return *in_pos == in_len ? FWVET_SSTEP_SHORT : FWVET_SSTEP_BAD;
  case LZMA_MEM_ERROR:
    return FWVET_SSTEP_NOMEM;
  default: /* data, format, options, memlimit errors */
    return FWVET_SSTEP_BAD;
  }
}
