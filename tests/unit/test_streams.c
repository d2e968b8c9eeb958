/*
 * Compressed-stream carvers (gzip, zlib, xz, lzma, bzip2, zstd, lz4):
 * one test per format and case, inputs made at test time by the real
 * tools (zlib: by the library, no tool writes bare zlib) and by crafted
 * bytes.  Filler and payloads come from a seeded generator so a false
 * positive, once seen, stays reproducible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <lzma.h>
#include <zlib.h>

#include "unpack_fixture.h"

/* --- inputs ------------------------------------------------------------- */

typedef struct bytes {
  uint8_t *p;
  size_t n, cap;
} bytes;

static void b_append(bytes *b, const void *p, size_t n) {
  if (b->n + n + 1 > b->cap) {
    b->cap = 2 * (b->n + n + 1);
    b->p = realloc(b->p, b->cap);
  }
  assert_non_null(b->p);
  if (n)
    memcpy(b->p + b->n, p, n);
  b->n += n;
}

static uint64_t rng_state;

static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 11);
}

static void b_random(bytes *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t c = (uint8_t)rng();
    b_append(b, &c, 1);
  }
}

/* Text that compresses about 3:1, like a root filesystem's scripts. */
static bytes make_text(uint64_t seed, size_t n) {
  static const char *const words[] = {
      "busybox",    "init",        "echo",    "mount",  "/proc",   "/sys",
      "ifconfig",   "eth0",        "route",   "add",    "default", "gw",
      "telnetd",    "-l",          "/bin/sh", "nvram",  "get",     "set",
      "lan_ipaddr", "192.168.1.1", "killall", "udhcpc", "-i",      "br0",
      "exit",       "0",           "fi",      "then",   "if",      "[",
      "]",          "&&",          "||",      "done"};
  bytes b = {0};
  rng_state = seed;
  char line[64];
  while (b.n < n) {
    int k = snprintf(line, sizeof line, "%s%c",
                     words[rng() % (sizeof words / sizeof *words)],
                     rng() % 7 ? ' ' : '\n');
    size_t take = (size_t)k < n - b.n ? (size_t)k : n - b.n;
    b_append(&b, line, take);
  }
  return b;
}

static bytes payload_a, payload_b;
static char sha_a[65], sha_b[65];

#define PAYLOAD_A_LEN ((size_t)512 << 10)
#define PAYLOAD_B_LEN ((size_t)48 << 10)
#define BOMB_LEN ((size_t)64 << 20)

/* --- formats ------------------------------------------------------------ */

typedef struct fmt_spec {
  const char *name;
  const char *cmd;      /* stdin to stdout; NULL: zlib in-process */
  const char *bomb_cmd; /* same, fast preset for 64 MiB of zeros */
  const char *magic;    /* for planting */
  unsigned magic_len;
  const char *info;   /* how the info string starts */
  const char *joiner; /* between two streams that form one; NULL: none */
  const char *joined; /* info text of such a pair */
  int tail_check;     /* the last 4 bytes are a content checksum */
} fmt_spec;

static const fmt_spec fmts[] = {
    {"gzip", "gzip -c -6", "gzip -c -1", "\x1f\x8b\x08", 3, "gzip", "",
     "2 members", 1},
    {"zlib", NULL, NULL, "\x78\x9c", 2, "zlib", NULL, NULL, 1},
    {"xz", "xz -c -3 -T1", "xz -c -0 -T1", "\xfd\x37\x7a\x58\x5a\x00", 6,
     "xz, check crc64", "\0\0\0\0", "2 streams", 0},
    {"lzma", "xz --format=lzma -c -6", "xz --format=lzma -c -0", "\x5d\x00\x00",
     3, "lzma, lc 3 lp 0 pb 2, dictionary 8 MiB", NULL, NULL, 0},
    {"bzip2", "bzip2 -c -1", "bzip2 -c -9", "BZh", 3, "bzip2, block size 100k",
     "", "2 streams", 0},
    {"zstd", "zstd -c -q -3", "zstd -c -q -1", "\x28\xb5\x2f\xfd", 4,
     "zstd, window", "", "2 frames", 1},
    {"lz4", "lz4 -c -q -B4", "lz4 -c -q", "\x04\x22\x4d\x18", 4,
     "lz4 frame, block 64 KiB", "", "2 frames", 1},
};
#define NFMTS (sizeof fmts / sizeof *fmts)

