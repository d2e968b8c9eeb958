/*
 * Unix ar archives (GNU and BSD name variants) through libarchive.  The
 * member headers are walked first to find where the archive ends: the end
 * of the last well-formed member.
 */
#include <archive.h>
#include <string.h>

#include "core/cursor.h"
#include "unpack/archive_glue.h"

#define AR_MAGIC 8
#define AR_HDR 60

/* The decimal size field of a member header; -1 when malformed. */
static int64_t member_size(const uint8_t *h) {
  int64_t v = 0;
  size_t i = 48;
  if (h[i] < '0' || h[i] > '9')
    return -1;
  for (; i < 58 && h[i] >= '0' && h[i] <= '9'; i++)
    v = v * 10 + (h[i] - '0');
  for (; i < 58; i++)
    if (h[i] != ' ')
      return -1;
  return v;
}

/* Members libarchive reads whole into memory: the symbol table "/", the
 * GNU name table "//", and a BSD "#1/<len>" name stored before the data. */
static int read_whole(const uint8_t *h) {
  return h[0] == '/' && (h[1] == ' ' || (h[1] == '/' && h[2] == ' '));
}

/* The length in a BSD "#1/<len>" name; -1 when malformed. */
static int64_t member_name_len(const uint8_t *h) {
  int64_t v = 0;
  size_t i = 3;
  if (h[i] < '0' || h[i] > '9')
    return -1;
  for (; i < 16 && h[i] >= '0' && h[i] <= '9'; i++)
    v = v * 10 + (h[i] - '0');
  for (; i < 16; i++)
    if (h[i] != ' ')
      return -1;
  return v;
}

static fwvet_status ar_probe(fwvet_uctx *u, const uint8_t *d, size_t len,
                             fwvet_archive_hint *hint) {
  uint64_t end = AR_MAGIC;
  size_t members = 0;
  while (fwvet_fits(end, AR_HDR, len)) {
    const uint8_t *h = d + end;
    int64_t size = member_size(h);
    if (h[58] != '`' || h[59] != '\n' || size < 0)
      break;
    /* libarchive allocates what these claim before it finds the bytes
     * missing: let it see the archive only up to such a member. */
    int64_t bsd = memcmp(h, "#1/", 3) == 0 ? member_name_len(h) : 0;
    if (bsd < 0 || bsd > size ||
        ((read_whole(h) || bsd) &&
         !fwvet_fits(end + AR_HDR, (uint64_t)size, len))) {
      fwvet_uctx_corrupt(u, end,
                         "ar: member header claims %lld bytes; %zu are left",
                         (long long)size, len - (size_t)end - AR_HDR);
      hint->feed = end;
      break;
    }
    members++;
    end += AR_HDR + (uint64_t)size;
    if (end >= len)
      break;
    end += end & 1; /* members are padded to even offsets */
  }
  /* "!<arch>\n" alone is also a string in every linker binary. */
  if (members == 0 && len != AR_MAGIC)
    return FWVET_ENOTFOUND;
  hint->size = end;
  return FWVET_OK;
}

static const fwvet_archive_format ar_archive = {
    .name = "ar", .enable = archive_read_support_format_ar, .probe = ar_probe};

static fwvet_status ar_unpack(fwvet_uctx *u, const uint8_t *data, size_t len,
                              size_t *consumed) {
  return fwvet_archive_unpack(u, &ar_archive, data, len, consumed);
}

const fwvet_format fwvet_format_ar = {
    "ar", {{"!<arch>\n", 8, 0}, {NULL, 0, 0}}, 0, ar_unpack};
