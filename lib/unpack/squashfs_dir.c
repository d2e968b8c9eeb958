/*
 * squashfs directory walk: from the root inode down, depth first, every
 * entry is declared to the driver; regular files get a deferred loader
 * (squashfs_file.c) so their blocks are decoded on the thread pool.
 *
 * A directory listing is a series of runs: a 12-byte header (count - 1,
 * inode block, base inode number) and up to 256 entries of 8 bytes
 * (offset in that block, inode number delta, type, name size - 1) plus
 * the name.  The listing's size in the inode is 3 more than its bytes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "unpack/squashfs_int.h"

#define SQFS_MAX_DEPTH 256    /* directory levels listed */
#define SQFS_RUN_MAX 256      /* entries under one listing header */
#define SQFS_NAME_MAX 256
#define SQFS_LINK_MAX 65536   /* the kernel takes one page at most */

enum {
  SQFS_DIR = 1, SQFS_FILE, SQFS_SYMLINK, SQFS_BLKDEV, SQFS_CHRDEV,
  SQFS_FIFO, SQFS_SOCKET, SQFS_LDIR, SQFS_LFILE, SQFS_LSYMLINK,
  SQFS_LBLKDEV, SQFS_LCHRDEV, SQFS_LFIFO, SQFS_LSOCKET,
};

typedef struct sqfs_inode {
  unsigned type;
  fwvet_kind kind;
  uint32_t mode, uid_idx, gid_idx, mtime, nlink, rdev;
  uint64_t size;
  uint32_t dir_block, dir_offset;       /* directories */
  uint64_t start;                       /* regular files */
  uint32_t frag, frag_offset;
  size_t blocks_pos, nblocks;
  int blocks_cut;                       /* block list ran off the table */
  const uint8_t *link;                  /* symlinks */
  size_t link_len;
} sqfs_inode;

typedef struct walk {
  sqfs_reader *r;
  uint64_t *seen;                       /* inode positions + 1, hashed */
  size_t seen_cap, seen_count;
  char *path;
  size_t path_len, path_cap;
  uint64_t entries, max_entries;
  char shown[160];
} walk;

static void read_file_inode(sqfs_reader *r, fwvet_cursor *c, sqfs_inode *ino,
                            int extended) {
  if (extended) {
    ino->start = fwvet_cursor_u64(c);
    ino->size = fwvet_cursor_u64(c);
    fwvet_cursor_skip(c, 8); /* bytes saved by sparse blocks */
    ino->nlink = fwvet_cursor_u32(c);
    ino->frag = fwvet_cursor_u32(c);
    ino->frag_offset = fwvet_cursor_u32(c);
    fwvet_cursor_skip(c, 4); /* xattr */
  } else {
    ino->start = fwvet_cursor_u32(c);
    ino->frag = fwvet_cursor_u32(c);
    ino->frag_offset = fwvet_cursor_u32(c);
    ino->size = fwvet_cursor_u32(c);
    ino->nlink = 1;
  }
  unsigned log = r->sb.block_log;
  uint64_t n = ino->size >> log;
  if (ino->frag == SQFS_NO_FRAGMENT && (ino->size & (r->sb.block_size - 1)))
    n++;
  uint64_t room = fwvet_cursor_left(c) / 4;
  if (n > room) {
    ino->blocks_cut = 1;
    n = room;
  }
  ino->blocks_pos = c->pos;
  ino->nblocks = (size_t)n;
}