static bytes compress_with(const fmt_spec *f, const char *cmd,
                           const uint8_t *in, size_t n) {
  bytes out = {0};
  if (!f->cmd) {
    uLongf cap = compressBound(n);
    out.p = malloc(cap);
    assert_non_null(out.p);
    assert_int_equal(compress2(out.p, &cap, in, n, 6), Z_OK);
    out.n = out.cap = cap;
    return out;
  }
  assert_int_equal(fx_write("in.bin", in, n), 0);
  assert_int_equal(fx_sh("%s < in.bin > out.bin", cmd), 0);
  out.p = fx_read("out.bin", &out.n);
  assert_non_null(out.p);
  out.cap = out.n;
  return out;
}

static bytes pack(const fmt_spec *f, const bytes *in) {
  return compress_with(f, f->cmd, in->p, in->n);
}

/* --- running ------------------------------------------------------------ */

/* Copies the content of the node at `path` as the driver hands it out. */
typedef struct capture {
  char path[128];
  bytes data;
  int seen;
} capture;

static int capture_visit(void *ud, const fwvet_node *n, const uint8_t *data,
                         size_t len) {
  capture *c = ud;
  if (strcmp(fwvet_node_path(n), c->path) == 0 && !c->seen) {
    c->seen = 1;
    b_append(&c->data, data, len);
  }
  return 0;
}

static void options(fwvet_open_options *o, capture *c) {
  fwvet_open_options_init(o);
  o->jobs = 1;
  if (c) {
    o->visit = capture_visit;
    o->visit_ud = c;
  }
}

/* The input as an image named "in"; `fmt` NULL: plain carving. */
static fwvet_vfs *run(const char *fmt, const bytes *in,
                      const fwvet_open_options *o) {
  fwvet_vfs *vfs = NULL;
  fwvet_status st =
      fmt ? fwvet_vfs_open_format(fmt, "in", in->p, in->n, o, &vfs)
          : fwvet_vfs_open_memory("in", in->p, in->n, o, &vfs);
  assert_int_equal(st, FWVET_OK);
  assert_non_null(vfs);
  return vfs;
}

static void expect_content(const fwvet_node *n, const char *sha,
                           uint64_t size) {
  assert_int_equal(fwvet_node_kind(n), FWVET_KIND_FILE);
  assert_int_equal(fwvet_node_size(n), size);
  assert_non_null(fwvet_node_sha256(n));
  assert_string_equal(fwvet_node_sha256(n), sha);
  assert_int_equal(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED, 0);
}

/* No node directly below the root was carved as `fmt` except `keep`. */
static void expect_only(const fwvet_vfs *vfs, const char *fmt,
                        const char *const *keep, size_t nkeep) {
  char prefix[64];
  snprintf(prefix, sizeof prefix, "in/%s", fmt);
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    const char *p = fwvet_node_path(n);
    size_t pl = strlen(prefix);
    if (strncmp(p, prefix, pl) != 0 || (p[pl] && p[pl] != '@') ||
        strchr(p + 3, '/'))
      continue;
    int ok = 0;
    for (size_t k = 0; k < nkeep; k++)
      ok |= strcmp(p, keep[k]) == 0;
    if (!ok) {
      fprintf(stderr, "unexpected node %s in:\n", p);
      fx_dump(vfs);
      fail();
    }
  }
}

/* --- cases -------------------------------------------------------------- */

typedef struct row {
  const fmt_spec *f;
  void (*fn)(const fmt_spec *f);
} row;

static void test_row(void **state) {
  const row *r = *state;
  r->fn(r->f);
}

