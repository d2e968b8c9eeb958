/*
 * squashfs regular files, decoded on the driver's worker threads: the
 * image state the loaders share, the fragment cache, and the loader.
 *
 * Loaders run concurrently and take no lock.  The image state is
 * immutable once the reader returns except for atomics: its reference
 * count, and per fragment a count of pending users and the cached block.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "unpack/squashfs_int.h"

/* Decoded fragment blocks kept at once for files still to come; past it
 * a loader decodes its fragment privately. */
#define SQFS_FRAG_CACHE_MAX ((size_t)64 << 20)

sqfs_image *sqfs_image_new(fwvet_uctx *u, const uint8_t *data, size_t len) {
  sqfs_image *img = calloc(1, sizeof *img);
  if (!img)
    return NULL;
  atomic_init(&img->refs, 1);
  atomic_init(&img->cached_bytes, 0);
  img->input = fwvet_uctx_retain_input(u);
  img->data = data;
  img->len = len;
  return img;
}

static void frag_free_cached(sqfs_image *img, sqfs_frag *f) {
  sqfs_fragbuf *b = atomic_exchange(&f->cached, NULL);
  if (b) {
    atomic_fetch_sub(&img->cached_bytes, b->len);
    free(b);
  }
}

void sqfs_image_release(sqfs_image *img) {
  if (!img || atomic_fetch_sub(&img->refs, 1) != 1)
    return;
  for (size_t i = 0; i < img->frag_cap; i++) {
    if (img->frags[i]) {
      frag_free_cached(img, img->frags[i]);
      free(img->frags[i]);
    }
  }
  free(img->frags);
  fwvet_buf_release(img->input);
  free(img);
}

static size_t frag_hash(uint32_t index, size_t cap) {
  return (size_t)((index * 2654435761u) & (cap - 1));
}

sqfs_frag *sqfs_frag_find(const sqfs_image *img, uint32_t index) {
  if (!img->frag_cap)
    return NULL;
  for (size_t i = frag_hash(index, img->frag_cap);;
       i = (i + 1) & (img->frag_cap - 1)) {
    sqfs_frag *f = img->frags[i];
    if (!f || f->index == index)
      return f;
  }
}

static int frag_grow(sqfs_image *img) {
  size_t cap = img->frag_cap ? img->frag_cap * 2 : 64;
  sqfs_frag **t = calloc(cap, sizeof *t);
  if (!t)
    return -1;
  for (size_t i = 0; i < img->frag_cap; i++) {
    sqfs_frag *f = img->frags[i];
    if (!f)
      continue;
    size_t j = frag_hash(f->index, cap);
    while (t[j])
      j = (j + 1) & (cap - 1);
    t[j] = f;
  }
  free(img->frags);
  img->frags = t;
  img->frag_cap = cap;
  return 0;
}

sqfs_frag *sqfs_frag_add(sqfs_image *img, uint32_t index) {
  if ((img->frag_count + 1) * 2 > img->frag_cap && frag_grow(img))
    return NULL;
  sqfs_frag *f = calloc(1, sizeof *f);
  if (!f)
    return NULL;
  f->index = index;
  atomic_init(&f->users, 0);
  atomic_init(&f->cached, NULL);
  size_t i = frag_hash(index, img->frag_cap);
  while (img->frags[i])
    i = (i + 1) & (img->frag_cap - 1);
  img->frags[i] = f;
  img->frag_count++;
  return f;
}

sqfs_file *sqfs_file_new(sqfs_image *img, size_t nblocks, sqfs_frag *frag) {
  if (nblocks > (SIZE_MAX - sizeof(sqfs_file)) / sizeof(uint32_t))
    return NULL;
  sqfs_file *f = malloc(sizeof *f + nblocks * sizeof(uint32_t));
  if (!f)
    return NULL;
  memset(f, 0, sizeof *f);
  atomic_fetch_add(&img->refs, 1);
  f->img = img;
  f->nblocks = nblocks;
  if (frag) {
    f->frag = frag;
    f->frag_pending = 1;
    atomic_fetch_add(&frag->users, 1);
  }
  return f;
}

/* Gives up this file's use of its fragment; the last user frees the
 * cached block (no other user can be holding it then). */
static void file_drop_frag(sqfs_file *f) {
  if (!f->frag_pending)
    return;
  f->frag_pending = 0;
  if (atomic_fetch_sub(&f->frag->users, 1) == 1)
    frag_free_cached(f->img, f->frag);
}