/* Decodes the inode at `pos` of the inode table; -1 when it is bad. */
static int read_inode(sqfs_reader *r, size_t pos, sqfs_inode *ino) {
  fwvet_cursor c;
  fwvet_cursor_init(&c, r->inodes.buf, r->inodes.len, r->big_endian);
  fwvet_cursor_seek(&c, pos);
  memset(ino, 0, sizeof *ino);
  ino->type = fwvet_cursor_u16(&c);
  ino->mode = fwvet_cursor_u16(&c) & 07777;
  ino->uid_idx = fwvet_cursor_u16(&c);
  ino->gid_idx = fwvet_cursor_u16(&c);
  ino->mtime = fwvet_cursor_u32(&c);
  fwvet_cursor_skip(&c, 4); /* inode number */
  ino->frag = SQFS_NO_FRAGMENT;
  switch (ino->type) {
  case SQFS_DIR:
    ino->kind = FWVET_KIND_DIR;
    ino->dir_block = fwvet_cursor_u32(&c);
    ino->nlink = fwvet_cursor_u32(&c);
    ino->size = fwvet_cursor_u16(&c);
    ino->dir_offset = fwvet_cursor_u16(&c);
    break;
  case SQFS_LDIR:
    ino->kind = FWVET_KIND_DIR;
    ino->nlink = fwvet_cursor_u32(&c);
    ino->size = fwvet_cursor_u32(&c);
    ino->dir_block = fwvet_cursor_u32(&c);
    fwvet_cursor_skip(&c, 6); /* parent inode, index count */
    ino->dir_offset = fwvet_cursor_u16(&c);
    break;
  case SQFS_FILE:
  case SQFS_LFILE:
    ino->kind = FWVET_KIND_FILE;
    read_file_inode(r, &c, ino, ino->type == SQFS_LFILE);
    break;
  case SQFS_SYMLINK:
  case SQFS_LSYMLINK:
    ino->kind = FWVET_KIND_SYMLINK;
    ino->nlink = fwvet_cursor_u32(&c);
    ino->link_len = fwvet_cursor_u32(&c);
    if (ino->link_len > SQFS_LINK_MAX)
      return -1;
    ino->link = fwvet_cursor_take(&c, ino->link_len);
    ino->size = ino->link_len;
    break;
  case SQFS_BLKDEV:
  case SQFS_LBLKDEV:
  case SQFS_CHRDEV:
  case SQFS_LCHRDEV:
    ino->kind = (ino->type == SQFS_BLKDEV || ino->type == SQFS_LBLKDEV)
                    ? FWVET_KIND_BLOCKDEV
                    : FWVET_KIND_CHARDEV;
    ino->nlink = fwvet_cursor_u32(&c);
    ino->rdev = fwvet_cursor_u32(&c);
    break;
  case SQFS_FIFO:
  case SQFS_LFIFO:
  case SQFS_SOCKET:
  case SQFS_LSOCKET:
    ino->kind = (ino->type == SQFS_FIFO || ino->type == SQFS_LFIFO)
                    ? FWVET_KIND_FIFO
                    : FWVET_KIND_SOCKET;
    ino->nlink = fwvet_cursor_u32(&c);
    break;
  default:
    return -1;
  }
  return c.bad ? -1 : 0;
}

/* The current path, printable and bounded, for messages. */
static const char *shown(walk *w) {
  size_t o = 0, cap = sizeof w->shown;
  if (w->path_len == 0)
    return "/";
  for (size_t i = 0; i < w->path_len && o + 4 < cap; i++) {
    unsigned char ch = (unsigned char)w->path[i];
    w->shown[o++] = (ch < 0x20 || ch == 0x7f || ch == '\'') ? '?' : (char)ch;
  }
  if (o + 4 >= cap && o >= 3)
    memcpy(w->shown + o - 3, "...", 3);
  w->shown[o] = '\0';
  return w->shown;
}

static int path_push(walk *w, const uint8_t *name, size_t n) {
  size_t need = w->path_len + 1 + n + 1;
  if (need > w->path_cap) {
    size_t cap = w->path_cap ? w->path_cap * 2 : 256;
    while (cap < need)
      cap *= 2;
    char *p = realloc(w->path, cap);
    if (!p)
      return -1;
    w->path = p;
    w->path_cap = cap;
  }
  if (w->path_len)
    w->path[w->path_len++] = '/';
  memcpy(w->path + w->path_len, name, n);
  w->path_len += n;
  w->path[w->path_len] = '\0';
  return 0;
}

static size_t seen_slot(const uint64_t *t, size_t cap, uint64_t key) {
  size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
  while (t[i] && t[i] != key)
    i = (i + 1) & (cap - 1);
  return i;
}

/* Records inode position `pos`; *was is set when it was there already. */
static fwvet_status seen_add(walk *w, size_t pos, int *was) {
  uint64_t key = (uint64_t)pos + 1;
  if ((w->seen_count + 1) * 2 > w->seen_cap) {
    size_t cap = w->seen_cap ? w->seen_cap * 2 : 1024;
    uint64_t *t = calloc(cap, sizeof *t);
    if (!t)
      return FWVET_ENOMEM;
    for (size_t i = 0; i < w->seen_cap; i++)
      if (w->seen[i])
        t[seen_slot(t, cap, w->seen[i])] = w->seen[i];
    free(w->seen);
    w->seen = t;
    w->seen_cap = cap;
  }
  size_t i = seen_slot(w->seen, w->seen_cap, key);
  *was = w->seen[i] != 0;
  if (!*was) {
    w->seen[i] = key;
    w->seen_count++;
  }
  return FWVET_OK;
}

