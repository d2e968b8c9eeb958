/*
 * squashfs 4.0 (Linux Documentation/filesystems/squashfs.rst), little- or
 * big-endian: the superblock, the layout of the tables, and the metadata
 * blocks.  The directory walk is in squashfs_dir.c, file content in
 * squashfs_file.c.
 *
 * Layout mksquashfs writes, each table's index after its blocks:
 *   superblock (96) | compressor options | data and fragment blocks |
 *   inode table | directory table | fragment table | export table |
 *   id table | xattr tables
 * The inode and directory tables are read whole, once; the kernel's
 * ordering rules tell where each ends.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cursor.h"
#include "unpack/squashfs_int.h"

#define SQFS_MAX_REPORTS 32
#define SQFS_IDS_PER_BLOCK (SQFS_META_SIZE / 4)
#define SQFS_FRAGS_PER_BLOCK (SQFS_META_SIZE / 16)
#define SQFS_EXPORTS_PER_BLOCK (SQFS_META_SIZE / 8)
#define SQFS_COMP_OPT 0x0400

void sqfs_corrupt(sqfs_reader *r, uint64_t off, const char *fmt, ...) {
  char msg[320];
  va_list ap;
  if (r->reports > SQFS_MAX_REPORTS)
    return;
  if (r->reports++ == SQFS_MAX_REPORTS) {
    fwvet_uctx_corrupt(r->u, off, "squashfs: more damage, not reported");
    return;
  }
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fwvet_uctx_corrupt(r->u, off, "squashfs: %s", msg);
}

static uint64_t load(const sqfs_reader *r, uint64_t off, unsigned n) {
  const uint8_t *p = r->data + off;
  return r->big_endian ? fwvet_load_be(p, n) : fwvet_load_le(p, n);
}

fwvet_status sqfs_meta_read(sqfs_reader *r, uint64_t off, uint64_t hi,
                            uint8_t *out, size_t *out_len) {
  if (hi > r->len)
    hi = r->len;
  if (off < SQFS_SUPER_SIZE || !fwvet_fits(off, 2, hi))
    return FWVET_ECORRUPT;
  unsigned hdr = (unsigned)load(r, off, 2);
  size_t size = hdr & 0x7fff;
  if (size == 0 || size > SQFS_META_SIZE || !fwvet_fits(off + 2, size, hi))
    return FWVET_ECORRUPT;
  if (hdr & 0x8000) {
    memcpy(out, r->data + off + 2, size);
    *out_len = size;
    return FWVET_OK;
  }
  return sqfs_decompress(&r->codec, r->data + off + 2, size, out,
                         SQFS_META_SIZE, out_len);
}

int sqfs_table_find(const sqfs_table *t, uint64_t blk, unsigned off,
                    size_t *pos) {
  size_t lo = 0, hi = t->nblk;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->blk[mid].off < blk)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == t->nblk || t->blk[lo].off != blk || off >= SQFS_META_SIZE)
    return -1;
  if (t->blk[lo].pos + off >= t->len)
    return -1;
  *pos = t->blk[lo].pos + off;
  return 0;
}

static void table_release(sqfs_table *t) {
  free(t->buf);
  free(t->blk);
}

/* Makes room for one more decoded block. */
static fwvet_status table_grow(sqfs_table *t) {
  if (t->cap - t->len < SQFS_META_SIZE) {
    size_t cap = t->cap ? t->cap * 2 : 4 * SQFS_META_SIZE;
    uint8_t *p = realloc(t->buf, cap);
    if (!p)
      return FWVET_ENOMEM;
    t->buf = p;
    t->cap = cap;
  }
  if (t->nblk == t->capblk) {
    size_t cap = t->capblk ? t->capblk * 2 : 16;
    struct sqfs_blk *p = realloc(t->blk, cap * sizeof *p);
    if (!p)
      return FWVET_ENOMEM;
    t->blk = p;
    t->capblk = cap;
  }
  return FWVET_OK;
}

