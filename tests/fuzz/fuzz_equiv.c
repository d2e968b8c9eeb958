/*
 * libFuzzer target: the ELF equivalence rules on two hostile images.  The
 * input is a 2-byte split point (little endian, modulo the length) and the
 * bytes of both images; each pair is compared both ways, as a run does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "equiv/equiv_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_way(const uint8_t *a, size_t al, const uint8_t *b, size_t bl) {
  fwvet_equiv *eq = calloc(1, sizeof *eq);
  if (!eq)
    return;
  eq_pair *p = eq_pair_new(eq);
  if (p) {
    eq_bytes x = {a, al}, y = {b, bl};
    if (eq_compare_elf(p, x, y))
      eq_compare_data(p, x, y);
    eq_finish(eq);
  }
  fwvet_equiv_destroy(eq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3 || size > (1u << 20))
    return 0;
  size_t body = size - 2;
  size_t split = ((size_t)data[0] | (size_t)data[1] << 8) % (body + 1);
  /* Own copies: sanitizers then see reads past each image's end. */
  uint8_t *a = malloc(split ? split : 1), *b = malloc(body - split + 1);
  if (a && b) {
    memcpy(a, data + 2, split);
    memcpy(b, data + 2 + split, body - split);
    one_way(a, split, b, body - split);
    one_way(b, body - split, a, split);
  }
  free(a);
  free(b);
  return 0;
}
