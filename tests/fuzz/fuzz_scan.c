/*
 * libFuzzer target: a whole scan of the input as an image: the unpackers
 * and then every analyser (password files, boot code, keys, secrets, ELF
 * facts, component signatures, package databases, ...) on every file.
 * Seeds are tar archives naming the files the analysers look for by path
 * (/etc/shadow, /var/lib/dpkg/status, ...), so mutations reach them.
 * Limits are small so one input stays fast.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fwvet/fwvet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20))
    return 0;
  fwvet_scan_options opt;
  fwvet_scan_options_init(&opt);
  opt.open.jobs = 1;
  opt.open.limits.max_total_bytes = 64u << 20;
  opt.open.limits.max_file_bytes = 16u << 20;
  opt.open.limits.max_nodes = 20000;
  opt.open.limits.max_stream_seconds = 5;
  fwvet_scan *scan = NULL;
  if (fwvet_scan_run_memory("fuzz", data, size, &opt, &scan) == FWVET_OK) {
    /* The report walks everything the scan built. */
    FILE *null = fopen("/dev/null", "w");
    if (null) {
      fwvet_report_options ro = {FWVET_REPORT_JSON, 0, FWVET_SEV_INFO};
      fwvet_report_scan(scan, &ro, null);
      ro.format = FWVET_REPORT_CYCLONEDX;
      fwvet_report_scan(scan, &ro, null);
      fclose(null);
    }
    fwvet_scan_destroy(scan);
  }
  return 0;
}
