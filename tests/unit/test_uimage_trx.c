/*
 * uImage and TRX readers: images built at test time with mkimage and with
 * the TRX generator below (no standard tool writes TRX).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unpack_fixture.h"

/* --- uImage ------------------------------------------------------------- */

static const char *const payload_cmd =
    "seq 1 20000 > payload && head -c 3001 /dev/urandom >> payload";

typedef struct uimage_case {
  const char *comp;    /* mkimage -C */
  const char *prepare; /* makes payload.<comp> from payload */
} uimage_case;

static const uimage_case uimage_cases[] = {
    {"lzma", "lzma -k -c payload > payload.lzma"},
    {"gzip", "gzip -n -c payload > payload.gzip"},
    {"none", "cp payload payload.none"},
};

static void test_uimage_kernel(void **state) {
  for (size_t i = 0; i < sizeof uimage_cases / sizeof *uimage_cases; i++) {
    const uimage_case *c = &uimage_cases[i];
    assert_int_equal(fx_sh("%s && %s && mkimage -A mips -O linux -T kernel "
                           "-C %s -a 0x80000000 -e 0x80000000 "
                           "-n Linux-4.14.180 -d payload.%s ui.%s",
                           payload_cmd, c->prepare, c->comp, c->comp, c->comp),
                     0);
    char name[32], pname[32], sha[65], expect[256];
    snprintf(name, sizeof name, "ui.%s", c->comp);
    snprintf(pname, sizeof pname, "payload.%s", c->comp);
    fx_sha_file(pname, sha);
    fwvet_vfs *vfs = fx_open_file(name, NULL);
    const fwvet_node *n = fx_node(vfs, "img/uimage");
    assert_int_equal(fwvet_node_kind(n), FWVET_KIND_FILE);
    assert_string_equal(fwvet_node_sha256(n), sha);
    snprintf(expect, sizeof expect,
             "uImage 'Linux-4.14.180', arch mips, os linux, type kernel, "
             "compression %s, load 0x80000000, entry 0x80000000, size ",
             c->comp);
    assert_non_null(fwvet_node_info(n));
    assert_memory_equal(fwvet_node_info(n), expect, strlen(expect));
    assert_non_null(strstr(fwvet_node_info(n), ", created 20"));
    fx_expect_no_finding(vfs, "unpack.corrupt");
    fwvet_vfs_destroy(vfs);
  }
}

static void test_uimage_multi(void **state) {
  assert_int_equal(fx_sh("head -c 1001 /dev/urandom > part.a && "
                         "seq 1 999 > part.b && head -c 17 /dev/urandom "
                         "> part.c && mkimage -A arm -O linux -T multi "
                         "-C none -a 0 -e 0 -n multi -d "
                         "part.a:part.b:part.c multi.img"),
                   0);
  const char *parts[] = {"part.a", "part.b", "part.c"};
  fwvet_vfs *vfs = fx_open_file("multi.img", NULL);
  const fwvet_node *top = fx_node(vfs, "img/uimage");
  assert_int_equal(fwvet_node_kind(top), FWVET_KIND_CONTAINER);
  assert_non_null(strstr(fwvet_node_info(top), "type multi"));
  for (int i = 0; i < 3; i++) {
    char path[64], sha[65];
    snprintf(path, sizeof path, "img/uimage/%d", i);
    fx_sha_file(parts[i], sha);
    assert_string_equal(fwvet_node_sha256(fx_node(vfs, path)), sha);
  }
  fx_expect_no_finding(vfs, "unpack.corrupt");
  fwvet_vfs_destroy(vfs);
}

/* Builds ui.none (see above) and returns its bytes. */
static uint8_t *plain_uimage(size_t *len) {
  assert_int_equal(fx_sh("%s && mkimage -A mips -O linux -T kernel -C none "
                         "-a 0x80000000 -e 0x80000000 -n plain "
                         "-d payload plain.img",
                         payload_cmd),
                   0);
  uint8_t *d = fx_read("plain.img", len);
  assert_non_null(d);
  return d;
}

typedef struct damage_case {
  const char *what;
  size_t offset; /* byte to flip (SIZE_MAX: none) */
  uint8_t value; /* new value when flipping */
  size_t cut;    /* bytes removed from the end */
  int found;     /* still unpacked */
  const char *finding;
  unsigned flags; /* expected on the payload node */
} damage_case;

static const damage_case damage_cases[] = {
    {"header crc (name)", 33, 'X', 0, 1, "header crc mismatch", 0},
    {"header crc, bogus arch", 29, 200, 0, 0, NULL, 0},
    {"data crc", 64 + 100, 0xee, 0, 1, "data crc mismatch", 0},
    {"truncated payload", SIZE_MAX, 0, 5000, 1, "payload truncated",
     FWVET_NODE_TRUNCATED},
    {"header only", SIZE_MAX, 0, 0, 1, "payload truncated",
     FWVET_NODE_TRUNCATED},
};