/* A whole stream at offset 0 decodes to the payload exactly. */
static void case_good(const fmt_spec *f) {
  bytes c = pack(f, &payload_a);
  capture cap = {.path = ""};
  snprintf(cap.path, sizeof cap.path, "in/%s", f->name);
  fwvet_open_options o;
  options(&o, &cap);
  fwvet_vfs *vfs = run(f->name, &c, &o);
  const fwvet_node *n = fx_node(vfs, cap.path);
  expect_content(n, sha_a, PAYLOAD_A_LEN);
  assert_int_equal(cap.data.n, PAYLOAD_A_LEN);
  assert_memory_equal(cap.data.p, payload_a.p, PAYLOAD_A_LEN);
  assert_int_equal(fwvet_node_offset(n), 0);
  const char *info = fwvet_node_info(n);
  assert_non_null(info);
  if (strncmp(info, f->info, strlen(f->info)) != 0) {
    fprintf(stderr, "info '%s' does not start with '%s'\n", info, f->info);
    fail();
  }
  fx_expect_no_finding(vfs, "unpack.corrupt");
  fx_expect_no_finding(vfs, "unpack.limit");
  fwvet_vfs_destroy(vfs);
  free(c.p);
  free(cap.data.p);
}

/* Two streams at odd offsets inside random bytes, data after each: both
 * are found, so each reader consumed exactly its stream. */
static void case_carved(const fmt_spec *f) {
  bytes a = pack(f, &payload_a), b = pack(f, &payload_b);
  bytes img = {0};
  rng_state = 0x5eed0001;
  b_random(&img, 0x301);
  b_append(&img, a.p, a.n);
  b_random(&img, 0x155);
  size_t off_b = img.n;
  b_append(&img, b.p, b.n);
  b_random(&img, 99);
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run(NULL, &img, &o);
  char pa[64], pb[64];
  snprintf(pa, sizeof pa, "in/%s@0x301", f->name);
  snprintf(pb, sizeof pb, "in/%s@0x%zx", f->name, off_b);
  const fwvet_node *na = fx_node(vfs, pa), *nb = fx_node(vfs, pb);
  expect_content(na, sha_a, PAYLOAD_A_LEN);
  expect_content(nb, sha_b, PAYLOAD_B_LEN);
  assert_int_equal(fwvet_node_offset(na), 0x301);
  assert_int_equal(fwvet_node_offset(nb), off_b);
  const char *keep[] = {pa, pb};
  expect_only(vfs, f->name, keep, 2);
  fx_expect_no_finding(vfs, "unpack.corrupt");
  fwvet_vfs_destroy(vfs);
  free(a.p);
  free(b.p);
  free(img.p);
}

/* Cut at 60%: the decoded prefix is kept, flagged, and reported. */
static void case_truncated(const fmt_spec *f) {
  bytes c = pack(f, &payload_a);
  c.n = c.n * 6 / 10;
  capture cap = {.path = ""};
  snprintf(cap.path, sizeof cap.path, "in/%s", f->name);
  fwvet_open_options o;
  options(&o, &cap);
  fwvet_vfs *vfs = run(f->name, &c, &o);
  const fwvet_node *n = fx_node(vfs, cap.path);
  assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
  assert_true(fwvet_node_size(n) > 0);
  assert_true(fwvet_node_size(n) < PAYLOAD_A_LEN);
  assert_int_equal(cap.data.n, fwvet_node_size(n));
  assert_memory_equal(cap.data.p, payload_a.p, cap.data.n);
  fx_expect_finding(vfs, "unpack.corrupt", NULL, "truncated");
  fwvet_vfs_destroy(vfs);
  free(c.p);
  free(cap.data.p);
}

/* One byte flipped in the middle: reported; what is kept is flagged. */
static void case_corrupt(const fmt_spec *f) {
  bytes c = pack(f, &payload_a);
  c.p[c.n / 2] ^= 0x55;
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run(f->name, &c, &o);
  char path[64];
  snprintf(path, sizeof path, "in/%s", f->name);
  const fwvet_node *n = fwvet_vfs_find(vfs, path);
  if (n)
    assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
  fx_expect_finding(vfs, "unpack.corrupt", NULL, f->name);
  fwvet_vfs_destroy(vfs);
  free(c.p);
}

/* The content checksum at the very end is wrong: all the output is
 * there, flagged, with a mismatch finding. */
