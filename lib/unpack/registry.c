/* The format registry: every reader, in the order candidates at one
 * offset are tried. */
#include <string.h>

#include "unpack/format.h"

extern const fwvet_format fwvet_format_uimage;
extern const fwvet_format fwvet_format_trx;
extern const fwvet_format fwvet_format_squashfs;
extern const fwvet_format fwvet_format_gzip;
extern const fwvet_format fwvet_format_zlib;
extern const fwvet_format fwvet_format_xz;
extern const fwvet_format fwvet_format_lzma;
extern const fwvet_format fwvet_format_bzip2;
extern const fwvet_format fwvet_format_zstd;
extern const fwvet_format fwvet_format_lz4;
extern const fwvet_format fwvet_format_tar;
extern const fwvet_format fwvet_format_cpio;
extern const fwvet_format fwvet_format_zip;
extern const fwvet_format fwvet_format_sevenzip;
extern const fwvet_format fwvet_format_iso9660;
extern const fwvet_format fwvet_format_ar;

const fwvet_format *const fwvet_formats[] = {
    &fwvet_format_uimage,
    &fwvet_format_trx,
    &fwvet_format_squashfs,
    &fwvet_format_gzip,
    &fwvet_format_zlib,
    &fwvet_format_xz,
    &fwvet_format_lzma,
    &fwvet_format_bzip2,
    &fwvet_format_zstd,
    &fwvet_format_lz4,
    &fwvet_format_tar,
    &fwvet_format_cpio,
    &fwvet_format_zip,
    &fwvet_format_sevenzip,
    &fwvet_format_iso9660,
    &fwvet_format_ar,
    NULL,
};

const fwvet_format *fwvet_format_find(const char *name) {
  for (size_t i = 0; fwvet_formats[i]; i++)
    if (strcmp(fwvet_formats[i]->name, name) == 0)
      return fwvet_formats[i];
  return NULL;
}
