/*
 * A prefilter for analysers (internal): which of a fixed set of literal
 * strings occur in a buffer, found in one Hyperscan pass, so an analyser
 * searches further only for the markers a file holds (most files hold
 * none).  A set is a static object compiled on first use and kept for the
 * life of the process.
 */
#ifndef FWVET_CORE_LITERALS_H
#define FWVET_CORE_LITERALS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fwvet_literal_db fwvet_literal_db;

/* The literals are `n` (at most 64, none empty) `const char *` fields,
 * `stride` bytes apart from `base + offset`: an array of strings, or one
 * field of an array of structures. */
typedef struct fwvet_literal_set {
  const void *base;
  size_t n, stride, offset;
  pthread_once_t once;
  fwvet_literal_db *db; /* NULL when it could not be compiled */
} fwvet_literal_set;

#define FWVET_LITERAL_STRINGS(array)                                        \
  { (array), sizeof(array) / sizeof *(array), sizeof *(array), 0,          \
    PTHREAD_ONCE_INIT, NULL }
#define FWVET_LITERAL_FIELD(array, type, field)                             \
  { (array), sizeof(array) / sizeof *(array), sizeof *(array),             \
    offsetof(type, field), PTHREAD_ONCE_INIT, NULL }

/* Bit i is set when lits[i] occurs in data[0..len).  When the scan cannot
 * run (no memory, no Hyperscan) every bit is set: the caller then
 * searches for everything, as it would without the prefilter. */
uint64_t fwvet_literals_scan(fwvet_literal_set *set, const uint8_t *data,
                             size_t len);

/* Calls `fn` for every occurrence of every literal, in order of where it
 * ends (`end` is one past its last byte); non-zero from `fn` stops.
 * Returns -1 when the scan cannot run (the caller then searches itself),
 * else 0. */
typedef int (*fwvet_literal_fn)(void *ud, unsigned id, size_t end);
int fwvet_literals_each(fwvet_literal_set *set, const uint8_t *data,
                        size_t len, fwvet_literal_fn fn, void *ud);

#endif
