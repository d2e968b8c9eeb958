/* Reference-counted byte buffers. */
#include "core/buf.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>

enum { BUF_HEAP, BUF_MAP, BUF_BORROWED };

struct fwvet_buf {
  atomic_uint refs;
  int how;
  uint8_t *data;
  size_t len;
};

static fwvet_buf *buf_new(uint8_t *data, size_t len, int how) {
  fwvet_buf *b = malloc(sizeof *b);
  if (!b)
    return NULL;
  atomic_init(&b->refs, 1);
  b->how = how;
  b->data = data;
  b->len = len;
  return b;
}

fwvet_buf *fwvet_buf_wrap(uint8_t *data, size_t len) {
  fwvet_buf *b = buf_new(data, len, BUF_HEAP);
  if (!b)
    free(data);
  return b;
}

fwvet_buf *fwvet_buf_map(int fd, size_t len) {
  if (len == 0)
    return buf_new(NULL, 0, BUF_BORROWED);
  void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED)
    return NULL;
  fwvet_buf *b = buf_new(p, len, BUF_MAP);
  if (!b)
    munmap(p, len);
  return b;
}

fwvet_buf *fwvet_buf_borrow(const uint8_t *data, size_t len) {
  return buf_new((uint8_t *)data, len, BUF_BORROWED);
}

fwvet_buf *fwvet_buf_retain(fwvet_buf *b) {
  if (b)
    atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
  return b;
}

void fwvet_buf_release(fwvet_buf *b) {
  if (!b || atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1)
    return;
  if (b->how == BUF_HEAP)
    free(b->data);
  else if (b->how == BUF_MAP)
    munmap(b->data, b->len);
  free(b);
}

const uint8_t *fwvet_buf_data(const fwvet_buf *b) { return b->data; }
size_t fwvet_buf_len(const fwvet_buf *b) { return b->len; }