void sqfs_file_free(void *arg) {
  sqfs_file *f = arg;
  if (!f)
    return;
  file_drop_frag(f);
  sqfs_image_release(f->img);
  free(f);
}

/* Counts `n` more cached bytes unless that would pass the cap. */
static int cache_reserve(sqfs_image *img, size_t n) {
  if (atomic_fetch_add(&img->cached_bytes, n) + n <= SQFS_FRAG_CACHE_MAX)
    return 1;
  atomic_fetch_sub(&img->cached_bytes, n);
  return 0;
}

/*
 * The decoded fragment block of `f`: from the cache, or decoded now and
 * offered to the cache when other files still need it.  *priv is set to
 * a block the caller frees (NULL when the block is the cache's).  An
 * uncompressed fragment is read in place (*out_data points into the
 * image).
 */
static fwvet_status frag_get(sqfs_file *f, sqfs_codec *c,
                             const uint8_t **out_data, size_t *out_len,
                             sqfs_fragbuf **priv) {
  sqfs_image *img = f->img;
  sqfs_frag *fr = f->frag;
  size_t dsize = fr->size_word & SQFS_BLOCK_SIZE_MASK;
  *priv = NULL;
  if (fr->size_word & SQFS_BLOCK_RAW) {
    *out_data = img->data + fr->start;
    *out_len = dsize;
    return FWVET_OK;
  }
  sqfs_fragbuf *b = atomic_load(&fr->cached);
  if (!b) {
    b = malloc(sizeof *b + img->block_size);
    if (!b)
      return FWVET_ENOMEM;
    fwvet_status st = sqfs_decompress(c, img->data + fr->start, dsize,
                                      b->data, img->block_size, &b->len);
    if (st) {
      free(b);
      return st;
    }
    sqfs_fragbuf *expected = NULL;
    if (atomic_load(&fr->users) < 2 || !cache_reserve(img, b->len))
      *priv = b;
    else if (!atomic_compare_exchange_strong(&fr->cached, &expected, b)) {
      atomic_fetch_sub(&img->cached_bytes, b->len);
      *priv = b; /* another loader was faster; ours goes after use */
    }
  }
  *out_data = b->data;
  *out_len = b->len;
  return FWVET_OK;
}

typedef struct load_state {
  fwvet_uctx *lu;
  sqfs_file *f;
  sqfs_codec codec;
  uint8_t *out;
  uint64_t have, want;
  uint8_t *scratch;  /* one block, for a block cut short by the limit */
  int damaged;
} load_state;

/* Decodes data block `i` (at image offset `pos`, `dsize` bytes on disk)
 * into the output; 0 on success, else damage is reported. */
static fwvet_status load_block(load_state *s, size_t i, uint64_t pos) {
  sqfs_file *f = s->f;
  sqfs_image *img = f->img;
  uint32_t word = f->blocks[i];
  size_t dsize = word & SQFS_BLOCK_SIZE_MASK;
  uint64_t at = (uint64_t)i << img->block_log;
  if (at >= f->size)
    return FWVET_OK;
  uint64_t expect = f->size - at;
  if (expect > img->block_size)
    expect = img->block_size;
  uint64_t take = s->want - s->have;
  if (take > expect)
    take = expect;
  if (dsize == 0) { /* sparse: the output is already zero */
    s->have += take;
    return FWVET_OK;
  }
  if (!fwvet_fits(pos, dsize, img->len)) {
    fwvet_uctx_corrupt(s->lu, pos,
                       "squashfs: data block %zu (%zu bytes) lies past the "
                       "end of the image",
                       i, dsize);
    goto bad;
  }
  const uint8_t *in = img->data + pos;
  if (word & SQFS_BLOCK_RAW) {
    if (dsize != expect) {
      fwvet_uctx_corrupt(s->lu, pos,
                         "squashfs: uncompressed data block %zu holds %zu "
                         "bytes instead of %" PRIu64,
                         i, dsize, expect);
      goto bad;
    }
    memcpy(s->out + s->have, in, (size_t)take);
    s->have += take;
    return FWVET_OK;
  }
  uint8_t *dst = s->out + s->have;
  if (take < expect) {
    if (!s->scratch && !(s->scratch = malloc(img->block_size)))
      return FWVET_ENOMEM;
    dst = s->scratch;
  }
  size_t n = 0;
  fwvet_status st = sqfs_decompress(&s->codec, in, dsize, dst,
                                    (size_t)expect, &n);
  if (st == FWVET_ENOMEM)
    return st;
  if (st || n != expect) {
    fwvet_uctx_corrupt(s->lu, pos,
                       "squashfs: data block %zu does not decode to %" PRIu64
                       " bytes",
                       i, expect);
    goto bad;
  }
  if (dst == s->scratch)
    memcpy(s->out + s->have, dst, (size_t)take);
  s->have += take;
  return FWVET_OK;
bad:
  s->damaged = 1;
  return FWVET_OK;
}