static uint32_t id_lookup(walk *w, uint32_t idx) {
  sqfs_reader *r = w->r;
  if (idx < r->nids)
    return r->ids[idx];
  if (!r->ids_reported) {
    r->ids_reported = 1;
    sqfs_corrupt(r, 0, "uid/gid index %" PRIu32 " of '%s' is not in the id "
                 "table (%zu ids)", idx, shown(w), r->nids);
  }
  return 0;
}

/* The slot of fragment `index`, read from the fragment table on first
 * use; NULL when it cannot be used (reported). */
static fwvet_status frag_lookup(walk *w, uint32_t index, sqfs_frag **out) {
  sqfs_reader *r = w->r;
  sqfs_frag *f = sqfs_frag_find(r->img, index);
  *out = NULL;
  if (f) {
    *out = f->bad ? NULL : f;
    return FWVET_OK;
  }
  if (!r->frags_ok || index >= r->sb.frag_count) {
    sqfs_corrupt(r, 0, "'%s' uses fragment %" PRIu32 " of %" PRIu32,
                 shown(w), index, r->sb.frag_count);
    return FWVET_OK;
  }
  if (!(f = sqfs_frag_add(r->img, index)))
    return FWVET_ENOMEM;
  uint64_t b = index / (SQFS_META_SIZE / 16);
  if (r->fblk_no != b) {
    const uint8_t *p = r->data + r->sb.frag_start + 8 * b;
    uint64_t off = r->big_endian ? fwvet_load_be(p, 8) : fwvet_load_le(p, 8);
    r->fblk_no = b;
    r->fblk_len = 0;
    fwvet_status st = sqfs_meta_read(r, off, r->sb.frag_start, r->fblk,
                                     &r->fblk_len);
    if (st == FWVET_ENOMEM)
      return st;
    if (st)
      sqfs_corrupt(r, off, "fragment table block at 0x%" PRIx64
                   " is corrupt", off);
  }
  fwvet_cursor c;
  fwvet_cursor_init(&c, r->fblk, r->fblk_len, r->big_endian);
  fwvet_cursor_seek(&c, (index % (SQFS_META_SIZE / 16)) * 16);
  f->start = fwvet_cursor_u64(&c);
  f->size_word = fwvet_cursor_u32(&c);
  size_t dsize = f->size_word & SQFS_BLOCK_SIZE_MASK;
  if (c.bad || (f->size_word & ~(SQFS_BLOCK_RAW | SQFS_BLOCK_SIZE_MASK)) ||
      dsize == 0 || dsize > r->sb.block_size ||
      !fwvet_fits(f->start, dsize, r->len)) {
    f->bad = 1;
    if (r->fblk_len)
      sqfs_corrupt(r, 0, "fragment %" PRIu32 " (block at 0x%" PRIx64
                   ", %zu bytes) is unusable", index, f->start, dsize);
    return FWVET_OK;
  }
  *out = f;
  return FWVET_OK;
}

/* A file stored as uncompressed full blocks and no tail is a plain range
 * of the image: no copy. */
static int is_plain(const sqfs_reader *r, const sqfs_inode *ino,
                    const uint32_t *words) {
  if (ino->frag != SQFS_NO_FRAGMENT || ino->blocks_cut ||
      !fwvet_fits(ino->start, ino->size, r->len))
    return 0;
  for (size_t i = 0; i < ino->nblocks; i++) {
    uint64_t left = ino->size - ((uint64_t)i << r->sb.block_log);
    uint64_t expect = left < r->sb.block_size ? left : r->sb.block_size;
    if (words[i] != (SQFS_BLOCK_RAW | expect))
      return 0;
  }
  return 1;
}

static fwvet_status add_file(walk *w, const fwvet_entry *e,
                             const sqfs_inode *ino) {
  sqfs_reader *r = w->r;
  sqfs_frag *frag = NULL;
  fwvet_status st;
  if (ino->size == 0)
    return fwvet_uctx_add_slice(r->u, e, r->data, 0);
  if (ino->blocks_cut)
    sqfs_corrupt(r, 0, "block list of '%s' (%" PRIu64 " bytes) runs past "
                 "the end of the inode table", shown(w), ino->size);
  else if (ino->frag != SQFS_NO_FRAGMENT &&
           (st = frag_lookup(w, ino->frag, &frag)))
    return st;
  sqfs_file *f = sqfs_file_new(r->img, ino->nblocks, frag);
  if (!f)
    return FWVET_ENOMEM;
  f->start = ino->start;
  f->size = ino->size;
  f->frag_offset = ino->frag_offset;
  const uint8_t *p = r->inodes.buf + ino->blocks_pos;
  for (size_t i = 0; i < ino->nblocks; i++, p += 4)
    f->blocks[i] = (uint32_t)(r->big_endian ? fwvet_load_be(p, 4)
                                            : fwvet_load_le(p, 4));
  if (is_plain(r, ino, f->blocks)) {
    sqfs_file_free(f);
    return fwvet_uctx_add_slice(r->u, e, r->data + ino->start,
                                (size_t)ino->size);
  }
  /* The driver owns `f` from here, even when this fails. */
  return fwvet_uctx_add_deferred(r->u, e, sqfs_file_load, f, sqfs_file_free);
}