static void case_checksum(const fmt_spec *f) {
  if (!f->tail_check)
    skip();
  bytes c = pack(f, &payload_a);
  /* gzip ends with CRC32 then ISIZE; the others with the checksum. */
  c.p[c.n - (strcmp(f->name, "gzip") == 0 ? 8 : 4)] ^= 0x01;
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run(f->name, &c, &o);
  char path[64];
  snprintf(path, sizeof path, "in/%s", f->name);
  const fwvet_node *n = fx_node(vfs, path);
  assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
  assert_int_equal(fwvet_node_size(n), PAYLOAD_A_LEN);
  fx_expect_finding(vfs, "unpack.corrupt", NULL, "mismatch");
  fwvet_vfs_destroy(vfs);
  free(c.p);
}

/* 64 MiB of zeros against ratio 10 and 4 MiB per file: stopped early,
 * bounded by what the compressed bytes allow, reported. */
static void case_bomb(const fmt_spec *f) {
  bytes c = {0};
  if (f->cmd) {
    assert_int_equal(
        fx_sh("head -c %zu /dev/zero | %s > bomb.bin", BOMB_LEN, f->bomb_cmd),
        0);
    c.p = fx_read("bomb.bin", &c.n);
    assert_non_null(c.p);
    c.cap = c.n;
  } else {
    uint8_t *zeros = calloc(1, BOMB_LEN);
    assert_non_null(zeros);
    c = compress_with(f, NULL, zeros, BOMB_LEN);
    free(zeros);
  }
  fwvet_open_options o;
  options(&o, NULL);
  o.limits.max_ratio = 10;
  o.limits.max_file_bytes = 4u << 20;
  fwvet_vfs *vfs = run(f->name, &c, &o);
  char path[64];
  snprintf(path, sizeof path, "in/%s", f->name);
  const fwvet_node *n = fx_node(vfs, path);
  uint64_t bound = (uint64_t)c.n * 10 + (1u << 20);
  if (bound > o.limits.max_file_bytes)
    bound = o.limits.max_file_bytes;
  assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
  assert_true(fwvet_node_size(n) > 0);
  assert_true(fwvet_node_size(n) <= bound);
  fx_expect_finding(vfs, "unpack.limit", NULL, f->name);
  fwvet_vfs_destroy(vfs);
  free(c.p);
}

/* The magic planted every 1 KiB in random bytes: nothing is carved. */
static void case_planted(const fmt_spec *f) {
  bytes img = {0};
  rng_state = 0x5eed0002 + (uint64_t)(f - fmts);
  b_random(&img, 256u << 10);
  for (size_t off = 0x101; off + 64 < img.n; off += 1024)
    memcpy(img.p + off, f->magic, f->magic_len);
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run(NULL, &img, &o);
  expect_only(vfs, f->name, NULL, 0);
  fwvet_vfs_destroy(vfs);
  free(img.p);
}

/* A stream of nothing decodes to nothing: no node. */
static void case_empty(const fmt_spec *f) {
  bytes c = compress_with(f, f->cmd, (const uint8_t *)"", 0);
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run(f->name, &c, &o);
  expect_only(vfs, f->name, NULL, 0);
  fwvet_vfs_destroy(vfs);
  free(c.p);
}

/* Two streams back to back (xz: with stream padding) are one, as the
 * tools decompress them. */
static void case_joined(const fmt_spec *f) {
  if (!f->joiner)
    skip();
  bytes a = pack(f, &payload_a), b = pack(f, &payload_b);
  bytes img = {0}, both = {0};
  b_append(&img, a.p, a.n);
  b_append(&img, f->joiner, strcmp(f->name, "xz") == 0 ? 4 : 0);
  b_append(&img, b.p, b.n);
  b_append(&both, payload_a.p, payload_a.n);
  b_append(&both, payload_b.p, payload_b.n);
  char sha[65], path[64];
  fwvet_sha256_hex(both.p, both.n, sha);
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run(f->name, &img, &o);
  snprintf(path, sizeof path, "in/%s", f->name);
  const fwvet_node *n = fx_node(vfs, path);
  expect_content(n, sha, both.n);
  assert_non_null(strstr(fwvet_node_info(n), f->joined));
  expect_only(vfs, f->name, (const char *[]){path}, 1);
  fwvet_vfs_destroy(vfs);
  free(a.p);
  free(b.p);
  free(img.p);
  free(both.p);
}

/* --- format-specific tests ---------------------------------------------- */

