/* What a file is, from its first bytes. */
#include <string.h>

#include "vfs/vfs_int.h"

static int starts(const uint8_t *d, size_t len, size_t at, const char *magic,
                  size_t mlen) {
  return len >= at + mlen && memcmp(d + at, magic, mlen) == 0;
}

/* Printable ASCII/UTF-8 text without NUL in the first 4 KiB. */
static int looks_text(const uint8_t *d, size_t len) {
  size_t n = len < 4096 ? len : 4096, odd = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = d[i];
    if (c == 0)
      return 0;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' &&
        c != 0x1b)
      odd++;
  }
  return odd * 100 <= n;
}

const char *fwvet_classify(const uint8_t *d, size_t len) {
  static const struct {
    const char *type, *magic;
    size_t len, at;
  } magics[] = {
      {"elf", "\x7f" "ELF", 4, 0},
      {"gzip", "\x1f\x8b\x08", 3, 0},
      {"xz", "\xfd" "7zXZ\0", 6, 0},
      {"bzip2", "BZh", 3, 0},
      {"zstd", "\x28\xb5\x2f\xfd", 4, 0},
      {"lz4", "\x04\x22\x4d\x18", 4, 0},
      {"squashfs", "hsqs", 4, 0},
      {"squashfs", "sqsh", 4, 0},
      {"uimage", "\x27\x05\x19\x56", 4, 0},
      {"trx", "HDR0", 4, 0},
      {"zip", "PK\x03\x04", 4, 0},
      {"7z", "7z\xbc\xaf\x27\x1c", 6, 0},
      {"cpio", "07070", 5, 0},
      {"ar", "!<arch>\n", 8, 0},
      {"tar", "ustar", 5, 257},
      {"iso9660", "CD001", 5, 0x8001},
      {"pem", "-----BEGIN ", 11, 0},
  };
  if (len == 0)
    return "empty";
  for (size_t i = 0; i < sizeof magics / sizeof *magics; i++)
    if (starts(d, len, magics[i].at, magics[i].magic, magics[i].len))
      return magics[i].type;
  if (starts(d, len, 0, "#!", 2))
    return "script";
  return looks_text(d, len) ? "text" : "data";
}