/* Decodes the metadata blocks in [start, end) into `t`; damage stops it
 * with what came before kept. */
static fwvet_status table_read(sqfs_reader *r, sqfs_table *t,
                               const char *what, uint64_t start,
                               uint64_t end) {
  uint64_t limit = fwvet_uctx_out_limit(r->u, end - start);
  uint64_t pos = start;
  while (pos < end) {
    if (fwvet_uctx_timed_out(r->u)) {
      fwvet_uctx_limit(r->u, "seconds",
                       "squashfs: stopped at the cpu time limit while "
                       "reading the %s table",
                       what);
      r->stop = 1;
      break;
    }
    if (t->len + SQFS_META_SIZE > limit) {
      fwvet_uctx_limit(r->u, fwvet_uctx_out_limit_name(r->u, end - start),
                       "squashfs: %s table decoded past %" PRIu64
                       " bytes; the rest is not read",
                       what, limit);
      break;
    }
    fwvet_status st = table_grow(t);
    if (st)
      return st;
    size_t n = 0;
    st = sqfs_meta_read(r, pos, end, t->buf + t->len, &n);
    if (st == FWVET_ENOMEM)
      return st;
    if (st) {
      sqfs_corrupt(r, pos,
                   "%s table: metadata block at 0x%" PRIx64
                   " is cut off or does not decode",
                   what, pos);
      break;
    }
    t->blk[t->nblk].off = pos - start;
    t->blk[t->nblk].pos = t->len;
    t->nblk++;
    t->len += n;
    pos += 2 + (load(r, pos, 2) & 0x7fff);
  }
  return FWVET_OK;
}

static void read_super(fwvet_cursor *c, sqfs_super *s) {
  fwvet_cursor_skip(c, 4);
  s->inodes = fwvet_cursor_u32(c);
  s->mkfs_time = fwvet_cursor_u32(c);
  s->block_size = fwvet_cursor_u32(c);
  s->frag_count = fwvet_cursor_u32(c);
  s->comp = fwvet_cursor_u16(c);
  s->block_log = fwvet_cursor_u16(c);
  s->flags = fwvet_cursor_u16(c);
  s->id_count = fwvet_cursor_u16(c);
  s->major = fwvet_cursor_u16(c);
  s->minor = fwvet_cursor_u16(c);
  s->root = fwvet_cursor_u64(c);
  s->bytes_used = fwvet_cursor_u64(c);
  s->id_start = fwvet_cursor_u64(c);
  s->xattr_start = fwvet_cursor_u64(c);
  s->inode_start = fwvet_cursor_u64(c);
  s->dir_start = fwvet_cursor_u64(c);
  s->frag_start = fwvet_cursor_u64(c);
  s->export_start = fwvet_cursor_u64(c);
}

/*
 * Reads the index of a table (`count` entries, `per` to a block) at
 * `start`, which must end by `next`; on success *first is where its first
 * block starts, before `start`.  Reports and returns -1 otherwise.
 */
static int table_index(sqfs_reader *r, const char *what, uint64_t start,
                       uint64_t count, unsigned per, uint64_t next,
                       uint64_t *first) {
  uint64_t blocks = count / per + (count % per != 0);
  uint64_t len = blocks * 8;
  if (!fwvet_fits(start, len, next) || start < SQFS_SUPER_SIZE) {
    sqfs_corrupt(r, 0,
                 "%s table index at 0x%" PRIx64 " (%" PRIu64
                 " bytes) overlaps the next table or lies past the end at "
                 "0x%" PRIx64,
                 what, start, len, next);
    return -1;
  }
  if (!fwvet_fits(start, len, r->len)) {
    /* Wholly in the missing part of a cut image: already reported. */
    if (start < r->len)
      sqfs_corrupt(r, start, "%s table index at 0x%" PRIx64 " is cut off",
                   what, start);
    return -1;
  }
  if (blocks == 0) {
    *first = start;
    return 0;
  }
  *first = load(r, start, 8);
  if (*first >= start || *first < SQFS_SUPER_SIZE) {
    sqfs_corrupt(r, start,
                 "%s table block at 0x%" PRIx64
                 " does not precede its index at 0x%" PRIx64,
                 what, *first, start);
    return -1;
  }
  return 0;
}