/* A gzip member with every optional header field, written by hand. */
static bytes gzip_crafted(int break_hcrc) {
  static const uint8_t head[] = {0x1f, 0x8b, 8,    0x1e, 0x78,
                                 0x56, 0x34, 0x12, 0,    3};
  bytes g = {0};
  b_append(&g, head, sizeof head);
  b_append(&g,
           "\x04\x00"
           "AB\x00\x00",
           6);                         /* FEXTRA, XLEN 4 */
  b_append(&g, "vmlinux\0", 8);        /* FNAME */
  b_append(&g, "built by hand\0", 14); /* FCOMMENT */
  uint16_t hcrc = (uint16_t)crc32(0, g.p, (uInt)g.n);
  if (break_hcrc)
    hcrc ^= 1;
  uint8_t h2[2] = {(uint8_t)hcrc, (uint8_t)(hcrc >> 8)};
  b_append(&g, h2, 2);
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY),
                   Z_OK);
  uLong cap = deflateBound(&z, payload_b.n);
  size_t at = g.n;
  b_append(&g, NULL, 0);
  g.p = realloc(g.p, g.n + cap + 8);
  g.cap = g.n + cap + 8;
  z.next_in = payload_b.p;
  z.avail_in = (uInt)payload_b.n;
  z.next_out = g.p + at;
  z.avail_out = (uInt)cap;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  g.n = at + z.total_out;
  deflateEnd(&z);
  uint32_t crc = (uint32_t)crc32(0, payload_b.p, (uInt)payload_b.n);
  uint32_t isz = (uint32_t)payload_b.n;
  uint8_t tr[8] = {(uint8_t)crc,         (uint8_t)(crc >> 8),
                   (uint8_t)(crc >> 16), (uint8_t)(crc >> 24),
                   (uint8_t)isz,         (uint8_t)(isz >> 8),
                   (uint8_t)(isz >> 16), (uint8_t)(isz >> 24)};
  b_append(&g, tr, 8);
  return g;
}

static void test_gzip_header_fields(void **state) {
  for (int broken = 0; broken < 2; broken++) {
    bytes g = gzip_crafted(broken);
    fwvet_open_options o;
    options(&o, NULL);
    fwvet_vfs *vfs = run("gzip", &g, &o);
    const fwvet_node *n = fx_node(vfs, "in/gzip");
    assert_int_equal(fwvet_node_size(n), PAYLOAD_B_LEN);
    assert_string_equal(fwvet_node_sha256(n), sha_b);
    assert_int_equal(fwvet_node_mtime(n), 0x12345678);
    assert_string_equal(fwvet_node_info(n),
                        "gzip, original name 'vmlinux', mtime 1979-09-05 "
                        "22:51:36 UTC");
    if (broken) {
      assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
      fx_expect_finding(vfs, "unpack.corrupt", NULL, "header checksum");
    } else {
      fx_expect_no_finding(vfs, "unpack.corrupt");
    }
    fwvet_vfs_destroy(vfs);
    free(g.p);
  }
}

/* A gzip header that breaks one strict rule is not a candidate. */
static void test_gzip_strict_header(void **state) {
  static const struct {
    unsigned at;
    uint8_t value;
  } rows[] = {
      {3, 0x20}, /* reserved flag */
      {8, 0x01}, /* XFL */
      {9, 0x42}, /* OS */
  };
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    bytes g = gzip_crafted(0);
    g.p[3] = 0; /* no optional fields: deflate data follows the header */
    memmove(g.p + 10, g.p + 10 + 6 + 8 + 14 + 2, g.n - 10 - 30);
    g.n -= 30;
    g.p[rows[i].at] = rows[i].value;
    fwvet_open_options o;
    options(&o, NULL);
    fwvet_vfs *vfs = run("gzip", &g, &o);
    expect_only(vfs, "gzip", NULL, 0);
    fwvet_vfs_destroy(vfs);
    free(g.p);
  }
}

static void test_gzip_original_name(void **state) {
  assert_int_equal(fx_write("payload", payload_b.p, payload_b.n), 0);
  assert_int_equal(fx_sh("touch -d '2024-01-02 03:04:05 UTC' payload && "
                         "gzip -c payload > payload.gz"),
                   0);
  size_t n;
  bytes g = {fx_read("payload.gz", &n), 0, 0};
  g.n = g.cap = n;
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run("gzip", &g, &o);
  const fwvet_node *node = fx_node(vfs, "in/gzip");
  assert_string_equal(fwvet_node_info(node),
                      "gzip, original name 'payload', mtime 2024-01-02 "
                      "03:04:05 UTC");
  fwvet_vfs_destroy(vfs);
  free(g.p);
}

