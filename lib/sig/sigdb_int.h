/* The signature database's internals, shared by sigdb.c and match.c. */
#ifndef FWVET_SIG_SIGDB_INT_H
#define FWVET_SIG_SIGDB_INT_H

#include <hs/hs.h>
#include <pthread.h>
#include <regex.h>

#include "sig/sigdb.h"

typedef struct fwvet_sigpat {
  size_t product;
  int is_name;     /* a file-name pattern */
  char *expr;      /* as written */
  regex_t re;      /* "(expr)$" ("^(expr)$" for names): group 2 = version */
  int compiled;
  int has_version; /* the pattern has a group */
} fwvet_sigpat;

struct fwvet_sigdb {
  fwvet_sigprod *prods;
  size_t nprods, capprods;
  fwvet_sigpat *pats;
  size_t npats, cappats;
  hs_database_t *hs_strings; /* string patterns, id = index in pats */
  hs_database_t *hs_names;   /* file-name patterns */
  /* Scratch spaces not in use: one per concurrent scan, reused. */
  pthread_mutex_t lock;
  hs_scratch_t **scratch;
  size_t nscratch, capscratch;
  int builtin_only; /* nothing but the built-in signatures */
};

/* Writes an error message into `err` (when not NULL). */
void fwvet_sig_seterr(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Compiles for `plat` (NULL: this machine, or the serialized built-in
 * databases when they apply). */
fwvet_status fwvet_sigdb_compile_for(fwvet_sigdb *db,
                                     const hs_platform_info_t *plat,
                                     char *err, size_t errcap);

#endif