static fwvet_status read_ids(sqfs_reader *r) {
  size_t n = r->sb.id_count;
  uint8_t blk[SQFS_META_SIZE];
  if (!(r->ids = calloc(n ? n : 1, sizeof *r->ids)))
    return FWVET_ENOMEM;
  for (size_t b = 0; r->nids < n; b++) {
    uint64_t off = load(r, r->sb.id_start + 8 * b, 8);
    size_t got = 0;
    fwvet_status st = sqfs_meta_read(r, off, r->sb.id_start, blk, &got);
    if (st == FWVET_ENOMEM)
      return st;
    if (st) {
      sqfs_corrupt(r, off, "id table block at 0x%" PRIx64 " is corrupt",
                   off);
      break;
    }
    for (size_t i = 0; i + 4 <= got && r->nids < n; i += 4)
      r->ids[r->nids++] = (uint32_t)(r->big_endian
                                         ? fwvet_load_be(blk + i, 4)
                                         : fwvet_load_le(blk + i, 4));
    if (got < SQFS_META_SIZE && r->nids < n) {
      sqfs_corrupt(r, off, "id table holds %zu of %zu ids", r->nids, n);
      break;
    }
  }
  return FWVET_OK;
}

/* The smallest table boundary after `start`: where a table that begins
 * at `start` must end. */
static uint64_t region_end(const uint64_t *bounds, size_t n, uint64_t start,
                           uint64_t end) {
  for (size_t i = 0; i < n; i++)
    if (bounds[i] > start && bounds[i] < end)
      end = bounds[i];
  return end;
}

/*
 * Checks the table layout as the kernel does, from the end backwards
 * (id, export, fragment tables, then the directory and inode tables),
 * reads the id table and fragment index, and decodes the inode and
 * directory tables.  Damage is reported; what is still readable is kept.
 */
static fwvet_status read_tables(sqfs_reader *r) {
  const sqfs_super *s = &r->sb;
  uint64_t used = s->bytes_used, next = used, first;
  uint64_t bounds[16];
  size_t nb = 0;
  fwvet_status st;
  bounds[nb++] = used;
  if (s->xattr_start != SQFS_NONE) {
    if (s->xattr_start >= used || s->xattr_start < SQFS_SUPER_SIZE)
      sqfs_corrupt(r, 0, "xattr table at 0x%" PRIx64 " lies past the end",
                   s->xattr_start);
    else
      bounds[nb++] = s->xattr_start; /* never read: xattrs are ignored */
  }
  if (s->id_count == 0) {
    sqfs_corrupt(r, 0, "the image has no uid/gid table");
  } else if (table_index(r, "id", s->id_start, s->id_count,
                         SQFS_IDS_PER_BLOCK, next, &first) == 0) {
    bounds[nb++] = s->id_start;
    bounds[nb++] = first;
    next = first;
    if ((st = read_ids(r)))
      return st;
  }
  if (s->export_start != SQFS_NONE &&
      table_index(r, "export", s->export_start, s->inodes,
                  SQFS_EXPORTS_PER_BLOCK, next, &first) == 0) {
    bounds[nb++] = s->export_start;
    bounds[nb++] = first;
    next = first;
  }
  if (s->frag_count && table_index(r, "fragment", s->frag_start,
                                   s->frag_count, SQFS_FRAGS_PER_BLOCK,
                                   next, &first) == 0) {
    bounds[nb++] = s->frag_start;
    bounds[nb++] = first;
    next = first;
    r->frags_ok = 1;
  }
  if (s->dir_start > next || s->dir_start >= used)
    sqfs_corrupt(r, 0,
                 "directory table at 0x%" PRIx64
                 " overlaps the table after it at 0x%" PRIx64,
                 s->dir_start, next);
  if (s->inode_start >= s->dir_start || s->inode_start < SQFS_SUPER_SIZE)
    sqfs_corrupt(r, 0,
                 "inode table at 0x%" PRIx64
                 " does not lie between the superblock and the directory "
                 "table at 0x%" PRIx64,
                 s->inode_start, s->dir_start);
  /* Starts of tables whose index was unusable still end the ones before. */
  const uint64_t starts[] = {s->id_start, s->export_start, s->frag_start,
                             s->dir_start, s->inode_start};
  for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
    if (starts[i] < used)
      bounds[nb++] = starts[i];
  if (s->inode_start >= SQFS_SUPER_SIZE && s->inode_start < used &&
      (st = table_read(r, &r->inodes, "inode", s->inode_start,
                       region_end(bounds, nb, s->inode_start, used))))
    return st;
  if (s->dir_start >= SQFS_SUPER_SIZE && s->dir_start < used && !r->stop &&
      (st = table_read(r, &r->dirs, "directory", s->dir_start,
                       region_end(bounds, nb, s->dir_start, used))))
    return st;
  return FWVET_OK;
}

