/*
 * What the squashfs reader's parts share (internal): the decompressors
 * (squashfs_codec.c), the image state kept alive for the deferred file
 * loaders and their fragment cache (squashfs_file.c), and the directory
 * walk (squashfs.c).
 */
#ifndef FWVET_UNPACK_SQUASHFS_INT_H
#define FWVET_UNPACK_SQUASHFS_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "unpack/format.h"

/* Compressor ids of the superblock. */
enum {
  SQFS_GZIP = 1,
  SQFS_LZMA = 2,
  SQFS_LZO = 3,
  SQFS_XZ = 4,
  SQFS_LZ4 = 5,
  SQFS_ZSTD = 6,
};

#define SQFS_META_SIZE 8192u            /* uncompressed metadata block */
#define SQFS_BLOCK_RAW (1u << 24)       /* data block stored uncompressed */
#define SQFS_BLOCK_SIZE_MASK 0xffffffu
#define SQFS_NO_FRAGMENT 0xffffffffu

/* --- decompressors (squashfs_codec.c) ------------------------------------ */

/* A decompressor for one thread: libraries' state is made on first use
 * and reused for every block.  Caller-owned struct. */
typedef struct sqfs_codec {
  unsigned id;
  void *zlib;  /* z_stream */
  void *zstd;  /* ZSTD_DCtx */
} sqfs_codec;

/* Non-zero when `id` names a compressor this reader decodes. */
int sqfs_codec_known(unsigned id);
/* "gzip", "xz", ... or NULL for an unknown id. */
const char *sqfs_codec_name(unsigned id);

void sqfs_codec_init(sqfs_codec *c, unsigned id);
void sqfs_codec_release(sqfs_codec *c);

/* Decodes the block in[0..in_len) into out[0..cap); *out_len is written
 * on success.  FWVET_ECORRUPT when the block is bad or decodes to more
 * than `cap` bytes, FWVET_ENOMEM. */
fwvet_status sqfs_decompress(sqfs_codec *c, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t cap, size_t *out_len);

/* --- image state shared with the loaders (squashfs_file.c) -------------- */

/* A fragment block decoded once and shared by the files whose tails it
 * holds; see sqfs_frag. */
typedef struct sqfs_fragbuf {
  size_t len;
  uint8_t data[];
} sqfs_fragbuf;

/*
 * A fragment some file uses.  `users` counts the loaders that still need
 * it; the decoded block is cached in `cached` while more than one of them
 * is pending, and the last one frees it.  No lock: the pointer is
 * installed with a compare-and-swap and only the last user clears it.
 */
typedef struct sqfs_frag {
  uint32_t index;
  int bad;              /* entry was unusable (already reported) */
  uint64_t start;       /* on-disk position, inside the image */
  uint32_t size_word;   /* as in the fragment table (bit 24: raw) */
  atomic_uint users;
  _Atomic(sqfs_fragbuf *) cached;
} sqfs_frag;

/*
 * Everything a loader needs after the reader has returned, refcounted:
 * the reader holds one reference and every deferred file one more.
 */
typedef struct sqfs_image {
  atomic_uint refs;
  fwvet_buf *input;     /* keeps `data` alive */
  const uint8_t *data;  /* the image; `len` = bytes present of bytes_used */
  size_t len;
  int big_endian;
  unsigned comp;
  uint32_t block_size;
  unsigned block_log;
  atomic_size_t cached_bytes; /* decoded fragments held in the cache */
  sqfs_frag **frags;    /* hash by index: NULL or a slot; owned */
  size_t frag_cap, frag_count;
} sqfs_image;

/* A new image state holding one reference, or NULL on out of memory. */
sqfs_image *sqfs_image_new(fwvet_uctx *u, const uint8_t *data, size_t len);
void sqfs_image_release(sqfs_image *img); /* NULL is a no-op */

/* The slot for fragment `index`, or NULL when none was made yet. */
sqfs_frag *sqfs_frag_find(const sqfs_image *img, uint32_t index);
/* Adds a slot for `index` (not present); NULL on out of memory. */
sqfs_frag *sqfs_frag_add(sqfs_image *img, uint32_t index);

/* One regular file, the loader's argument. */
typedef struct sqfs_file {
  sqfs_image *img;      /* one reference */
  uint64_t start;       /* first data block */
  uint64_t size;        /* declared size */
  sqfs_frag *frag;      /* tail fragment or NULL */
  uint32_t frag_offset;
  int frag_pending;     /* counted in frag->users, not yet released */
  size_t nblocks;
  uint32_t blocks[];    /* block size words, host order */
} sqfs_file;

/* Makes a loader argument for `nblocks` blocks, taking a reference on
 * `img` and, when `frag` is set, a use of it.  NULL on out of memory. */
sqfs_file *sqfs_file_new(sqfs_image *img, size_t nblocks, sqfs_frag *frag);

fwvet_status sqfs_file_load(fwvet_uctx *lu, void *arg);
void sqfs_file_free(void *arg);

/* --- one unpack call (squashfs.c, squashfs_dir.c) ----------------------- */

#define SQFS_SUPER_SIZE 96u
#define SQFS_NONE UINT64_MAX /* absent table */

typedef struct sqfs_super {
  uint32_t inodes, mkfs_time, block_size, frag_count;
  uint16_t comp, block_log, flags, id_count, major, minor;
  uint64_t root, bytes_used, id_start, xattr_start, inode_start, dir_start,
      frag_start, export_start;
} sqfs_super;

/* A metadata table decoded once, whole: its blocks back to back, so an
 * inode or directory run that crosses a block boundary reads straight
 * on.  blk[] maps each block's on-disk offset (relative to the table's
 * start) to where its bytes begin in buf. */
typedef struct sqfs_table {
  uint8_t *buf;
  size_t len, cap;
  struct sqfs_blk {
    uint64_t off;
    size_t pos;
  } *blk;
  size_t nblk, capblk;
} sqfs_table;

typedef struct sqfs_reader {
  fwvet_uctx *u;
  const uint8_t *data;
  size_t len;           /* bytes present, at most bytes_used */
  int big_endian;
  sqfs_super sb;
  sqfs_image *img;
  sqfs_codec codec;
  sqfs_table inodes, dirs;
  uint32_t *ids;        /* the uid/gid table, nids entries read */
  size_t nids;
  int ids_reported;
  int frags_ok;         /* the fragment index can be read */
  uint64_t fblk_no;     /* fragment table block held in fblk */
  size_t fblk_len;
  uint8_t fblk[SQFS_META_SIZE];
  unsigned reports;
  int stop;             /* a limit was reached: list no more */
} sqfs_reader;

/* An unpack.corrupt finding, at most a few dozen per image. */
void sqfs_corrupt(sqfs_reader *r, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Decodes the metadata block at image offset `off`, which must end by
 * `hi`, into out[SQFS_META_SIZE].  FWVET_ECORRUPT (not reported) or
 * FWVET_ENOMEM. */
fwvet_status sqfs_meta_read(sqfs_reader *r, uint64_t off, uint64_t hi,
                            uint8_t *out, size_t *out_len);

/* Where byte `off` of the block at table offset `blk` was decoded to;
 * -1 when that block is not in the table. */
int sqfs_table_find(const sqfs_table *t, uint64_t blk, unsigned off,
                    size_t *pos);

/* Lists the tree below the root inode (squashfs_dir.c). */
fwvet_status sqfs_walk(sqfs_reader *r);

#endif
