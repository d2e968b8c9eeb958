/*
 * libFuzzer target: unpacks the input as if it were a whole image, with
 * format FWVET_FUZZ_FORMAT tried first at offset 0, then the usual
 * recursion.  Limits are small so one input stays fast.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fwvet/fwvet.h"
#include "unpack/driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20))
    return 0;
  fwvet_open_options opt;
  fwvet_open_options_init(&opt);
  opt.jobs = 1;
  opt.limits.max_total_bytes = 64u << 20;
  opt.limits.max_file_bytes = 16u << 20;
  opt.limits.max_nodes = 20000;
  opt.limits.max_stream_seconds = 5;
  fwvet_vfs *vfs = NULL;
  if (fwvet_vfs_open_format(FWVET_FUZZ_FORMAT, "fuzz", data, size, &opt,
                            &vfs) == FWVET_OK)
    fwvet_vfs_destroy(vfs);
  return 0;
}
