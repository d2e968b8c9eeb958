/* Binary equivalence internals, shared by the lib/equiv sources (internal). */
#ifndef FWVET_EQUIV_INT_H
#define FWVET_EQUIV_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "fwvet/equiv.h"

/* Caps that keep one pair's description small whatever the input. */
enum {
  EQ_MAX_RANGES = 8,     /* differing ranges listed per section */
  EQ_MAX_FUNCTIONS = 16, /* functions named per section */
  EQ_MAX_SECTIONS = 32,  /* differing sections listed per pair */
  EQ_MAX_IGNORED = 256,  /* ignored ranges listed per pair */
  EQ_MAX_REASONS = 64,
};

typedef struct eq_section {
  fwvet_equiv_section pub;
  fwvet_equiv_range ranges[EQ_MAX_RANGES];
  const char *funcs[EQ_MAX_FUNCTIONS];
} eq_section;

/* A pair being built; `pub` is what the API hands out. */
typedef struct eq_pair {
  fwvet_equiv_pair pub;
  const char **reasons;
  size_t nreasons, cap_reasons;
  fwvet_equiv_range *ignored;
  size_t nignored, cap_ignored;
  size_t ignored_dropped;
  eq_section *sections;
  size_t nsections, cap_sections;
  unsigned strict;   /* classes that count as differences */
  int differs;       /* a difference no class allows was found */
  struct fwvet_equiv *owner;
} eq_pair;

typedef struct eq_only {
  fwvet_equiv_node node;
  const char *fspath;
} eq_only;

struct fwvet_equiv {
  fwvet_vfs *vfs[2];
  eq_pair *pairs;
  size_t npairs, cap_pairs;
  eq_only *only[2];
  size_t nonly[2], cap_only[2];
  void **allocs;
  size_t nallocs, cap_allocs;
  unsigned strict;
  fwvet_equiv_verdict overall;
};

/* Appends a pair (zeroed, owned by `eq`); NULL on out of memory.  The
 * pointer is valid until the next eq_pair_new(). */
eq_pair *eq_pair_new(struct fwvet_equiv *eq);
int eq_only_add(struct fwvet_equiv *eq, fwvet_equiv_side side,
                const fwvet_equiv_node *node, const char *fspath);
/* Points every pair's public arrays at their final storage and computes
 * the overall verdict; call once, after the last change. */
void eq_finish(struct fwvet_equiv *eq);

/* Allocations that live as long as the result (strings, copies). */
char *eq_strdup(struct fwvet_equiv *eq, const char *s);
char *eq_printf(struct fwvet_equiv *eq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds a reason line (printf-style); silently capped. */
void eq_reason(eq_pair *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Records `len` bytes at `off` of `side` as not compared, by class `cls`.
 * When `cls` is in the strict set the range becomes a difference instead;
 * returns 1 when it was ignored, 0 when it counts as a difference. */
int eq_ignore(eq_pair *p, fwvet_equiv_side side, uint64_t off, uint64_t len,
              unsigned cls, const char *detail);
/* A differing section or region, found or created by name; NULL when the
 * list is full (the pair is still marked different). */
eq_section *eq_section_get(eq_pair *p, const char *name, uint64_t ref_off,
                           uint64_t ref_size, uint64_t cand_off,
                           uint64_t cand_size);
void eq_section_range(eq_pair *p, eq_section *s, fwvet_equiv_side side,
                      uint64_t off, uint64_t len);
void eq_section_function(eq_pair *p, eq_section *s, const char *name);
void eq_different(eq_pair *p);

/* Bytes of one side of a pair. */
typedef struct eq_bytes {
  const uint8_t *data;
  size_t len;
} eq_bytes;

/* Runs of differing bytes in a[0..n) vs b[0..n); runs closer than `gap`
 * equal bytes are merged.  Calls fn(ud, start, end) for each; stops early
 * when fn returns non-zero. */
void eq_diff_runs(const uint8_t *a, const uint8_t *b, size_t n, size_t gap,
                  int (*fn)(void *ud, size_t start, size_t end), void *ud);

/* In read-only data: if every differing byte of [start, end) lies in a
 * build timestamp (returns FWVET_EQC_TIMESTAMPS) or build path
 * (FWVET_EQC_BUILD_PATHS) on both sides, returns the class and the range
 * to ignore (the whole token) in *ign_start and *ign_end; else 0. */
unsigned eq_text_rule(const uint8_t *a, const uint8_t *b, size_t n,
                      size_t start, size_t end, size_t *ign_start,
                      size_t *ign_end);

/* Bytes that are not ELF (or not parseable ELF): literal comparison. */
void eq_compare_data(eq_pair *p, eq_bytes ref, eq_bytes cand);
/* Two ELF images; returns 0 when both parsed and the pair was judged,
 * -1 when either is not a well-formed ELF (use eq_compare_data). */
int eq_compare_elf(eq_pair *p, eq_bytes ref, eq_bytes cand);

/* First differing instruction of code at `addr` (same on both sides) for
 * ELF machine `em`; writes "0x...: mnemonic operands" lines into the
 * buffers and returns 0, or -1 when capstone cannot show it. */
int eq_first_insn(unsigned em, int big_endian, int thumb, uint64_t addr,
                  eq_bytes ref, eq_bytes cand, char *ref_out, char *cand_out,
                  size_t cap);

#endif
