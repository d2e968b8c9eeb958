/*
 * gzip (RFC 1952): one or more members, each a header, raw deflate data
 * and a CRC32/ISIZE trailer.  Members that follow each other directly are
 * one stream, as gunzip treats them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ZLIB_CONST
#include <zlib.h>

#include "core/cursor.h"
#include "unpack/format.h"
#include "unpack/stream.h"

enum {
  GZ_FHCRC = 1 << 1,
  GZ_FEXTRA = 1 << 2,
  GZ_FNAME = 1 << 3,
  GZ_FCOMMENT = 1 << 4,
  GZ_FRESERVED = 0xe0,
  GZ_NAME_MAX = 4096, /* longer names are taken as noise */
  GZ_COMMENT_MAX = 64 << 10,
  /* Many binaries hold a gzip header template (zlib's, busybox's) with
   * code after it, which inflates to a few hundred bytes before it fails;
   * damage earlier than this cannot be told from that.  (A cut at the end
   * of the data is still reported: noise rarely decodes up to it.) */
  GZ_MIN_DAMAGED = 4 << 10,
};

/* How a member's trailer compared with what it decoded to. */
enum { GZ_TRAILER_OK, GZ_TRAILER_CRC, GZ_TRAILER_BAD };

typedef struct gzm_header {
  size_t len; /* bytes up to the deflate data */
  uint32_t mtime;
  const uint8_t *name; /* without the NUL, or NULL */
  size_t name_len;
  int hcrc_bad;
} gzm_header;

/* A NUL-terminated field of at most `max` bytes; NULL when absent. */
static const uint8_t *gz_cstring(fwvet_cursor *c, size_t max, size_t *n) {
  size_t left = fwvet_cursor_left(c);
  size_t scan = left < max + 1 ? left : max + 1;
  const uint8_t *p = c->data + c->pos;
  const uint8_t *nul = memchr(p, 0, scan);
  if (!nul) {
    c->bad = 1;
    return NULL;
  }
  *n = (size_t)(nul - p);
  fwvet_cursor_skip(c, *n + 1);
  return p;
}

/*
 * Parses a member header strictly (reserved bits, XFL, OS) because the
 * three magic bytes alone occur too often in other data.  Returns 0 when
 * it is valid and complete.
 */
static int gz_parse_header(const uint8_t *data, size_t len, gzm_header *h) {
  fwvet_cursor c;
  fwvet_cursor_init(&c, data, len, 0);
  const uint8_t *fix = fwvet_cursor_take(&c, 10);
  if (!fix || fix[0] != 0x1f || fix[1] != 0x8b || fix[2] != 8)
    return -1;
  uint8_t flg = fix[3], xfl = fix[8], os = fix[9];
  if ((flg & GZ_FRESERVED) || (xfl != 0 && xfl != 2 && xfl != 4) ||
      (os > 13 && os != 255))
    return -1;
  memset(h, 0, sizeof(*h));
  h->mtime = (uint32_t)fwvet_load_le(fix + 4, 4);
  if (flg & GZ_FEXTRA)
    fwvet_cursor_skip(&c, fwvet_cursor_u16(&c));
  if ((flg & GZ_FNAME) && !c.bad)
    h->name = gz_cstring(&c, GZ_NAME_MAX, &h->name_len);
  if ((flg & GZ_FCOMMENT) && !c.bad) {
    size_t n;
    gz_cstring(&c, GZ_COMMENT_MAX, &n);
  }
  if ((flg & GZ_FHCRC) && !c.bad) {
    uint32_t want = (uint32_t)crc32_z(0, data, c.pos) & 0xffff;
    h->hcrc_bad = fwvet_cursor_u16(&c) != want;
  }
  if (c.bad)
    return -1;
  h->len = c.pos;
  return 0;
}

/* One member's deflate data and trailer, appended to `o`.  *pos moves
 * past what was read; *stop says how it ended, *trailer how the trailer
 * matched (a right size with a wrong CRC is damage, not noise). */
static fwvet_status gz_member(fwvet_sout *o, z_stream *z, const uint8_t *data,
                              size_t len, size_t *pos, fwvet_sstop *stop,
                              int *trailer) {
  size_t out_start = o->len;
  *trailer = GZ_TRAILER_OK;
  if (inflateReset(z) != Z_OK)
    return FWVET_ENOMEM;
  fwvet_status st =
      fwvet_sout_decode(o, fwvet_inflate_step, z, data, len, pos, stop);
  if (st || *stop != FWVET_SSTOP_END)
    return st;
  if (len - *pos < 8) {
    *stop = FWVET_SSTOP_SHORT;
    *pos = len;
    return FWVET_OK;
  }
  uint32_t crc = (uint32_t)crc32_z(0, o->buf + out_start, o->len - out_start);
  uint32_t isize = (uint32_t)(o->len - out_start);
  if (isize != (uint32_t)fwvet_load_le(data + *pos + 4, 4))
    *trailer = GZ_TRAILER_BAD;
  else if (crc != (uint32_t)fwvet_load_le(data + *pos, 4))
    *trailer = GZ_TRAILER_CRC;
  *pos += 8;
  return FWVET_OK;
}