/* zlib's gzip header template sits in many binaries with code after it:
 * neither alone nor right after a real member is it a member. */
static void test_gzip_header_template(void **state) {
  static const uint8_t tmpl[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
  bytes img = {0};
  rng_state = 0x5eed0005;
  b_random(&img, 256u << 10);
  for (size_t off = 0x33; off + 64 < img.n; off += 1024)
    memcpy(img.p + off, tmpl, sizeof tmpl);
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run(NULL, &img, &o);
  expect_only(vfs, "gzip", NULL, 0);
  fwvet_vfs_destroy(vfs);

  bytes g = gzip_crafted(0), both = {0};
  b_append(&both, g.p, g.n);
  b_append(&both, tmpl, sizeof tmpl);
  b_append(&both, img.p + 0x40, 4096);
  vfs = run("gzip", &both, &o);
  expect_content(fx_node(vfs, "in/gzip"), sha_b, PAYLOAD_B_LEN);
  expect_only(vfs, "gzip", (const char *[]){"in/gzip"}, 1);
  fx_expect_no_finding(vfs, "unpack.corrupt");
  fwvet_vfs_destroy(vfs);
  free(g.p);
  free(both.p);
  free(img.p);
}

/* Noise compresses to raw blocks only (zstd) or to stored blocks (gzip);
 * cut early, what decoded is still kept: a cut at the end of the data is
 * damage, not a stray magic. */
static void test_incompressible_cut(void **state) {
  static const struct {
    const char *fmt;
    size_t cut; /* 0: 60% */
  } rows[] = {{"zstd", 0}, {"gzip", 200}, {"gzip", 0}, {"lz4", 0}};
  bytes noise = {0};
  rng_state = 0x5eed0006;
  b_random(&noise, 600u << 10);
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    const fmt_spec *f = NULL;
    for (size_t k = 0; k < NFMTS; k++)
      if (strcmp(fmts[k].name, rows[i].fmt) == 0)
        f = &fmts[k];
    assert_non_null(f);
    bytes c = pack(f, &noise);
    c.n = rows[i].cut ? rows[i].cut : c.n * 6 / 10;
    capture cap = {.path = ""};
    snprintf(cap.path, sizeof cap.path, "in/%s", f->name);
    fwvet_open_options o;
    options(&o, &cap);
    fwvet_vfs *vfs = run(f->name, &c, &o);
    const fwvet_node *n = fx_node(vfs, cap.path);
    assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
    assert_true(fwvet_node_size(n) > 0);
    assert_memory_equal(cap.data.p, noise.p, cap.data.n);
    fx_expect_finding(vfs, "unpack.corrupt", NULL, "truncated");
    fwvet_vfs_destroy(vfs);
    free(c.p);
    free(cap.data.p);
  }
  free(noise.p);
}

/* lzma-alone as the LZMA SDK writes it for U-Boot: size in the header,
 * no end marker, other data right after. */
static bytes lzma_sized(const bytes *in, uint8_t props_byte) {
  lzma_options_lzma opt;
  assert_false(lzma_lzma_preset(&opt, 6));
  opt.lc = props_byte % 9;
  opt.lp = props_byte / 9 % 5;
  opt.pb = props_byte / 45;
  opt.ext_flags = 0;
  lzma_set_ext_size(opt, in->n);
  lzma_filter filters[2] = {{LZMA_FILTER_LZMA1EXT, &opt},
                            {LZMA_VLI_UNKNOWN, NULL}};
  bytes out = {0};
  size_t cap = in->n + in->n / 2 + 4096, pos = 13;
  out.p = malloc(cap);
  assert_non_null(out.p);
  assert_int_equal(
      lzma_raw_buffer_encode(filters, NULL, in->p, in->n, out.p, &pos, cap),
      LZMA_OK);
  out.p[0] = props_byte;
  for (int i = 0; i < 4; i++)
    out.p[1 + i] = (uint8_t)(opt.dict_size >> (8 * i));
  for (int i = 0; i < 8; i++)
    out.p[5 + i] = (uint8_t)((uint64_t)in->n >> (8 * i));
  out.n = pos;
  out.cap = cap;
  return out;
}

