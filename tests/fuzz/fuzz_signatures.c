/*
 * libFuzzer target: the signature file parser and compiler (`fwvet scan
 * --signatures FILE`), then one scan of the input's own bytes with what
 * compiled.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sig/sigdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_hit(void *ud, const fwvet_sighit *h) {
  (void)h;
  (*(size_t *)ud)++;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (64u << 10))
    return 0;
  fwvet_sigdb *db = NULL;
  char err[256];
  if (fwvet_sigdb_add(&db, (const char *)data, size, "fuzz", err,
                      sizeof err) == FWVET_OK &&
      fwvet_sigdb_compile(db, err, sizeof err) == FWVET_OK) {
    size_t n = 0;
    fwvet_sigdb_scan(db, data, size, on_hit, &n);
    fwvet_sigdb_scan_name(db, "libssl.so.1.0.0", on_hit, &n);
  }
  fwvet_sigdb_free(db);
  return 0;
}