static void gz_info(fwvet_uctx *u, const gzm_header *h, unsigned members) {
  char name[256] = "", when[64] = "", more[32] = "";
  if (h->name) {
    size_t n = 0;
    for (size_t i = 0; i < h->name_len && n < sizeof(name) - 1; i++) {
      uint8_t ch = h->name[i];
      name[n++] = ch >= 0x20 && ch < 0x7f && ch != '\'' ? (char)ch : '?';
    }
    name[n] = 0;
  }
  if (h->mtime) {
    time_t t = (time_t)h->mtime;
    struct tm tm;
    if (gmtime_r(&t, &tm))
      strftime(when, sizeof(when), ", mtime %Y-%m-%d %H:%M:%S UTC", &tm);
  }
  if (members > 1)
    snprintf(more, sizeof(more), ", %u members", members);
  if (h->name)
    fwvet_uctx_info(u, "gzip, original name '%s'%s%s", name, when, more);
  else
    fwvet_uctx_info(u, "gzip%s%s", when, more);
}

static fwvet_status gzip_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                                size_t *consumed) {
  gzm_header first, h;
  if (gz_parse_header(data, len, &first) != 0)
    return FWVET_ENOTFOUND;

  fwvet_status st = FWVET_ENOMEM;
  fwvet_sout o;
  fwvet_sout_init(&o, u, "gzip");
  z_stream z;
  memset(&z, 0, sizeof(z));
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
    return FWVET_ENOMEM;

  size_t pos = 0, end = 0, member_at = 0;
  unsigned members = 0;
  fwvet_sstop stop = FWVET_SSTOP_END;
  int trailer = GZ_TRAILER_OK, hcrc_bad = 0;
  h = first;
  for (;;) {
    size_t out_before = o.len;
    member_at = pos;
    hcrc_bad = h.hcrc_bad;
    pos += h.len;
    st = gz_member(&o, &z, data, len, &pos, &stop, &trailer);
    if (st)
      goto out;
    int damaged = stop != FWVET_SSTOP_END || trailer || hcrc_bad;
    int noise_like = stop == FWVET_SSTOP_BAD || trailer == GZ_TRAILER_BAD;
    if (noise_like && o.len - out_before < GZ_MIN_DAMAGED) {
      /* Not a member: the stream ended before it. */
      o.len = out_before;
      stop = FWVET_SSTOP_END;
      trailer = GZ_TRAILER_OK;
      hcrc_bad = 0;
      break;
    }
    end = pos;
    members++;
    if (damaged || gz_parse_header(data + pos, len - pos, &h) != 0)
      break;
  }

  if (o.len == 0) {
    st = FWVET_ENOTFOUND;
    goto out;
  }
  unsigned flags = 0;
  if (hcrc_bad) {
    fwvet_uctx_corrupt(u, member_at, "gzip: header checksum mismatch");
    flags = FWVET_NODE_TRUNCATED;
  }
  if (stop == FWVET_SSTOP_SHORT) {
    fwvet_uctx_corrupt(
        u, len, "gzip: stream truncated after %zu bytes of output", o.len);
    flags = FWVET_NODE_TRUNCATED;
  } else if (stop == FWVET_SSTOP_BAD) {
    fwvet_uctx_corrupt(u, end, "gzip: invalid deflate data (%s)",
                       z.msg ? z.msg : "no detail");
    flags = FWVET_NODE_TRUNCATED;
  } else if (trailer) {
    fwvet_uctx_corrupt(u, end - 8,
                       "gzip: crc32 or size mismatch in the trailer");
    flags = FWVET_NODE_TRUNCATED;
  }
  gz_info(u, &first, members);
  st = fwvet_sout_commit(&o, first.mtime, flags);
  if (st == FWVET_OK)
    *consumed = end;
out:
  inflateEnd(&z);
  fwvet_sout_release(&o);
  return st;
}

const fwvet_format fwvet_format_gzip = {
    "gzip", {{"\x1f\x8b\x08", 3, 0}, {NULL, 0, 0}}, 0, gzip_unpack};
