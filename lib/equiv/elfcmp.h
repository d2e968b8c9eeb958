/* State shared by the ELF comparison files (internal). */
#ifndef FWVET_EQUIV_ELFCMP_H
#define FWVET_EQUIV_ELFCMP_H

#include "equiv/elfparse.h"
#include "equiv/equiv_int.h"

enum { MAX_NOTES = 8, MAX_RUNS = 1 << 16 };

typedef struct note_range {
  uint64_t off, len;
} note_range;

typedef struct eq_cmp {
  eq_pair *p;
  eq_elf a, b;
  int insn_done;
  size_t runs;
  note_range bid[2][MAX_NOTES];
  size_t nbid[2];
} eq_cmp;

typedef struct eq_range {
  uint64_t start, end;
} eq_range;

/* Sorts and merges ranges in place; returns the new count. */
size_t eq_merge_ranges(eq_range *r, size_t n);
/* Everything outside the segments and sections: unaccounted bytes
 * (padding or a difference) and the section header table (elfrest.c). */
void eq_elf_compare_rest(eq_cmp *c);

#endif