/*
 * Not 4.0: squashfs 1.x-3.x (same magic, version at the same place)
 * is reported as unsupported when its header looks right, so the carver
 * skips it whole instead of finding its blocks one by one.
 */
static fwvet_status other_version(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, int be, unsigned major,
                                  unsigned minor, size_t *consumed) {
  fwvet_cursor c;
  fwvet_cursor_init(&c, data, len, be);
  if (major < 1 || major > 4 || minor > 1 || len < 36)
    return FWVET_ENOTFOUND;
  fwvet_cursor_seek(&c, 34);
  unsigned log = fwvet_cursor_u16(&c);
  if (major < 4 && (log < 12 || log > 20))
    return FWVET_ENOTFOUND;
  uint64_t used = 0;
  if (major == 4 && fwvet_cursor_seek(&c, 40) == 0)
    used = fwvet_cursor_u64(&c);
  else if (major == 3 && fwvet_cursor_seek(&c, 63) == 0)
    used = fwvet_cursor_u64(&c);
  else if (major < 3 && fwvet_cursor_seek(&c, 8) == 0)
    used = fwvet_cursor_u32(&c);
  fwvet_uctx_unsupported(u, "squashfs: version %u.%u is not supported",
                         major, minor);
  fwvet_uctx_info(u, "squashfs %u.%u, %s-endian (not unpacked)", major, minor,
                  be ? "big" : "little");
  *consumed = (used >= SQFS_SUPER_SIZE && used <= len && !c.bad)
                  ? (size_t)used
                  : len;
  return FWVET_OK;
}

static void set_info(sqfs_reader *r) {
  char when[32] = "unknown";
  time_t t = (time_t)r->sb.mkfs_time;
  struct tm tm;
  if (gmtime_r(&t, &tm))
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  const char *comp = sqfs_codec_name(r->sb.comp);
  fwvet_uctx_info(r->u,
                  "squashfs 4.0, %s-endian, %s, block size %" PRIu32
                  ", %" PRIu32 " inodes, created %s",
                  r->big_endian ? "big" : "little", comp ? comp : "unknown",
                  r->sb.block_size, r->sb.inodes, when);
}

