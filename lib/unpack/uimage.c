/*
 * U-Boot legacy image ("uImage"): a 64-byte big-endian header followed by
 * the payload.  The payload is handed on as a zero-copy slice and carved
 * by the driver (an lzma kernel, a gzip ramdisk, a squashfs...).  A
 * multi-file image becomes a container of its sub-images "0", "1", ...
 *
 * Header layout (U-Boot include/image.h, struct legacy_img_hdr):
 *   0 magic 0x27051956   4 hcrc   8 time   12 size   16 load   20 ep
 *  24 dcrc   28 os   29 arch   30 type   31 comp   32 name[32]
 * Both CRCs are the usual CRC-32 (zlib's); hcrc is taken over the header
 * with the hcrc field zeroed, dcrc over the `size` payload bytes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "core/cursor.h"
#include "unpack/format.h"

#define UIMAGE_HDR 64
#define UIMAGE_NAME 32
#define IH_TYPE_MULTI 4

/* Short names as mkimage spells them, indexed by the header's id.  New
 * ids are only ever appended upstream, so the index is stable. */
static const char *const os_names[] = {
    "invalid",  "openbsd",
    "netbsd",   "freebsd",
    "4_4bsd",   "linux",
    "svr4",     "esix",
    "solaris",  "irix",
    "sco",      "dell",
    "ncr",      "lynxos",
    "vxworks",  "psos",
    "qnx",      "u-boot",
    "rtems",    "artos",
    "unity",    "integrity",
    "ose",      "plan9",
    "openrtos", "arm-trusted-firmware",
    "tee",      "opensbi",
    "efi",      "elf",
};

static const char *const arch_names[] = {
    "invalid",    "alpha", "arm",      "x86",    "ia64",    "mips",    "mips64",
    "powerpc",    "s390",  "sh",       "sparc",  "sparc64", "m68k",    "nios",
    "microblaze", "nios2", "blackfin", "avr32",  "st200",   "sandbox", "nds32",
    "or1k",       "arm64", "arc",      "x86_64", "xtensa",  "riscv",
};

static const char *const type_names[] = {
    "invalid",      "standalone",   "kernel",        "ramdisk",
    "multi",        "firmware",     "script",        "filesystem",
    "flat_dt",      "kwbimage",     "imximage",      "ublimage",
    "omapimage",    "aisimage",     "kernel_noload", "pblimage",
    "mxsimage",     "gpimage",      "atmelimage",    "socfpgaimage",
    "x86_setup",    "lpc32xximage", "loadable",      "rkimage",
    "rksd",         "rkspi",        "zynqimage",     "zynqmpimage",
    "zynqmpbif",    "fpga",         "vybridimage",   "tee",
    "firmware_ivt", "pmmc",         "stm32image",    "socfpgaimage_v1",
    "mtk_image",    "imx8mimage",   "imx8image",     "copro",
    "sunxi_egon",   "sunxi_toc0",   "fdt_legacy",    "renesas_spkg",
    "starfive_spl", "tfa_bl31",     "stm32imagev2",  "amlimage",
};

static const char *const comp_names[] = {
    "none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd",
};

#define NAMES(t) (t), sizeof(t) / sizeof((t)[0])

typedef struct uimage_hdr {
  uint32_t hcrc, time, size, load, ep, dcrc;
  uint8_t os, arch, type, comp;
  char name[UIMAGE_NAME * 4 + 1]; /* sanitised, see sanitise_name() */
} uimage_hdr;

/* Name of `id` in `table`, or NULL when unknown or "invalid" (id 0 of
 * every table but compression). */
static const char *lookup(const char *const *table, size_t n, unsigned id,
                          int zero_ok) {
  if (id >= n || (id == 0 && !zero_ok))
    return NULL;
  return table[id];
}

static void fmt_id(char *out, size_t cap, const char *const *table, size_t n,
                   unsigned id) {
  if (id < n)
    snprintf(out, cap, "%s", table[id]);
  else
    snprintf(out, cap, "unknown(%u)", id);
}

/* Copies the NUL-padded name, printable ASCII only (the rest as \xNN) so
 * the info string is safe to print.  Returns non-zero when the name
 * looked like text (all printable, NUL-padded). */
static int sanitise_name(const uint8_t *raw, char *out, size_t cap) {
  size_t o = 0;
  int clean = 1;
  size_t i = 0;
  for (; i < UIMAGE_NAME && raw[i]; i++) {
    uint8_t c = raw[i];
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      if (o + 1 < cap)
        out[o++] = (char)c;
    } else {
      if (c < 0x20 || c >= 0x7f)
        clean = 0;
      if (o + 4 < cap)
        o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
  }
  for (; i < UIMAGE_NAME; i++)
    if (raw[i])
      clean = 0;
  out[o] = '\0';
  return clean;
}

static void parse_header(const uint8_t *p, uimage_hdr *h) {
  fwvet_cursor c;
  fwvet_cursor_init(&c, p, UIMAGE_HDR, 1);
  fwvet_cursor_skip(&c, 4);
  h->hcrc = fwvet_cursor_u32(&c);
  h->time = fwvet_cursor_u32(&c);
  h->size = fwvet_cursor_u32(&c);
  h->load = fwvet_cursor_u32(&c);
  h->ep = fwvet_cursor_u32(&c);
  h->dcrc = fwvet_cursor_u32(&c);
  h->os = fwvet_cursor_u8(&c);
  h->arch = fwvet_cursor_u8(&c);
  h->type = fwvet_cursor_u8(&c);
  h->comp = fwvet_cursor_u8(&c);
}