static void test_lzma_sized(void **state) {
  static const uint8_t props[] = {0x5d, 0x6d};
  for (size_t i = 0; i < sizeof props; i++) {
    bytes a = lzma_sized(&payload_a, props[i]);
    bytes img = {0};
    rng_state = 0x5eed0003;
    b_random(&img, 0x41);
    b_append(&img, a.p, a.n);
    b_append(&img, "\x00\x00\x00\x00\x00\x00\x00\x00", 8);
    b_random(&img, 0x80);
    fwvet_open_options o;
    options(&o, NULL);
    fwvet_vfs *vfs = run(NULL, &img, &o);
    const fwvet_node *n = fx_node(vfs, "in/lzma@0x41");
    expect_content(n, sha_a, PAYLOAD_A_LEN);
    char want[128];
    snprintf(want, sizeof want, "size %zu", PAYLOAD_A_LEN);
    assert_non_null(strstr(fwvet_node_info(n), want));
    fx_expect_no_finding(vfs, "unpack.corrupt");
    fwvet_vfs_destroy(vfs);

    /* Truncated: the header said how much, so the prefix is kept even
     * below the size a stream without one needs (64 KiB), once it is
     * more than random bytes produce (4 KiB). */
    size_t full = a.n;
    a.n = full / 4;
    vfs = run("lzma", &a, &o);
    n = fx_node(vfs, "in/lzma");
    assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
    assert_true(fwvet_node_size(n) >= (4u << 10));
    fx_expect_finding(vfs, "unpack.corrupt", NULL, "truncated");
    fwvet_vfs_destroy(vfs);

    /* Cut after a few bytes of output: indistinguishable from random
     * bytes behind a plausible header, so not a stream. */
    a.n = 24;
    vfs = run("lzma", &a, &o);
    assert_null(fwvet_vfs_find(vfs, "in/lzma"));
    fx_expect_no_finding(vfs, "unpack.corrupt");
    fwvet_vfs_destroy(vfs);
    a.n = full;
    free(a.p);
    free(img.p);
  }
}

/* Headers real encoders never write are not lzma. */
static void test_lzma_strict_header(void **state) {
  static const struct {
    unsigned at;
    uint8_t value;
  } rows[] = {
      {3, 0x70},  /* dictionary 0x00700000: not 2^n or 3 * 2^n */
      {4, 0x80},  /* dictionary over 1 GiB */
      {12, 0x01}, /* size over 2^38 and not -1 */
      {13, 0x01}, /* the range coder's first byte is always zero */
  };
  bytes base = lzma_sized(&payload_b, 0x5d);
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    bytes c = {0};
    b_append(&c, base.p, base.n);
    c.p[rows[i].at] = rows[i].value;
    fwvet_open_options o;
    options(&o, NULL);
    fwvet_vfs *vfs = run("lzma", &c, &o);
    expect_only(vfs, "lzma", NULL, 0);
    fwvet_vfs_destroy(vfs);
    free(c.p);
  }
  /* Zeros after a plausible header decode to zeros: padding, not lzma. */
  bytes z = {0};
  b_append(&z, "\x5d\x00\x00\x80\x00\x10\x00\x00\x00\x00\x00\x00\x00", 13);
  uint8_t zero[64] = {0};
  b_append(&z, zero, sizeof zero);
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run("lzma", &z, &o);
  expect_only(vfs, "lzma", NULL, 0);
  fwvet_vfs_destroy(vfs);
  free(z.p);
  free(base.p);
}

