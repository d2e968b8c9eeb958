/*
 * FORTIFY judged against the image's own C library (fortify.c).
 *
 * Analysers see one file at a time, so the hardening analyser first
 * counts `fortifiable` against a fixed glibc table and records, through
 * the sink, which C library each binary needs and which __*_chk
 * functions each C library of the image exports.  Once the tree is
 * complete the scan calls fwvet_fortify_apply(), which recounts each
 * binary's `fortifiable` against the exports of its own C library
 * (uClibc and musl export none, so nothing there is fortifiable).
 */
#ifndef FWVET_ANALYSE_FORTIFY_H
#define FWVET_ANALYSE_FORTIFY_H

#include <stddef.h>

#include "fwvet/elf.h"
#include "fwvet/status.h"
#include "fwvet/vfs.h"

typedef struct fwvet_fortify_rec {
  const fwvet_node *node;
  char *libc_needed; /* a binary's DT_NEEDED C library, or NULL */
  int is_libc;       /* the node is a C library */
  char *soname;      /* its DT_SONAME, or NULL */
  char **chk;        /* the __*_chk functions it exports, sorted */
  size_t nchk;
} fwvet_fortify_rec;

typedef struct fwvet_fortify {
  fwvet_fortify_rec *v;
  size_t n, cap;
} fwvet_fortify;

/* Frees every record; the struct can be reused after. */
void fwvet_fortify_release(fwvet_fortify *f);

/*
 * Appends `rec`, taking its strings and array (all from malloc), which
 * are freed on failure too (FWVET_ENOMEM).  Not thread-safe: the sink
 * calls it under its lock.
 */
fwvet_status fwvet_fortify_add(fwvet_fortify *f, const fwvet_fortify_rec *rec);

/* The scan's ELF record of `node`, to be updated, or NULL. */
typedef fwvet_elf_info *(*fwvet_fortify_find_fn)(void *ud,
                                                 const fwvet_node *node);

/*
 * Recounts `fortifiable` of every binary whose C library is among the
 * records: the library with the binary's DT_NEEDED name as its soname,
 * in the same filesystem if there is one there, else anywhere in the
 * image; failing that, the one C library without a soname in the same
 * filesystem.  Binaries without such a library keep the table's count.
 */
void fwvet_fortify_apply(const fwvet_fortify *f, fwvet_fortify_find_fn find,
                         void *ud);

#endif