static uint32_t header_crc(const uint8_t *p) {
  uint8_t copy[UIMAGE_HDR];
  memcpy(copy, p, sizeof(copy));
  memset(copy + 4, 0, 4);
  return (uint32_t)crc32(0L, copy, sizeof(copy));
}

/* Without a valid header CRC only a header whose every field makes sense
 * is taken as a uImage: the magic alone is four bytes of evidence. */
static int plausible(const uimage_hdr *h, int clean_name, size_t len) {
  return clean_name && lookup(NAMES(os_names), h->os, 0) &&
         lookup(NAMES(arch_names), h->arch, 0) &&
         lookup(NAMES(type_names), h->type, 0) &&
         lookup(NAMES(comp_names), h->comp, 1) &&
         fwvet_fits(UIMAGE_HDR, h->size, len);
}

static void set_info(fwvet_uctx *u, const uimage_hdr *h) {
  char os[32], arch[32], type[32], comp[32], when[40] = "unknown";
  fmt_id(os, sizeof(os), NAMES(os_names), h->os);
  fmt_id(arch, sizeof(arch), NAMES(arch_names), h->arch);
  fmt_id(type, sizeof(type), NAMES(type_names), h->type);
  fmt_id(comp, sizeof(comp), NAMES(comp_names), h->comp);
  time_t t = (time_t)h->time;
  struct tm tm;
  if (gmtime_r(&t, &tm))
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
  fwvet_uctx_info(u,
                  "uImage '%s', arch %s, os %s, type %s, compression %s, "
                  "load 0x%08x, entry 0x%08x, size %u, created %s",
                  h->name, arch, os, type, comp, (unsigned)h->load,
                  (unsigned)h->ep, (unsigned)h->size, when);
}

/*
 * A multi-file payload: big-endian sizes ending with 0, then the images,
 * each padded to 4 bytes but the last.  `avail` bytes of the payload
 * exist (fewer than declared when truncated); the sizes are checked
 * against what exists.
 */
static fwvet_status add_multi(fwvet_uctx *u, const uint8_t *pl, size_t avail,
                              int64_t mtime) {
  fwvet_cursor c;
  fwvet_cursor_init(&c, pl, avail, 1);
  size_t count = 0;
  while (fwvet_cursor_u32(&c) != 0 && !c.bad)
    count++;
  if (c.bad) {
    fwvet_uctx_corrupt(u, UIMAGE_HDR,
                       "uimage: multi-file size table has no end");
    return FWVET_OK;
  }
  uint64_t off = c.pos;
  fwvet_cursor_seek(&c, 0);
  for (size_t i = 0; i < count; i++) {
    uint64_t sz = fwvet_cursor_u32(&c);
    char name[24];
    fwvet_entry e = {0};
    e.name = name;
    e.name_len = (size_t)snprintf(name, sizeof(name), "%zu", i);
    e.kind = FWVET_KIND_FILE;
    e.size = sz;
    e.mtime = mtime;
    int fits = fwvet_fits(off, sz, avail);
    size_t start = off < avail ? (size_t)off : avail;
    size_t n = fits ? (size_t)sz : avail - start;
    if (!fits) {
      fwvet_uctx_corrupt(u, UIMAGE_HDR + start,
                         "uimage: sub-image %zu extends past the end of "
                         "the payload",
                         i);
      e.flags |= FWVET_NODE_TRUNCATED;
    }
    fwvet_status st = fwvet_uctx_add_slice(u, &e, pl + start, n);
    if (st == FWVET_ELIMIT) /* the node limit; already reported */
      return FWVET_OK;
    if (st || !fits)
      return st;
    off += (sz + 3) & ~(uint64_t)3;
  }
  return FWVET_OK;
}

static fwvet_status uimage_unpack(fwvet_uctx *u, const uint8_t *data,
                                  size_t len, size_t *consumed) {
  if (len < UIMAGE_HDR || fwvet_load_be(data, 4) != 0x27051956u)
    return FWVET_ENOTFOUND;
  uimage_hdr h;
  parse_header(data, &h);
  int clean = sanitise_name(data + 32, h.name, sizeof(h.name));
  int hcrc_ok = header_crc(data) == h.hcrc;
  if (!hcrc_ok && !plausible(&h, clean, len))
    return FWVET_ENOTFOUND;
  if (!hcrc_ok)
    fwvet_uctx_corrupt(u, 4, "uimage: header crc mismatch");
  set_info(u, &h);

  size_t avail = len - UIMAGE_HDR;
  size_t have = h.size < avail ? (size_t)h.size : avail;
  const uint8_t *pl = data + UIMAGE_HDR;
  if (have < h.size)
    fwvet_uctx_corrupt(u, len,
                       "uimage: payload truncated: %zu of %u bytes present",
                       have, (unsigned)h.size);
  else if ((uint32_t)crc32_z(0L, pl, have) != h.dcrc)
    fwvet_uctx_corrupt(u, 24, "uimage: data crc mismatch");

  fwvet_status st;
  if (h.type == IH_TYPE_MULTI) {
    st = add_multi(u, pl, have, h.time);
  } else {
    fwvet_entry e = {0};
    e.kind = FWVET_KIND_FILE;
    e.size = h.size;
    e.mtime = h.time;
    if (have < h.size)
      e.flags |= FWVET_NODE_TRUNCATED;
    st = fwvet_uctx_add_slice(u, &e, pl, have);
  }
  if (st)
    return st;
  *consumed = UIMAGE_HDR + have;
  return FWVET_OK;
}

const fwvet_format fwvet_format_uimage = {
    "uimage", {{"\x27\x05\x19\x56", 4, 0}, {NULL, 0, 0}}, 0, uimage_unpack};