/* The superblock checks that leave nothing to read when they fail. */
static int super_usable(sqfs_reader *r) {
  const sqfs_super *s = &r->sb;
  if (!sqfs_codec_known(s->comp)) {
    fwvet_uctx_unsupported(r->u, "squashfs: unknown compressor id %u",
                           (unsigned)s->comp);
    return 0;
  }
  if (s->block_log < 12 || s->block_log > 20 ||
      s->block_size != (1u << s->block_log)) {
    sqfs_corrupt(r, 12,
                 "block size %" PRIu32 " (log %u) is not a power of two "
                 "from 4 KiB to 1 MiB",
                 s->block_size, (unsigned)s->block_log);
    return 0;
  }
  if (s->bytes_used < SQFS_SUPER_SIZE) {
    sqfs_corrupt(r, 40, "bytes_used %" PRIu64 " ends inside the superblock",
                 s->bytes_used);
    return 0;
  }
  if (s->flags & SQFS_COMP_OPT) {
    /* The options block only tunes the compressor; every block decodes
     * without it.  It sits right after the superblock. */
    if (r->len < SQFS_SUPER_SIZE + 2 ||
        (load(r, SQFS_SUPER_SIZE, 2) & 0x7fff) >
            r->len - SQFS_SUPER_SIZE - 2)
      sqfs_corrupt(r, SQFS_SUPER_SIZE,
                   "compressor options block is cut off");
  }
  return 1;
}

static fwvet_status squashfs_unpack(fwvet_uctx *u, const uint8_t *data,
                                    size_t len, size_t *consumed) {
  int be;
  if (len < 32)
    return FWVET_ENOTFOUND;
  if (memcmp(data, "hsqs", 4) == 0)
    be = 0;
  else if (memcmp(data, "sqsh", 4) == 0)
    be = 1;
  else
    return FWVET_ENOTFOUND;
  unsigned major = (unsigned)(be ? fwvet_load_be(data + 28, 2)
                                 : fwvet_load_le(data + 28, 2));
  unsigned minor = (unsigned)(be ? fwvet_load_be(data + 30, 2)
                                 : fwvet_load_le(data + 30, 2));
  if (major != 4 || minor != 0)
    return other_version(u, data, len, be, major, minor, consumed);

  sqfs_reader *r = calloc(1, sizeof *r);
  fwvet_status st = FWVET_OK;
  size_t used = len;
  if (!r)
    return FWVET_ENOMEM;
  r->u = u;
  r->data = data;
  r->len = len;
  r->big_endian = be;
  r->fblk_no = SQFS_NONE;
  if (len < SQFS_SUPER_SIZE) {
    sqfs_corrupt(r, 0, "superblock cut off after %zu bytes", len);
    goto out;
  }
  fwvet_cursor c;
  fwvet_cursor_init(&c, data, len, be);
  read_super(&c, &r->sb);
  set_info(r);
  if (r->sb.bytes_used < SQFS_SUPER_SIZE)
    used = SQFS_SUPER_SIZE;
  else if (r->sb.bytes_used < len)
    used = r->len = (size_t)r->sb.bytes_used;
  else if (r->sb.bytes_used > len)
    sqfs_corrupt(r, len,
                 "image cut off: %zu of %" PRIu64 " bytes present", len,
                 r->sb.bytes_used);
  if (!super_usable(r))
    goto out;
  sqfs_codec_init(&r->codec, r->sb.comp);
  if (!(r->img = sqfs_image_new(u, data, r->len))) {
    st = FWVET_ENOMEM;
    goto out;
  }
  r->img->big_endian = be;
  r->img->comp = r->sb.comp;
  r->img->block_size = r->sb.block_size;
  r->img->block_log = r->sb.block_log;
  if ((st = read_tables(r)))
    goto out;
  if (!r->stop)
    st = sqfs_walk(r);
out:
  sqfs_codec_release(&r->codec);
  table_release(&r->inodes);
  table_release(&r->dirs);
  free(r->ids);
  sqfs_image_release(r->img);
  free(r);
  if (st == FWVET_OK)
    *consumed = used;
  return st;
}

const fwvet_format fwvet_format_squashfs = {
    "squashfs",
    {{"hsqs", 4, 0}, {"sqsh", 4, 0}, {NULL, 0, 0}},
    0,
    squashfs_unpack,
};