static void test_uimage_damaged(void **state) {
  size_t len;
  uint8_t *orig = plain_uimage(&len);
  for (size_t i = 0; i < sizeof damage_cases / sizeof *damage_cases; i++) {
    const damage_case *c = &damage_cases[i];
    uint8_t *d = malloc(len);
    memcpy(d, orig, len);
    size_t n = len - c->cut;
    if (c->offset != SIZE_MAX)
      d[c->offset] = c->value;
    if (i == 4)
      n = 64;
    fwvet_vfs *vfs = fx_open(d, n, NULL);
    const fwvet_node *node = fwvet_vfs_find(vfs, "img/uimage");
    if (!c->found) {
      assert_null(node);
    } else {
      assert_non_null(node);
      fx_expect_finding(vfs, "unpack.corrupt", NULL, c->finding);
      assert_int_equal(fwvet_node_flags(node) & FWVET_NODE_TRUNCATED, c->flags);
      char sha[65];
      fwvet_sha256_hex(d + 64, n - 64, sha);
      if (n > 64)
        assert_string_equal(fwvet_node_sha256(node), sha);
    }
    fwvet_vfs_destroy(vfs);
    free(d);
  }
  free(orig);
}

static void test_uimage_at_offset(void **state) {
  size_t len;
  uint8_t *ui = plain_uimage(&len);
  uint8_t *d = malloc(len + 1000 + 300);
  for (size_t i = 0; i < 1000; i++)
    d[i] = (uint8_t)(i * 7 + 3);
  memcpy(d + 1000, ui, len);
  memset(d + 1000 + len, 0xff, 300);
  fwvet_vfs *vfs = fx_open(d, len + 1300, NULL);
  const fwvet_node *n = fx_node(vfs, "img/uimage@0x3e8");
  assert_int_equal(fwvet_node_offset(n), 1000);
  assert_int_equal(fwvet_node_size(n), len - 64);
  fx_expect_no_finding(vfs, "unpack.corrupt");
  fwvet_vfs_destroy(vfs);
  free(d);
  free(ui);
}

/* --- TRX ---------------------------------------------------------------- */

/* CRC-32 as the TRX tools compute it: reflected 0xEDB88320, initial ~0,
 * no final complement.  Written out bit by bit so it does not share code
 * with the reader (which uses zlib). */
static uint32_t trx_crc(const uint8_t *p, size_t n) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return crc;
}

static void put_le32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * The TRX generator: a version 1 or 2 image of the given partitions, each
 * starting 4-aligned, offsets in the header, CRC over bytes 12..len.
 * Returns a malloc'd image of *len bytes.
 */
static uint8_t *trx_make(unsigned version, const uint8_t *const *parts,
                         const size_t *sizes, unsigned nparts, size_t *len) {
  size_t hdr = version == 1 ? 28 : 32, total = hdr;
  for (unsigned i = 0; i < nparts; i++)
    total = ((total + 3) & ~(size_t)3) + sizes[i];
  uint8_t *d = calloc(1, total);
  assert_non_null(d);
  memcpy(d, "HDR0", 4);
  put_le32(d + 4, (uint32_t)total);
  put_le32(d + 12, version << 16);
  size_t off = hdr;
  for (unsigned i = 0; i < nparts; i++) {
    off = (off + 3) & ~(size_t)3;
    put_le32(d + 16 + 4 * i, (uint32_t)off);
    memcpy(d + off, parts[i], sizes[i]);
    off += sizes[i];
  }
  put_le32(d + 8, trx_crc(d + 12, total - 12));
  *len = total;
  return d;
}

static void test_trx_generator_crc(void **state) {
  /* The TRX CRC is the complement of the standard CRC-32 ("123456789"
   * gives 0xcbf43926), which is what the reader computes with zlib. */
  assert_int_equal(trx_crc((const uint8_t *)"123456789", 9), ~0xcbf43926u);
}