static fwvet_status load_tail(load_state *s) {
  sqfs_file *f = s->f;
  sqfs_image *img = f->img;
  uint64_t body = (uint64_t)f->nblocks << img->block_log;
  uint64_t tail = f->size > body ? f->size - body : 0;
  uint64_t take = s->want - s->have;
  if (take > tail)
    take = tail;
  const uint8_t *data;
  size_t len;
  sqfs_fragbuf *priv = NULL;
  fwvet_status st = frag_get(f, &s->codec, &data, &len, &priv);
  if (st == FWVET_ENOMEM)
    return st;
  if (st) {
    fwvet_uctx_corrupt(s->lu, f->frag->start,
                       "squashfs: fragment block %" PRIu32 " is corrupt",
                       f->frag->index);
    s->damaged = 1;
  } else if (!fwvet_fits(f->frag_offset, tail, len)) {
    fwvet_uctx_corrupt(s->lu, f->frag->start,
                       "squashfs: file tail of %" PRIu64 " bytes at %" PRIu32
                       " lies outside fragment block %" PRIu32 " (%zu bytes)",
                       tail, f->frag_offset, f->frag->index, len);
    s->damaged = 1;
  } else {
    memcpy(s->out + s->have, data + f->frag_offset, (size_t)take);
    s->have += take;
  }
  free(priv);
  return FWVET_OK;
}

fwvet_status sqfs_file_load(fwvet_uctx *lu, void *arg) {
  sqfs_file *f = arg;
  sqfs_image *img = f->img;
  load_state s = {lu, f, {0}, NULL, 0, 0, NULL, 0};
  fwvet_status st = FWVET_OK;
  /* The image is the compressed input the files expand from: files share
   * blocks and fragments, so a per-file input size would be arbitrary. */
  uint64_t limit = fwvet_uctx_out_limit(lu, img->len);
  s.want = f->size < limit ? f->size : limit;
  /* A block list cut short cannot fill a huge declared size: allocate
   * for what the blocks and the tail can hold. */
  uint64_t body = (uint64_t)f->nblocks << img->block_log;
  uint64_t room = body + (f->frag && f->size > body ? f->size - body : 0);
  size_t alloc = (size_t)(s.want < room ? s.want : room);
  sqfs_codec_init(&s.codec, img->comp);
  if (!(s.out = calloc(1, alloc ? alloc : 1))) {
    st = FWVET_ENOMEM;
    goto out;
  }
  uint64_t pos = f->start;
  for (size_t i = 0; i < f->nblocks && s.have < s.want && !s.damaged; i++) {
    if (fwvet_uctx_timed_out(lu)) {
      fwvet_uctx_limit(lu, "seconds",
                       "squashfs: file decoding stopped at the cpu time "
                       "limit after %" PRIu64 " bytes",
                       s.have);
      s.damaged = 1;
      break;
    }
    if ((st = load_block(&s, i, pos)))
      goto out;
    pos += f->blocks[i] & SQFS_BLOCK_SIZE_MASK;
  }
  if (!s.damaged && s.have < s.want && f->frag && (st = load_tail(&s)))
    goto out;
  if (!s.damaged && f->size > limit)
    fwvet_uctx_limit(lu, fwvet_uctx_out_limit_name(lu, img->len),
                     "squashfs: file content stopped at %" PRIu64
                     " of %" PRIu64 " bytes",
                     s.have, f->size);
  if (s.have < s.want) {
    uint8_t *p = realloc(s.out, s.have ? (size_t)s.have : 1);
    if (p)
      s.out = p;
  }
  st = fwvet_uctx_set_content(lu, s.out, (size_t)s.have);
  s.out = NULL;
out:
  file_drop_frag(f);
  free(s.out);
  free(s.scratch);
  sqfs_codec_release(&s.codec);
  return st;
}
