/*
 * Bounds-checked reading of untrusted bytes (internal).
 *
 * A cursor never reads outside [data, data+len).  Reads that would go past
 * the end fail, set `bad`, and return zero, so a parser can read a whole
 * header and test `cur.bad` once.
 */
#ifndef FWVET_CORE_CURSOR_H
#define FWVET_CORE_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct fwvet_cursor {
  const uint8_t *data;
  size_t len;
  size_t pos;
  int big_endian; /* for the u16/u32/u64 readers */
  int bad;        /* set once any read failed */
} fwvet_cursor;

static inline void fwvet_cursor_init(fwvet_cursor *c, const uint8_t *data,
                                     size_t len, int big_endian) {
  c->data = data;
  c->len = len;
  c->pos = 0;
  c->big_endian = big_endian;
  c->bad = 0;
}

/* True when [off, off+size) lies inside a buffer of `len` bytes; cannot
 * overflow. */
static inline int fwvet_fits(uint64_t off, uint64_t size, uint64_t len) {
  return size <= len && off <= len - size;
}

static inline size_t fwvet_cursor_left(const fwvet_cursor *c) {
  return c->len - c->pos;
}

static inline int fwvet_cursor_seek(fwvet_cursor *c, uint64_t pos) {
  if (pos > c->len) {
    c->bad = 1;
    return -1;
  }
  c->pos = (size_t)pos;
  return 0;
}

static inline int fwvet_cursor_skip(fwvet_cursor *c, uint64_t n) {
  if (n > fwvet_cursor_left(c)) {
    c->bad = 1;
    return -1;
  }
  c->pos += (size_t)n;
  return 0;
}

/* Pointer to the next `n` bytes, advancing; NULL when short. */
static inline const uint8_t *fwvet_cursor_take(fwvet_cursor *c, uint64_t n) {
  if (n > fwvet_cursor_left(c)) {
    c->bad = 1;
    return NULL;
  }
  const uint8_t *p = c->data + c->pos;
  c->pos += (size_t)n;
  return p;
}

static inline uint64_t fwvet_load_le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = n; i-- > 0;)
    v = (v << 8) | p[i];
  return v;
}

static inline uint64_t fwvet_load_be(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++)
    v = (v << 8) | p[i];
  return v;
}

static inline uint64_t fwvet_cursor_uint(fwvet_cursor *c, unsigned n) {
  const uint8_t *p = fwvet_cursor_take(c, n);
  if (!p)
    return 0;
  return c->big_endian ? fwvet_load_be(p, n) : fwvet_load_le(p, n);
}

static inline uint8_t fwvet_cursor_u8(fwvet_cursor *c) {
  return (uint8_t)fwvet_cursor_uint(c, 1);
}
static inline uint16_t fwvet_cursor_u16(fwvet_cursor *c) {
  return (uint16_t)fwvet_cursor_uint(c, 2);
}
static inline uint32_t fwvet_cursor_u32(fwvet_cursor *c) {
  return (uint32_t)fwvet_cursor_uint(c, 4);
}
static inline uint64_t fwvet_cursor_u64(fwvet_cursor *c) {
  return fwvet_cursor_uint(c, 8);
}

#endif