static fwvet_status walk_dir(walk *w, const sqfs_inode *dir, unsigned depth);

/* Declares the entry whose name is the current path and whose inode is
 * at `pos`; descends into directories. */
static fwvet_status visit(walk *w, size_t pos, unsigned depth) {
  sqfs_reader *r = w->r;
  sqfs_inode ino;
  fwvet_status st;
  int was;
  if (read_inode(r, pos, &ino)) {
    sqfs_corrupt(r, 0, "inode of '%s' is corrupt", shown(w));
    return FWVET_OK;
  }
  if ((st = seen_add(w, pos, &was)))
    return st;
  fwvet_entry e;
  memset(&e, 0, sizeof e);
  e.name = w->path;
  e.name_len = w->path_len;
  e.kind = ino.kind;
  e.mode = ino.mode;
  e.uid = id_lookup(w, ino.uid_idx);
  e.gid = id_lookup(w, ino.gid_idx);
  e.mtime = ino.mtime;
  if (ino.kind != FWVET_KIND_DIR && (was || ino.nlink > 1))
    e.flags |= FWVET_NODE_HARDLINK;
  w->entries++;
  switch (ino.kind) {
  case FWVET_KIND_DIR:
    if ((st = fwvet_uctx_add(r->u, &e)))
      return st;
    if (was) {
      sqfs_corrupt(r, 0, "directory '%s' leads back to a directory already "
                   "listed; not descending", shown(w));
      return FWVET_OK;
    }
    if (depth > SQFS_MAX_DEPTH)
      return FWVET_OK; /* an odd name, reported */
    if (depth == SQFS_MAX_DEPTH) {
      fwvet_uctx_limit(r->u, "depth", "squashfs: directories below '%s' "
                       "nest deeper than %d levels; not listed",
                       shown(w), SQFS_MAX_DEPTH);
      return FWVET_OK;
    }
    return walk_dir(w, &ino, depth + 1);
  case FWVET_KIND_FILE:
    e.size = ino.size;
    return add_file(w, &e, &ino);
  case FWVET_KIND_SYMLINK:
    e.size = ino.link_len;
    e.link = (const char *)ino.link;
    e.link_len = ino.link_len;
    return fwvet_uctx_add(r->u, &e);
  case FWVET_KIND_CHARDEV:
  case FWVET_KIND_BLOCKDEV:
    /* Linux's new_decode_dev(). */
    e.dev_major = (ino.rdev & 0xfff00) >> 8;
    e.dev_minor = (ino.rdev & 0xff) | ((ino.rdev >> 12) & 0xfff00);
    return fwvet_uctx_add(r->u, &e);
  default:
    return fwvet_uctx_add(r->u, &e);
  }
}

/* "." and ".." and names with '/' or NUL: listed as they are (the driver
 * flags what is unsafe) but never descended into, so a directory's
 * entries cannot reappear under another path. */
static int name_is_odd(const uint8_t *name, size_t n) {
  if (name[0] == '.' && (n == 1 || (n == 2 && name[1] == '.')))
    return 1;
  return memchr(name, '/', n) != NULL || memchr(name, '\0', n) != NULL;
}

/* Stops the walk when a limit is reached; 1 when it was. */
static int over_limit(walk *w) {
  sqfs_reader *r = w->r;
  if (w->entries >= w->max_entries) {
    fwvet_uctx_limit(r->u, "nodes", "squashfs: listing stopped after %"
                     PRIu64 " entries", w->entries);
    r->stop = 1;
  } else if ((w->entries & 255) == 0 && fwvet_uctx_timed_out(r->u)) {
    fwvet_uctx_limit(r->u, "seconds", "squashfs: listing stopped at the "
                     "cpu time limit after %" PRIu64 " entries", w->entries);
    r->stop = 1;
  }
  return r->stop;
}