static void test_trx_partitions(void **state) {
  size_t uilen;
  uint8_t *ui = plain_uimage(&uilen);
  uint8_t fs[5000];
  for (size_t i = 0; i < sizeof fs; i++)
    fs[i] = (uint8_t)(i * 13);
  const uint8_t *parts[] = {ui, fs, (const uint8_t *)"tail!"};
  const size_t sizes[] = {uilen, sizeof fs, 5};
  for (unsigned version = 1; version <= 2; version++) {
    for (unsigned np = 1; np <= 3; np++) {
      size_t len;
      uint8_t *d = trx_make(version, parts, sizes, np, &len);
      fwvet_vfs *vfs = fx_open(d, len, NULL);
      const fwvet_node *top = fx_node(vfs, "img/trx");
      assert_int_equal(fwvet_node_kind(top), FWVET_KIND_CONTAINER);
      assert_int_equal(fwvet_node_size(top), len);
      char expect[64];
      snprintf(expect, sizeof expect, "TRX v%u, length %zu", version, len);
      assert_memory_equal(fwvet_node_info(top), expect, strlen(expect));
      for (unsigned i = 0; i < np; i++) {
        char path[32], sha[65];
        snprintf(path, sizeof path, "img/trx/part%u", i);
        fwvet_sha256_hex(parts[i], sizes[i], sha);
        const fwvet_node *p = fx_node(vfs, path);
        /* A partition runs to the next one: the 4-byte alignment
         * padding belongs to it. */
        if (i == np - 1 || sizes[i] % 4 == 0)
          assert_string_equal(fwvet_node_sha256(p), sha);
      }
      /* part0 is a uImage: carved one level down. */
      fx_node(vfs, "img/trx/part0/uimage");
      fx_expect_no_finding(vfs, "unpack.corrupt");
      fwvet_vfs_destroy(vfs);
      free(d);
    }
  }
  free(ui);
}

typedef struct trx_damage {
  const char *what;
  size_t offset; /* byte to change, SIZE_MAX: none */
  uint8_t value;
  size_t cut; /* bytes removed from the end */
  int found;
  const char *finding;
} trx_damage;

static const trx_damage trx_damages[] = {
    {"crc", 9, 0x55, 0, 1, "crc mismatch"},
    {"data byte", 100, 0x55, 0, 1, "crc mismatch"},
    {"truncated", SIZE_MAX, 0, 3000, 1, "image truncated"},
    {"bad version", 14, 7, 0, 0, NULL},
    {"offset past len", 19, 0x7f, 0, 0, NULL},
    {"offsets out of order", 16, 0xf0, 0, 0, NULL},
    {"len below header", 4, 10, 0, 0, NULL},
};

static void test_trx_damaged(void **state) {
  uint8_t a[4000], b[4000];
  for (size_t i = 0; i < sizeof a; i++) {
    a[i] = (uint8_t)(i * 5);
    b[i] = (uint8_t)(i * 11 + 1);
  }
  const uint8_t *parts[] = {a, b};
  const size_t sizes[] = {sizeof a, sizeof b};
  size_t len;
  uint8_t *orig = trx_make(1, parts, sizes, 2, &len);
  for (size_t i = 0; i < sizeof trx_damages / sizeof *trx_damages; i++) {
    const trx_damage *c = &trx_damages[i];
    uint8_t *d = malloc(len);
    memcpy(d, orig, len);
    if (c->offset != SIZE_MAX)
      d[c->offset] = c->value;
    if (i == 4) /* offset[0] beyond len */
      put_le32(d + 16, 0x7f000000u);
    if (i == 6)
      put_le32(d + 4, 10);
    if (i == 5) { /* part1 before part0 */
      put_le32(d + 16, 2000);
      put_le32(d + 20, 1000);
    }
    size_t n = len - c->cut;
    fwvet_vfs *vfs = fx_open(d, n, NULL);
    const fwvet_node *top = fwvet_vfs_find(vfs, "img/trx");
    if (!c->found) {
      if (top) {
        fprintf(stderr, "case '%s' unpacked:\n", c->what);
        fx_dump(vfs);
      }
      assert_null(top);
    } else {
      assert_non_null(top);
      fx_expect_finding(vfs, "unpack.corrupt", NULL, c->finding);
      const fwvet_node *p0 = fx_node(vfs, "img/trx/part0");
      assert_int_equal(fwvet_node_flags(p0) & FWVET_NODE_TRUNCATED, 0);
      if (c->cut) {
        const fwvet_node *p1 = fx_node(vfs, "img/trx/part1");
        assert_int_equal(fwvet_node_size(p1), sizeof b);
        assert_int_equal(fwvet_node_flags(p1) & FWVET_NODE_TRUNCATED,
                         FWVET_NODE_TRUNCATED);
        assert_int_equal(fwvet_node_size(top), n);
      }
    }
    fwvet_vfs_destroy(vfs);
    free(d);
  }
  free(orig);
}

static int setup(void **state) {
  fx_setup_dir();
  return 0;
}

static int teardown(void **state) {
  fx_remove_dir();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_uimage_kernel),
      cmocka_unit_test(test_uimage_multi),
      cmocka_unit_test(test_uimage_damaged),
      cmocka_unit_test(test_uimage_at_offset),
      cmocka_unit_test(test_trx_generator_crc),
      cmocka_unit_test(test_trx_partitions),
      cmocka_unit_test(test_trx_damaged),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
