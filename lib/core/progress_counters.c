/* Progress counters: relaxed atomics, since a display needs no ordering
 * between them, only counts that never tear. */
#include "core/progress_counters.h"

#include <stdatomic.h>
#include <stdlib.h>

struct fwvet_progress {
  atomic_uint_fast64_t found, done, bytes;
};

fwvet_progress *fwvet_progress_create(void) {
  fwvet_progress *p = malloc(sizeof *p);
  if (!p)
    return NULL;
  atomic_init(&p->found, 0);
  atomic_init(&p->done, 0);
  atomic_init(&p->bytes, 0);
  return p;
}

void fwvet_progress_destroy(fwvet_progress *p) { free(p); }

void fwvet_progress_add(fwvet_progress *p, uint64_t found, uint64_t done,
                        uint64_t bytes) {
  if (found)
    atomic_fetch_add_explicit(&p->found, found, memory_order_relaxed);
  if (done)
    atomic_fetch_add_explicit(&p->done, done, memory_order_relaxed);
  if (bytes)
    atomic_fetch_add_explicit(&p->bytes, bytes, memory_order_relaxed);
}

void fwvet_progress_read(const fwvet_progress *p,
                         fwvet_progress_counts *out) {
  /* C11 atomic loads take a pointer to non-const in older compilers. */
  fwvet_progress *q = (fwvet_progress *)p;
  out->nodes_found = atomic_load_explicit(&q->found, memory_order_relaxed);
  out->nodes_done = atomic_load_explicit(&q->done, memory_order_relaxed);
  out->bytes_done = atomic_load_explicit(&q->bytes, memory_order_relaxed);
}
