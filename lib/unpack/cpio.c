/*
 * cpio through libarchive: "newc" (070701), "crc" (070702), portable
 * "odc" (070707) and old binary (0x71c7 in either byte order).  The
 * archive ends after its "TRAILER!!!" entry, padded as its entries are.
 */
#include <archive.h>
#include <string.h>

#include "core/cursor.h"
#include "unpack/archive_glue.h"

#define BIN_HDR 26

/* Old binary cpio has a two-byte magic, so check the first header before
 * paying for libarchive: a sane file type and a NUL-terminated name. */
static int binary_plausible(const uint8_t *d, size_t len, int big_endian) {
  if (len < BIN_HDR)
    return 0;
  unsigned mode = (unsigned)(big_endian ? fwvet_load_be(d + 6, 2)
                                        : fwvet_load_le(d + 6, 2));
  unsigned namesize = (unsigned)(big_endian ? fwvet_load_be(d + 20, 2)
                                            : fwvet_load_le(d + 20, 2));
  unsigned type = mode & 0170000;
  if (namesize < 2 || namesize > 4096 || !fwvet_fits(BIN_HDR, namesize, len))
    return 0;
  if (d[BIN_HDR + namesize - 1] != 0 ||
      memchr(d + BIN_HDR, 0, namesize - 1) != NULL)
    return 0;
  return type == 0100000 || type == 0040000 || type == 0120000 ||
         type == 0020000 || type == 0060000 || type == 0010000 ||
         type == 0140000 ||
         (mode == 0 && namesize == 11 &&
          memcmp(d + BIN_HDR, "TRAILER!!!", 10) == 0);
}

/* A run of `n` digits in `base` (16 or 8); -1 when one is not. */
static int64_t digits(const uint8_t *p, size_t n, unsigned base) {
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned d;
    if (p[i] >= '0' && p[i] <= '9')
      d = p[i] - '0';
    else if (base == 16 && (p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
      d = (p[i] | 0x20) - 'a' + 10;
    else
      return -1;
    if (d >= base)
      return -1;
    v = v * base + d;
  }
  return v;
}

/* libarchive takes a header only when every field is all digits, and
 * skips forward to the next such header otherwise. */
static int all_digits(const uint8_t *p, size_t n, unsigned base) {
  for (size_t i = 0; i < n; i++) {
    int hex = (p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f';
    if (!((p[i] >= '0' && p[i] <= (base == 8 ? '7' : '9')) ||
          (base == 16 && hex)))
      return 0;
  }
  return 1;
}

typedef enum cpio_kind {
  CPIO_NEWC,
  CPIO_ODC,
  CPIO_BIN_LE,
  CPIO_BIN_BE
} cpio_kind;

typedef struct cpio_hdr {
  size_t hdr; /* header bytes before the name */
  uint64_t mode, namesize, filesize;
  unsigned align; /* name and data padding */
} cpio_hdr;

/* Parses the header at d[0..len) of the archive's variant; 0 on success. */
static int parse_header(cpio_kind k, const uint8_t *d, size_t len,
                        cpio_hdr *h) {
  int64_t mode, ns, fs;
  switch (k) {
  case CPIO_NEWC:
    if (len < 110 || memcmp(d, "07070", 5) != 0 ||
        (d[5] != '1' && d[5] != '2') || !all_digits(d + 6, 104, 16))
      return -1;
    mode = digits(d + 14, 8, 16);
    fs = digits(d + 54, 8, 16);
    ns = digits(d + 94, 8, 16);
    *h = (cpio_hdr){110, 0, 0, 0, 4};
    break;
  case CPIO_ODC:
    if (len < 76 || memcmp(d, "070707", 6) != 0 || !all_digits(d + 6, 70, 8))
      return -1;
    mode = digits(d + 18, 6, 8);
    ns = digits(d + 59, 6, 8);
    fs = digits(d + 65, 11, 8);
    *h = (cpio_hdr){76, 0, 0, 0, 1};
    break;
  default: {
    int be = k == CPIO_BIN_BE;
    if (len < BIN_HDR || fwvet_load_le(d, 2) != (be ? 0xc771u : 0x71c7u))
      return -1;
    uint64_t (*ld)(const uint8_t *, unsigned) =
        be ? fwvet_load_be : fwvet_load_le;
    mode = (int64_t)ld(d + 6, 2);
    ns = (int64_t)ld(d + 20, 2);
    fs = (int64_t)(ld(d + 22, 2) << 16 | ld(d + 24, 2));
    *h = (cpio_hdr){BIN_HDR, 0, 0, 0, 2};
    break;
  }
  }
  if (mode < 0 || ns <= 0 || fs < 0)
    return -1;
  h->mode = (uint64_t)mode;
  h->namesize = (uint64_t)ns;
  h->filesize = (uint64_t)fs;
  return 0;
}

static uint64_t pad(uint64_t v, unsigned a) { return (v + a - 1) / a * a; }

/*
 * Walks the headers up to the trailer.  libarchive allocates a header's
 * claimed name size (and a symlink's target size) before it finds the
 * bytes missing, and skips damage to look for a later header: the feed
 * stops at the first header that is damaged or claims more than is left.
 */
static uint64_t walk(cpio_kind k, const uint8_t *d, size_t len) {
  uint64_t pos = 0;
  while (pos < len) {
    cpio_hdr h;
    if (parse_header(k, d + pos, len - (size_t)pos, &h))
      return pos;
    uint64_t name_end = pos + h.hdr + h.namesize;
    if (name_end > len)
      return pos;
    if ((h.mode & 0170000) == 0120000 &&
        !fwvet_fits(pad(name_end, h.align), h.filesize, len))
      return pos;
    if (h.namesize == 11 && memcmp(d + pos + h.hdr, "TRAILER!!!", 11) == 0)
      return len;
    pos = pad(pad(name_end, h.align) + h.filesize, h.align);
  }
  return len;
}

static fwvet_status cpio_probe(fwvet_uctx *u, const uint8_t *d, size_t len,
                               fwvet_archive_hint *hint) {
  cpio_kind k;
  if (len >= 6 && memcmp(d, "07070", 5) == 0) {
    if (d[5] == '1' || d[5] == '2')
      k = CPIO_NEWC;
    else if (d[5] == '7')
      k = CPIO_ODC;
    else
      return FWVET_ENOTFOUND;
  } else if (len >= 2 && d[0] == 0xc7 && d[1] == 0x71 &&
             binary_plausible(d, len, 0)) {
    k = CPIO_BIN_LE;
  } else if (len >= 2 && d[0] == 0x71 && d[1] == 0xc7 &&
             binary_plausible(d, len, 1)) {
    k = CPIO_BIN_BE;
  } else {
    return FWVET_ENOTFOUND;
  }
  hint->align = k == CPIO_NEWC ? 4 : k == CPIO_ODC ? 1 : 2;
  hint->feed = walk(k, d, len);
  if (hint->feed == 0)
    return FWVET_ENOTFOUND;
  return FWVET_OK;
}

static const fwvet_archive_format cpio_archive = {
    .name = "cpio",
    .enable = archive_read_support_format_cpio,
    .probe = cpio_probe};

static fwvet_status cpio_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                                size_t *consumed) {
  return fwvet_archive_unpack(u, &cpio_archive, data, len, consumed);
}

const fwvet_format fwvet_format_cpio = {
    "cpio",
    {{"07070", 5, 0}, {"\xc7\x71", 2, 0}, {"\x71\xc7", 2, 0}, {NULL, 0, 0}},
    0,
    cpio_unpack};
