/*
 * Compiling the signature database's patterns into Hyperscan databases
 * (see sigdb.h), or loading the built-in ones serialized at build time.
 */
#include "sig/sigdb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FWVET_SIGC
#include "signatures_hs.h" /* serialized by tools/sigc.c at build time */
#endif

static fwvet_status compile_kind(fwvet_sigdb *db, int is_name,
                                 const hs_platform_info_t *plat,
                                 hs_database_t **out, char *err,
                                 size_t errcap) {
  size_t n = 0;
  for (size_t i = 0; i < db->npats; i++)
    n += db->pats[i].is_name == is_name;
  if (n == 0)
    return FWVET_OK;
  fwvet_status st = FWVET_ENOMEM;
  const char **exprs = calloc(n, sizeof *exprs);
  char **owned = calloc(n, sizeof *owned);
  unsigned *flags = calloc(n, sizeof *flags), *ids = calloc(n, sizeof *ids);
  if (!exprs || !owned || !flags || !ids)
    goto out;
  size_t k = 0;
  for (size_t i = 0; i < db->npats; i++) {
    if (db->pats[i].is_name != is_name)
      continue;
    if (is_name) {
      size_t len = strlen(db->pats[i].expr) + 8;
      if (!(owned[k] = malloc(len)))
        goto out;
      snprintf(owned[k], len, "^(%s)$", db->pats[i].expr);
      exprs[k] = owned[k];
    } else {
      exprs[k] = db->pats[i].expr;
    }
    flags[k] = HS_FLAG_DOTALL;
    ids[k] = (unsigned)i;
    k++;
  }
  hs_compile_error_t *ce = NULL;
  if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, plat, out,
                       &ce) != HS_SUCCESS) {
    if (ce && ce->expression >= 0 && (size_t)ce->expression < n)
      fwvet_sig_seterr(err, errcap, "signature pattern '%s' (%s): %s",
                       db->pats[ids[ce->expression]].expr,
                       db->prods[db->pats[ids[ce->expression]].product].name,
                       ce->message);
    else
      fwvet_sig_seterr(err, errcap, "signature patterns: %s",
                       ce ? ce->message : "hyperscan failed");
    hs_free_compile_error(ce);
    st = FWVET_EINVAL;
    goto out;
  }
  st = FWVET_OK;
out:
  for (size_t i = 0; owned && i < n; i++)
    free(owned[i]);
  free(owned);
  free(exprs);
  free(flags);
  free(ids);
  return st;
}

/* Compiling the built-in signatures costs about 0.3 s of CPU, more than a
 * small scan: the build compiles them once (tools/sigc.c) into
 * serialized databases for any x86-64 with SSSE3, loaded here in
 * microseconds.  Added signatures, or a blob this Hyperscan cannot load,
 * mean compiling at run time. */
static int load_serialized(fwvet_sigdb *db) {
#ifdef FWVET_SIGC
  (void)db;
  return -1;
#else
  if (!db->builtin_only || db->npats != builtin_hs_patterns)
    return -1;
  hs_database_t *a = NULL, *b = NULL;
  if ((builtin_hs_strings_len &&
       hs_deserialize_database((const char *)builtin_hs_strings,
                               builtin_hs_strings_len, &a) != HS_SUCCESS) ||
      (builtin_hs_names_len &&
       hs_deserialize_database((const char *)builtin_hs_names,
                               builtin_hs_names_len, &b) != HS_SUCCESS)) {
    hs_free_database(a);
    return -1;
  }
  db->hs_strings = a;
  db->hs_names = b;
  return 0;
#endif
}

fwvet_status fwvet_sigdb_compile_for(fwvet_sigdb *db,
                                     const hs_platform_info_t *plat, char *err,
                                     size_t errcap) {
  if (hs_valid_platform() != HS_SUCCESS) {
    fwvet_sig_seterr(err, errcap,
                     "this processor lacks the instructions Hyperscan "
                     "needs (SSSE3)");
    return FWVET_EUNSUPPORTED;
  }
  if (!plat && load_serialized(db) == 0)
    return FWVET_OK;
  fwvet_status st = compile_kind(db, 0, plat, &db->hs_strings, err, errcap);
  if (!st)
    st = compile_kind(db, 1, plat, &db->hs_names, err, errcap);
  return st;
}

fwvet_status fwvet_sigdb_compile(fwvet_sigdb *db, char *err, size_t errcap) {
  return fwvet_sigdb_compile_for(db, NULL, err, errcap);
}
