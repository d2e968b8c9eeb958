/*
 * libFuzzer target: imports the input into a fresh in-memory
 * vulnerability database, as `fwvet vulndb import` would a file (NVD or
 * OSV JSON, gzip, zip of OSV records), then matches one query so that
 * what was stored is read back.  Decoded bytes are capped low so one
 * input stays fast.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vuln/vuln_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ud, const fwvet_vuln_match *m) {
  (*(size_t *)ud)++;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20))
    return 0;
  fwvet_vulndb *db = NULL;
  if (vuln_open_memory(&db))
    return 0;
  db->max_decoded = 16u << 20;
  char err[256];
  fwvet_vulndb_stats st = {0, 0, 0};
  if (vuln_import_mem(db, "fuzz", data, size, &st, err, sizeof err) ==
      FWVET_OK) {
    static const fwvet_vuln_query q[] = {
        {"openssl", "openssl", "openssl", "1.0.2k"},
        {"busybox", "busybox", "busybox", "1.36.1"},
        {"linux", "linux_kernel", NULL, "4.14.100"},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof q / sizeof *q; i++)
      fwvet_vulndb_match(db, &q[i], count, &n);
  }
  fwvet_vulndb_close(db);
  return 0;
}
