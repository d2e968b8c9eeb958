/*
 * libFuzzer target: call-site counting (lib/analyse/callsites*.c) of the
 * input as one ELF file, every architecture it supports.  Seeds are small
 * x86-64, AArch64, ARM (A32, Thumb-2, mixed) and MIPS (both byte orders,
 * GOT and PLT calls) files built by clang and ld.lld.
 */
#include <stdint.h>
#include <stdlib.h>

#include "analyse/callsites.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add(void *ud, const char *name, uint64_t calls) {
  (void)name;
  *(uint64_t *)ud += calls;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint64_t total = 0;
  if (size > (4u << 20))
    return 0;
  (void)fwvet_callsites_count(data, size, add, &total);
  return 0;
}