/* The legacy lz4 format of Linux kernels (lz4 -l). */
static void test_lz4_legacy(void **state) {
  fmt_spec legacy = fmts[6];
  legacy.cmd = "lz4 -c -q -l";
  bytes a = pack(&legacy, &payload_a), b = pack(&legacy, &payload_b);
  assert_memory_equal(a.p, "\x02\x21\x4c\x18", 4);
  bytes img = {0};
  rng_state = 0x5eed0004;
  b_random(&img, 0x77);
  b_append(&img, a.p, a.n);
  b_random(&img, 0x33);
  size_t off_b = img.n;
  b_append(&img, b.p, b.n);
  b_random(&img, 0x10);
  fwvet_open_options o;
  options(&o, NULL);
  fwvet_vfs *vfs = run(NULL, &img, &o);
  char pb[64];
  snprintf(pb, sizeof pb, "in/lz4@0x%zx", off_b);
  const fwvet_node *n = fx_node(vfs, "in/lz4@0x77");
  expect_content(n, sha_a, PAYLOAD_A_LEN);
  assert_non_null(strstr(fwvet_node_info(n), "lz4 legacy"));
  expect_content(fx_node(vfs, pb), sha_b, PAYLOAD_B_LEN);
  fwvet_vfs_destroy(vfs);
  free(a.p);
  free(b.p);
  free(img.p);
}

/* An exhausted CPU budget stops decoding without a crash; nothing that
 * is kept claims to be whole. */
static void test_time_limit(void **state) {
  for (size_t i = 0; i < NFMTS; i++) {
    bytes c = pack(&fmts[i], &payload_a);
    fwvet_open_options o;
    options(&o, NULL);
    o.limits.max_stream_seconds = 1e-9;
    fwvet_vfs *vfs = run(fmts[i].name, &c, &o);
    char path[64];
    snprintf(path, sizeof path, "in/%s", fmts[i].name);
    const fwvet_node *n = fwvet_vfs_find(vfs, path);
    if (n) {
      assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
      fx_expect_finding(vfs, "unpack.limit", "seconds", NULL);
    }
    fwvet_vfs_destroy(vfs);
    free(c.p);
  }
}

/* --- table -------------------------------------------------------------- */

static const struct {
  const char *name;
  void (*fn)(const fmt_spec *f);
} cases[] = {
    {"good", case_good},           {"carved", case_carved},
    {"truncated", case_truncated}, {"corrupt", case_corrupt},
    {"checksum", case_checksum},   {"bomb", case_bomb},
    {"planted", case_planted},     {"empty", case_empty},
    {"joined", case_joined},
};
#define NCASES (sizeof cases / sizeof *cases)

static int setup(void **state) {
  fx_setup_dir();
  payload_a = make_text(0x1234, PAYLOAD_A_LEN);
  payload_b = make_text(0x5678, PAYLOAD_B_LEN);
  fwvet_sha256_hex(payload_a.p, payload_a.n, sha_a);
  fwvet_sha256_hex(payload_b.p, payload_b.n, sha_b);
  return 0;
}

static int teardown(void **state) {
  fx_remove_dir();
  free(payload_a.p);
  free(payload_b.p);
  return 0;
}

int main(void) {
  static row rows[NFMTS * NCASES];
  static char names[NFMTS * NCASES][48];
  static const struct CMUnitTest extra[] = {
      cmocka_unit_test(test_gzip_header_fields),
      cmocka_unit_test(test_gzip_strict_header),
      cmocka_unit_test(test_gzip_original_name),
      cmocka_unit_test(test_gzip_header_template),
      cmocka_unit_test(test_incompressible_cut),
      cmocka_unit_test(test_lzma_sized),
      cmocka_unit_test(test_lzma_strict_header),
      cmocka_unit_test(test_lz4_legacy),
      cmocka_unit_test(test_time_limit),
  };
  size_t nextra = sizeof extra / sizeof *extra;
  struct CMUnitTest *tests = calloc(NFMTS * NCASES + nextra, sizeof *tests);
  if (!tests)
    return 1;
  size_t k = 0;
  for (size_t c = 0; c < NCASES; c++) {
    for (size_t f = 0; f < NFMTS; f++, k++) {
      rows[k] = (row){&fmts[f], cases[c].fn};
      snprintf(names[k], sizeof names[k], "%s_%s", fmts[f].name, cases[c].name);
      tests[k] = (struct CMUnitTest){names[k], test_row, NULL, NULL, &rows[k]};
    }
  }
  for (size_t i = 0; i < nextra; i++)
    tests[k++] = extra[i];
  int rc = _cmocka_run_group_tests("streams", tests, k, setup, teardown);
  free(tests);
  return rc;
}
