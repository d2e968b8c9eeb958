/*
 * libFuzzer target: the input is an evaluation store file (a store may
 * come from someone else).  It is opened, the releases of product "p"
 * listed, every evaluation id 1..8 loaded, consecutive ones diffed and
 * both reports written, and the history built, as `fwvet diff` and
 * `fwvet history` would.  The file lives in a private temporary
 * directory for one input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fwvet/fwvet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(fwvet_store *s, FILE *sink) {
  fwvet_store_entry *e = NULL;
  size_t n = 0;
  if (fwvet_store_releases(s, "p", &e, &n) == FWVET_OK)
    fwvet_store_entries_free(e, n);
  fwvet_eval *prev = NULL;
  for (int64_t id = 1; id <= 8; id++) {
    fwvet_eval *ev = NULL;
    if (fwvet_store_load(s, id, &ev))
      continue;
    fwvet_diff *d = NULL;
    if (prev && fwvet_diff_create(prev, ev, &d) == FWVET_OK) {
      fwvet_report_options o = {0};
      o.format = FWVET_REPORT_TEXT;
      fwvet_report_diff(d, &o, sink);
      o.format = FWVET_REPORT_JSON;
      fwvet_report_diff(d, &o, sink);
      fwvet_diff_destroy(d);
    }
    fwvet_eval_destroy(prev);
    prev = ev;
  }
  fwvet_eval_destroy(prev);
  fwvet_history *h = NULL;
  if (fwvet_history_create(s, "p", &h) == FWVET_OK) {
    fwvet_report_options o = {0};
    o.format = FWVET_REPORT_JSON;
    fwvet_report_history(h, &o, sink);
    fwvet_history_destroy(h);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20))
    return 0;
  char dir[] = "/tmp/fwvet-fuzz-store-XXXXXX";
  if (!mkdtemp(dir))
    return 0;
  char path[64], wal[80], shm[80];
  snprintf(path, sizeof path, "%s/s.sqlite", dir);
  snprintf(wal, sizeof wal, "%s-wal", path);
  snprintf(shm, sizeof shm, "%s-shm", path);
  FILE *f = fopen(path, "wb");
  if (f) {
    int ok = fwrite(data, 1, size, f) == size;
    if (fclose(f) == 0 && ok) {
      fwvet_store *s = NULL;
      FILE *sink = fopen("/dev/null", "w");
      if (sink && fwvet_store_open(path, 0, &s) == FWVET_OK)
        exercise(s, sink);
      fwvet_store_close(s);
      if (sink)
        fclose(sink);
    }
  }
  unlink(wal);
  unlink(shm);
  unlink(path);
  rmdir(dir);
  return 0;
}