/* One listing run: `count` entries whose inodes lie in block `blk`. */
static fwvet_status walk_run(walk *w, fwvet_cursor *c, uint64_t count,
                             uint32_t blk, unsigned depth, int *bad) {
  sqfs_reader *r = w->r;
  size_t base = w->path_len;
  for (uint64_t i = 0; i < count && !over_limit(w); i++) {
    unsigned off = fwvet_cursor_u16(c);
    fwvet_cursor_skip(c, 4); /* inode number delta, type */
    size_t nlen = (size_t)fwvet_cursor_u16(c) + 1;
    const uint8_t *name = fwvet_cursor_take(c, nlen);
    if (c->bad || nlen > SQFS_NAME_MAX) {
      *bad = 1;
      return FWVET_OK;
    }
    int odd = name_is_odd(name, nlen);
    if (path_push(w, name, nlen))
      return FWVET_ENOMEM;
    if (odd)
      sqfs_corrupt(r, 0, "entry '%s' has a name no filesystem writes "
                   "('.', '..', or with '/' or NUL)", shown(w));
    size_t pos;
    fwvet_status st = FWVET_OK;
    if (sqfs_table_find(&r->inodes, blk, off, &pos))
      sqfs_corrupt(r, 0, "'%s' refers to inode %" PRIu32 ":%u outside the "
                   "inode table", shown(w), blk, off);
    else
      st = visit(w, pos, odd ? SQFS_MAX_DEPTH + 1 : depth);
    w->path_len = base;
    if (w->path)
      w->path[base] = '\0';
    if (st)
      return st;
  }
  return FWVET_OK;
}

static fwvet_status walk_dir(walk *w, const sqfs_inode *dir, unsigned depth) {
  sqfs_reader *r = w->r;
  size_t pos;
  if (dir->size <= 3) {
    if (dir->size < 3)
      sqfs_corrupt(r, 0, "directory '%s' has a size of %" PRIu64,
                   shown(w), dir->size);
    return FWVET_OK;
  }
  if (sqfs_table_find(&r->dirs, dir->dir_block, dir->dir_offset, &pos)) {
    sqfs_corrupt(r, 0, "listing of directory '%s' (%" PRIu32 ":%" PRIu32
                 ") is not in the directory table", shown(w),
                 dir->dir_block, dir->dir_offset);
    return FWVET_OK;
  }
  uint64_t n = dir->size - 3;
  if (n > r->dirs.len - pos) {
    sqfs_corrupt(r, 0, "listing of directory '%s' runs past the end of the "
                 "directory table", shown(w));
    n = r->dirs.len - pos;
  }
  fwvet_cursor c;
  fwvet_cursor_init(&c, r->dirs.buf + pos, (size_t)n, r->big_endian);
  int bad = 0;
  while (!bad && !r->stop && fwvet_cursor_left(&c) >= 12) {
    uint64_t count = (uint64_t)fwvet_cursor_u32(&c) + 1;
    uint32_t blk = fwvet_cursor_u32(&c);
    fwvet_cursor_skip(&c, 4); /* base inode number */
    if (count > SQFS_RUN_MAX) {
      bad = 1;
      break;
    }
    fwvet_status st = walk_run(w, &c, count, blk, depth, &bad);
    if (st)
      return st;
  }
  if (bad)
    sqfs_corrupt(r, 0, "listing of directory '%s' is corrupt", shown(w));
  return FWVET_OK;
}

fwvet_status sqfs_walk(sqfs_reader *r) {
  walk w;
  size_t pos;
  sqfs_inode root;
  fwvet_status st = FWVET_OK;
  int was;
  memset(&w, 0, sizeof w);
  w.r = r;
  w.max_entries = fwvet_uctx_limits(r->u)->max_nodes;
  uint64_t blk = r->sb.root >> 16;
  unsigned off = (unsigned)(r->sb.root & 0xffff);
  if (r->sb.root >> 48 || sqfs_table_find(&r->inodes, blk, off, &pos)) {
    sqfs_corrupt(r, 32, "root inode %" PRIu64 ":%u is not in the inode "
                 "table", blk, off);
    goto out;
  }
  if (read_inode(r, pos, &root) || root.kind != FWVET_KIND_DIR) {
    sqfs_corrupt(r, 32, "root inode is corrupt or not a directory");
    goto out;
  }
  if ((st = seen_add(&w, pos, &was)))
    goto out;
  st = walk_dir(&w, &root, 1);
out:
  free(w.seen);
  free(w.path);
  return st;
}
