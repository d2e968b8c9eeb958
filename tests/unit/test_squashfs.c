/*
 * squashfs reader.  A source tree is made at test time and packed with
 * mksquashfs for every compressor and a few layouts; each image is
 * unpacked and compared with the tree entry by entry (kind, size, mode,
 * owner, mtime, link target, device numbers, content sha256; nothing
 * missing, nothing extra).  Then hostile variants of a small image, and
 * a big-endian image converted from a little-endian one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fwvet/vfs.h"
#include "unpack/driver.h"

#define MAX_EXP 256

typedef struct expected {
  char path[256];
  fwvet_kind kind;
  uint64_t size;
  uint32_t mode, uid, gid, major, minor;
  int64_t mtime;       /* -1: not checked */
  char link[256];
  char sha[65];
  int hardlink;
} expected;

static char dir[256];     /* scratch directory */
static expected exp_tree[MAX_EXP];
static size_t nexp;
static int owned_ok;      /* chown worked: ids other than ours are in play */

/* --- scratch files -------------------------------------------------------- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...) {
  char body[4096], cmd[4096 + 512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof body, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd, "cd '%s' && { %s ; } >sh.log 2>&1 || "
           "{ cat sh.log >&2; exit 1; }", dir, body);
  int rc = system(cmd);
  if (rc != 0)
    fprintf(stderr, "command failed: %s\n", body);
  return rc;
}

static char *at(const char *name) {
  static char buf[4][512];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
  return buf[i];
}

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = n > 0 ? (size_t)n : 0;
  return buf;
}

static void write_all(const char *path, const uint8_t *p, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

static void sha_hex(const uint8_t *p, size_t n, char out[65]) {
  uint8_t md[SHA256_DIGEST_LENGTH];
  SHA256(p, n, md);
  for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Text-like bytes that compress well. */
static void write_text(const char *path, size_t n, unsigned seed) {
  uint8_t *p = malloc(n ? n : 1);
  size_t o = 0;
  assert_non_null(p);
  for (unsigned i = 0; o < n; i++) {
    char line[64];
    int k = snprintf(line, sizeof line, "%06u the quick brown fox %u\n", i,
                     (i * 7 + seed) % 13);
    for (int j = 0; j < k && o < n; j++)
      p[o++] = (uint8_t)line[j];
  }
  write_all(path, p, n);
  free(p);
}

/* Bytes that do not compress: blocks are stored raw. */
static void write_random(const char *path, size_t n, uint32_t seed) {
  uint8_t *p = malloc(n);
  assert_non_null(p);
  for (size_t i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    p[i] = (uint8_t)seed;
  }
  write_all(path, p, n);
  free(p);
}

/* --- the source tree and what the image must hold ------------------------- */

static const char *src_root;

static int collect(const char *fpath, const struct stat *st, int type,
                   struct FTW *ftw) {
  if (ftw->level == 0)
    return 0;
  assert_true(nexp < MAX_EXP);
  expected *e = &exp_tree[nexp++];
  memset(e, 0, sizeof *e);
  snprintf(e->path, sizeof e->path, "%s", fpath + strlen(src_root) + 1);
  e->mode = st->st_mode & 07777;
  e->uid = st->st_uid;
  e->gid = st->st_gid;
  e->mtime = st->st_mtime;
  if (S_ISDIR(st->st_mode)) {
    e->kind = FWVET_KIND_DIR;
  } else if (S_ISLNK(st->st_mode)) {
    e->kind = FWVET_KIND_SYMLINK;
    ssize_t n = readlink(fpath, e->link, sizeof e->link - 1);
    assert_true(n > 0);
    e->link[n] = '\0';
    e->size = (uint64_t)n;
  } else if (S_ISFIFO(st->st_mode)) {
    e->kind = FWVET_KIND_FIFO;
  } else if (S_ISSOCK(st->st_mode)) {
    e->kind = FWVET_KIND_SOCKET;
  } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
    e->kind = S_ISCHR(st->st_mode) ? FWVET_KIND_CHARDEV : FWVET_KIND_BLOCKDEV;
    e->major = major(st->st_rdev);
    e->minor = minor(st->st_rdev);
  } else {
    size_t n;
    uint8_t *d = read_all(fpath, &n);
    assert_non_null(d);
    e->kind = FWVET_KIND_FILE;
    e->size = n;
    sha_hex(d, n, e->sha);
    e->hardlink = st->st_nlink > 1;
    free(d);
  }
  return 0;
}

static void expect_dev(const char *path, fwvet_kind kind, uint32_t mode,
                       uint32_t gid, uint32_t major, uint32_t minor) {
  expected *e = &exp_tree[nexp++];
  memset(e, 0, sizeof *e);
  snprintf(e->path, sizeof e->path, "%s", path);
  e->kind = kind;
  e->mode = mode;
  e->gid = gid;
  e->major = major;
  e->minor = minor;
  e->mtime = -1;
}

#define PSEUDO                                                               \
  "-p 'dev/console c 600 0 0 5 1' -p 'dev/sda b 640 0 6 8 0' "              \
  "-p 'dev/odd c 600 0 0 300 70000'"

/* A unix socket, a device node and xattrs where the system allows them
 * (root, a filesystem with xattrs): with -xattrs they make mksquashfs
 * write the extended inode of every type. */
static void make_optional(void) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", at("src/sock"));
  if (fd >= 0 && strlen(at("src/sock")) < sizeof sa.sun_path)
    (void)!bind(fd, (struct sockaddr *)&sa, sizeof sa);
  if (fd >= 0)
    close(fd);
  (void)!mknod(at("src/dev/null"), S_IFCHR | 0666, makedev(1, 3));
  static const char *const paths[] = {"src/small.txt", "src/d1", "src/fifo",
                                      "src/link-rel", "src/sock",
                                      "src/dev/null"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    if (lsetxattr(at(paths[i]), "trusted.fwvet", "1", 1, 0) != 0)
      (void)!lsetxattr(at(paths[i]), "user.fwvet", "1", 1, 0);
  }
}

static void make_tree(void) {
  assert_int_equal(sh("mkdir -p src/d1/d2/d3 src/dev src/emptydir"), 0);
  write_all(at("src/empty"), (const uint8_t *)"", 0);
  write_all(at("src/small.txt"), (const uint8_t *)"hello squashfs\n", 15);
  write_text(at("src/text.bin"), 300000, 1);
  write_random(at("src/random.bin"), 200000, 0x1234567);
  write_text(at("src/exact.bin"), 131072, 2);
  write_text(at("src/exact4k.bin"), 4096, 3);
  write_text(at("src/tail.bin"), 2 * 131072 + 777, 4);
  write_text(at("src/d1/d2/d3/deep.txt"), 5000, 5);
  write_text(at("src/setuid"), 100, 6);
  write_text(at("src/owned"), 64, 7);
  write_all(at("src/sparse.bin"), (const uint8_t *)"", 0);
  assert_int_equal(truncate(at("src/sparse.bin"), 3 << 20), 0);
  /* Many small tails: many fragments (raw and compressed) at -b 4096. */
  assert_int_equal(sh("mkdir -p src/many"), 0);
  for (unsigned i = 0; i < 50; i++) {
    char name[64];
    snprintf(name, sizeof name, "src/many/r%02u", i);
    write_random(at(name), 3000 + i, 0x9e3779b9u + i);
    snprintf(name, sizeof name, "src/many/t%02u", i);
    write_text(at(name), 1500 + 7 * i, 20 + i);
  }
  assert_int_equal(chmod(at("src/setuid"), 04755), 0);
  assert_int_equal(chmod(at("src/owned"), 0640), 0);
  owned_ok = chown(at("src/owned"), 1234, 5678) == 0;
  assert_int_equal(link(at("src/small.txt"), at("src/d1/hardlink")), 0);
  assert_int_equal(symlink("small.txt", at("src/link-rel")), 0);
  assert_int_equal(symlink("/etc/passwd", at("src/link-abs")), 0);
  assert_int_equal(symlink("no/such/file", at("src/link-dangling")), 0);
  assert_int_equal(mkfifo(at("src/fifo"), 0644), 0);
  make_optional();
  src_root = at("src");
  nexp = 0;
  assert_int_equal(nftw(src_root, collect, 16, FTW_PHYS), 0);
  expect_dev("dev/console", FWVET_KIND_CHARDEV, 0600, 0, 5, 1);
  expect_dev("dev/sda", FWVET_KIND_BLOCKDEV, 0640, 6, 8, 0);
  expect_dev("dev/odd", FWVET_KIND_CHARDEV, 0600, 0, 300, 70000);
}

static int group_setup(void **state) {
  const char *t = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/fwvet-sqfs-XXXXXX", t ? t : "/tmp");
  if (!mkdtemp(dir))
    return -1;
  make_tree();
  return 0;
}

static int group_teardown(void **state) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* --- unpacking and checking ----------------------------------------------- */

static void dump(const fwvet_vfs *vfs) {
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    fprintf(stderr, "  %-9s %8llu %04o f=%x %s%s%s\n",
            fwvet_kind_name(fwvet_node_kind(n)),
            (unsigned long long)fwvet_node_size(n), fwvet_node_mode(n),
            fwvet_node_flags(n), fwvet_node_path(n),
            fwvet_node_link(n) ? " -> " : "",
            fwvet_node_link(n) ? fwvet_node_link(n) : "");
  }
  for (size_t i = 0; i < fwvet_vfs_finding_count(vfs); i++) {
    const fwvet_finding *f = fwvet_vfs_finding(vfs, i);
    fprintf(stderr, "  finding %s %s: %s\n", f->rule, f->path, f->message);
  }
}

static fwvet_vfs *open_image(const uint8_t *data, size_t len, int carve,
                             uint64_t max_file) {
  fwvet_open_options opt;
  fwvet_open_options_init(&opt);
  opt.jobs = 2;
  if (max_file)
    opt.limits.max_file_bytes = max_file;
  fwvet_vfs *vfs = NULL;
  fwvet_status st =
      carve ? fwvet_vfs_open_memory("img", data, len, &opt, &vfs)
            : fwvet_vfs_open_format("squashfs", "img", data, len, &opt, &vfs);
  assert_int_equal(st, FWVET_OK);
  assert_non_null(vfs);
  return vfs;
}

/* Findings this reader raised (the driver prefixes the segment). */
static size_t our_findings(const fwvet_vfs *vfs, const char *rule,
                           const char *text) {
  size_t n = 0;
  for (size_t i = 0; i < fwvet_vfs_finding_count(vfs); i++) {
    const fwvet_finding *f = fwvet_vfs_finding(vfs, i);
    if (!strstr(f->message, "squashfs"))
      continue;
    if (rule && strcmp(f->rule, rule) != 0)
      continue;
    if (text && !strstr(f->message, text))
      continue;
    n++;
  }
  return n;
}

static void check_entry(const fwvet_vfs *vfs, const char *base,
                        const expected *e) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", base, e->path);
  const fwvet_node *n = fwvet_vfs_find(vfs, path);
  if (!n) {
    fprintf(stderr, "missing %s in:\n", path);
    dump(vfs);
  }
  assert_non_null(n);
  if (fwvet_node_kind(n) != e->kind || fwvet_node_size(n) != e->size ||
      fwvet_node_mode(n) != e->mode)
    fprintf(stderr, "%s: kind %d size %llu mode %o\n", path,
            fwvet_node_kind(n), (unsigned long long)fwvet_node_size(n),
            fwvet_node_mode(n));
  assert_int_equal(fwvet_node_kind(n), e->kind);
  assert_int_equal(fwvet_node_size(n), e->size);
  assert_int_equal(fwvet_node_mode(n), e->mode);
  assert_int_equal(fwvet_node_uid(n), e->uid);
  assert_int_equal(fwvet_node_gid(n), e->gid);
  if (e->mtime >= 0)
    assert_int_equal(fwvet_node_mtime(n), e->mtime);
  assert_int_equal(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED, 0);
  assert_int_equal(!!(fwvet_node_flags(n) & FWVET_NODE_HARDLINK),
                   e->hardlink);
  if (e->kind == FWVET_KIND_SYMLINK) {
    assert_non_null(fwvet_node_link(n));
    assert_string_equal(fwvet_node_link(n), e->link);
  }
  if (e->kind == FWVET_KIND_CHARDEV || e->kind == FWVET_KIND_BLOCKDEV) {
    assert_int_equal(fwvet_node_dev_major(n), e->major);
    assert_int_equal(fwvet_node_dev_minor(n), e->minor);
  }
  if (e->kind == FWVET_KIND_FILE) {
    const char *sha = fwvet_node_sha256(n);
    assert_non_null(sha);
    if (strcmp(sha, e->sha) != 0)
      fprintf(stderr, "%s: content differs\n", path);
    assert_string_equal(sha, e->sha);
  }
}

/* Every expected entry is under `base`, and nothing else is. */
static void check_tree(const fwvet_vfs *vfs, const char *base) {
  const fwvet_node *top = fwvet_vfs_find(vfs, base);
  if (!top)
    dump(vfs);
  assert_non_null(top);
  assert_int_equal(fwvet_node_kind(top), FWVET_KIND_CONTAINER);
  for (size_t i = 0; i < nexp; i++)
    check_entry(vfs, base, &exp_tree[i]);
  size_t children = 0;
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++)
    if (fwvet_node_parent(fwvet_vfs_node(vfs, i)) == top)
      children++;
  if (children != nexp || our_findings(vfs, NULL, NULL) != 0)
    dump(vfs);
  assert_int_equal(children, nexp);
  assert_int_equal(our_findings(vfs, NULL, NULL), 0);
}

/* --- images from mksquashfs ----------------------------------------------- */

typedef struct variant {
  const char *args;  /* mksquashfs options */
  const char *comp;  /* expected in the info string */
  size_t offset;     /* > 0: embedded at this offset and carved */
} variant;

static void build(const char *img, const char *args) {
  assert_int_equal(sh("rm -f %s && mksquashfs src %s -noappend -quiet "
                      "-no-progress %s %s " PSEUDO " >/dev/null",
                      img, img, strstr(args, "-xattrs") ? "" : "-no-xattrs",
                      args),
                   0);
}

static void test_variant(void **state) {
  const variant *v = *state;
  size_t len;
  build("v.sq", v->args);
  uint8_t *img = read_all(at("v.sq"), &len);
  assert_non_null(img);
  char base[64] = "img/squashfs";
  uint8_t *data = img;
  size_t dlen = len;
  if (v->offset) {
    data = calloc(1, v->offset + len + 4096);
    assert_non_null(data);
    memcpy(data + v->offset, img, len);
    dlen = v->offset + len + 4096;
    snprintf(base, sizeof base, "img/squashfs@0x%zx", v->offset);
  }
  fwvet_vfs *vfs = open_image(data, dlen, v->offset != 0, 0);
  check_tree(vfs, base);
  const fwvet_node *top = fwvet_vfs_find(vfs, base);
  const char *info = fwvet_node_info(top);
  assert_non_null(info);
  assert_non_null(strstr(info, "squashfs 4.0, little-endian"));
  assert_non_null(strstr(info, v->comp));
  /* mksquashfs pads to 4 KiB; the container ends at bytes_used. */
  uint64_t used = 0;
  for (int i = 7; i >= 0; i--)
    used = (used << 8) | img[40 + i];
  assert_int_equal(fwvet_node_size(top), used);
  fwvet_vfs_destroy(vfs);
  if (data != img)
    free(data);
  free(img);
}

static const variant variants[] = {
    {"-comp gzip", "gzip", 0},
    {"-comp lzma", "lzma", 0},
    {"-comp lzo", "lzo", 0},
    {"-comp xz", "xz", 0},
    {"-comp lz4", "lz4", 0},
    {"-comp zstd", "zstd", 0},
    {"-comp gzip -noI -noD -noF -noX", "gzip", 0},
    {"-comp xz -b 4096", "block size 4096", 0},
    {"-comp xz -Xbcj x86 -Xdict-size 8K", "xz", 0},
    {"-comp lz4 -Xhc -tailends", "lz4", 0},
    {"-comp zstd -no-fragments", "zstd", 0},
    {"-comp lzo -Xalgorithm lzo1x_1 -always-use-fragments", "lzo", 0},
    {"-comp gzip -b 1M", "block size 1048576", 0},
    {"-comp gzip", "gzip", 5000},
    {"-comp xz -xattrs", "xz", 0},
};

/* --- hostile images ------------------------------------------------------- */

static uint64_t get_le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = n; i-- > 0;)
    v = (v << 8) | p[i];
  return v;
}

static void put_le(uint8_t *p, unsigned n, uint64_t v) {
  for (unsigned i = 0; i < n; i++, v >>= 8)
    p[i] = (uint8_t)v;
}

enum { SB_BLOCK_SIZE = 12, SB_COMP = 20, SB_BLOCK_LOG = 22, SB_MAJOR = 28,
       SB_ROOT = 32, SB_BYTES_USED = 40, SB_ID = 48, SB_INODE = 64,
       SB_DIR = 72, SB_FRAG = 80 };

#define SB(img, field) get_le((img) + (field), (field) <= SB_MAJOR ? 4 : 8)

/* The small image the hostile cases start from: metadata stored raw so
 * the bytes can be found and edited. */
static uint8_t *small_image(size_t *len, const char *args) {
  assert_int_equal(sh("rm -rf hs && mkdir -p hs/sub hs/loop/cyclexyz hs/ab && "
                      "echo gamma >hs/ab/c.txt && "
                      "echo alpha >hs/a.txt && echo beta >hs/sub/b.txt && "
                      "ln -s a.txt hs/sym"),
                   0);
  write_text(at("hs/size12345.txt"), 12345, 9);
  write_text(at("hs/sub/big.txt"), 300000, 10);
  assert_int_equal(sh("rm -f hs.sq && mksquashfs hs hs.sq -noappend -quiet "
                      "-no-progress -no-xattrs %s >/dev/null",
                      args),
                   0);
  uint8_t *img = read_all(at("hs.sq"), len);
  assert_non_null(img);
  return img;
}

static uint8_t *find(uint8_t *from, uint8_t *to, const void *pat, size_t n) {
  for (uint8_t *p = from; p + n <= to; p++)
    if (memcmp(p, pat, n) == 0)
      return p;
  return NULL;
}

typedef void (*mutate_fn)(uint8_t *img, size_t *len);

static void cut_super(uint8_t *img, size_t *len) { *len = 96; }
static void cut_short(uint8_t *img, size_t *len) { *len = 60; }
static void cut_inodes(uint8_t *img, size_t *len) {
  *len = (size_t)(SB(img, SB_INODE) + SB(img, SB_DIR)) / 2;
}
static void cut_data(uint8_t *img, size_t *len) {
  *len = (size_t)(96 + SB(img, SB_INODE)) / 2;
}
static void cut_tail(uint8_t *img, size_t *len) {
  *len = (size_t)SB(img, SB_BYTES_USED) - 3;
}
static void inode_outside(uint8_t *img, size_t *len) {
  put_le(img + SB_INODE, 8, SB(img, SB_BYTES_USED) + 4096);
}
static void tables_swapped(uint8_t *img, size_t *len) {
  uint64_t i = SB(img, SB_INODE), d = SB(img, SB_DIR);
  put_le(img + SB_INODE, 8, d);
  put_le(img + SB_DIR, 8, i);
}
static void id_outside(uint8_t *img, size_t *len) {
  put_le(img + SB_ID, 8, 0xffffffffffffull);
}
static void frag_overlap(uint8_t *img, size_t *len) {
  put_le(img + SB_FRAG, 8, SB(img, SB_DIR));
}
static void dir_outside(uint8_t *img, size_t *len) {
  put_le(img + SB_DIR, 8, 1ull << 40);
}
static void bad_comp(uint8_t *img, size_t *len) {
  put_le(img + SB_COMP, 2, 77);
}
static void odd_block(uint8_t *img, size_t *len) {
  put_le(img + SB_BLOCK_SIZE, 4, 100000);
}
static void block_log_off(uint8_t *img, size_t *len) {
  put_le(img + SB_BLOCK_LOG, 2, 16);
}
static void version_31(uint8_t *img, size_t *len) {
  put_le(img + SB_MAJOR, 2, 3);
  put_le(img + SB_MAJOR + 2, 2, 1);
  put_le(img + 34, 2, 17); /* 3.x block_log */
}
static void tiny_used(uint8_t *img, size_t *len) {
  put_le(img + SB_BYTES_USED, 8, 10);
}
static void bad_root(uint8_t *img, size_t *len) {
  put_le(img + SB_ROOT, 8, 0xffffffffull);
}
static void bad_meta_header(uint8_t *img, size_t *len) {
  put_le(img + SB(img, SB_INODE), 2, 0x7fff);
}

/* loop/cyclexyz's directory entry is made to point at the root inode. */
static void cycle(uint8_t *img, size_t *len) {
  uint8_t *d = img + SB(img, SB_DIR), *end = img + SB(img, SB_FRAG);
  uint8_t *name = find(d, end, "cyclexyz", 8);
  assert_non_null(name);
  uint64_t root = SB(img, SB_ROOT);
  put_le(name - 20 + 4, 4, root >> 16);  /* run header: inode block */
  put_le(name - 8, 2, root & 0xffff);    /* entry: offset in block */
}

/* size12345.txt's inode claims 4 GiB. */
static void huge_size(uint8_t *img, size_t *len) {
  uint8_t *p = img + SB(img, SB_INODE), *end = img + SB(img, SB_DIR);
  uint8_t want[4];
  put_le(want, 4, 12345);
  for (; (p = find(p, end, want, 4)) != NULL; p++) {
    if (p - 28 >= img && get_le(p - 28, 2) == 2) {
      put_le(p, 4, 0xfffffff0u);
      return;
    }
  }
  fail_msg("inode of size12345.txt not found");
}

/* A data block's bytes are overwritten (a gzip image, data compressed). */
static void smash_data(uint8_t *img, size_t *len) {
  memset(img + 96 + 100, 0x55, 64);
}

typedef struct hostile {
  const char *name;
  const char *args;
  mutate_fn mutate;
  const char *rule;  /* a finding that must be raised, NULL: none */
  const char *text;
  int listed;        /* entries still expected (at least) */
} hostile;

static const char RAW[] = "-comp gzip -noI -noD -noF -noX";

static const hostile hostiles[] = {
    {"superblock only", RAW, cut_super, "unpack.corrupt", "cut off", 0},
    {"short superblock", RAW, cut_short, "unpack.corrupt", "superblock", 0},
    {"cut in inode table", RAW, cut_inodes, "unpack.corrupt", NULL, 0},
    {"cut in data", RAW, cut_data, "unpack.corrupt", "cut off", 0},
    {"cut in id table", RAW, cut_tail, "unpack.corrupt", NULL, 1},
    {"inode table outside", RAW, inode_outside, "unpack.corrupt", "inode",
     0},
    {"tables swapped", RAW, tables_swapped, "unpack.corrupt", NULL, 0},
    {"id table outside", RAW, id_outside, "unpack.corrupt", "id table", 1},
    {"fragment index overlaps", RAW, frag_overlap, "unpack.corrupt", NULL,
     1},
    {"directory table outside", RAW, dir_outside, "unpack.corrupt",
     "directory", 0},
    {"unknown compressor", RAW, bad_comp, "unpack.unsupported", "77", 0},
    {"block size 100000", RAW, odd_block, "unpack.corrupt", "block size", 0},
    {"block log mismatch", RAW, block_log_off, "unpack.corrupt",
     "block size", 0},
    {"version 3.1", RAW, version_31, "unpack.unsupported", "3.1", 0},
    {"bytes_used in superblock", RAW, tiny_used, "unpack.corrupt",
     "bytes_used", 0},
    {"root inode outside", RAW, bad_root, "unpack.corrupt", "root", 0},
    {"metadata header", RAW, bad_meta_header, "unpack.corrupt", "inode", 0},
    {"directory cycle", RAW, cycle, "unpack.corrupt", "leads back", 3},
    {"huge file size", RAW, huge_size, "unpack.corrupt", NULL, 3},
    {"corrupt data block", "-comp gzip", smash_data, "unpack.corrupt", NULL,
     3},
};

static size_t listed(const fwvet_vfs *vfs) {
  const fwvet_node *top = fwvet_vfs_find(vfs, "img/squashfs");
  size_t n = 0;
  for (size_t i = 0; top && i < fwvet_vfs_count(vfs); i++)
    if (fwvet_node_parent(fwvet_vfs_node(vfs, i)) == top)
      n++;
  return n;
}

static void test_hostile(void **state) {
  const hostile *h = *state;
  size_t len;
  uint8_t *img = small_image(&len, h->args);
  h->mutate(img, &len);
  /* Exact size: ASan sees any read past what is left. */
  uint8_t *data = malloc(len);
  assert_non_null(data);
  memcpy(data, img, len);
  fwvet_vfs *vfs = open_image(data, len, 0, 1 << 20);
  if (our_findings(vfs, h->rule, h->text) == 0 ||
      listed(vfs) < (size_t)h->listed) {
    fprintf(stderr, "%s:\n", h->name);
    dump(vfs);
  }
  assert_true(our_findings(vfs, h->rule, h->text) > 0);
  assert_true(listed(vfs) >= (size_t)h->listed);
  fwvet_vfs_destroy(vfs);
  free(data);
  free(img);
}

/* After the cycle edit the tree is listed once, without the loop. */
static void test_cycle_not_followed(void **state) {
  size_t len;
  uint8_t *img = small_image(&len, RAW);
  cycle(img, &len);
  fwvet_vfs *vfs = open_image(img, len, 0, 0);
  const fwvet_node *n = fwvet_vfs_find(vfs, "img/squashfs/loop/cyclexyz");
  assert_non_null(n);
  assert_int_equal(fwvet_node_kind(n), FWVET_KIND_DIR);
  assert_null(fwvet_vfs_find(vfs, "img/squashfs/loop/cyclexyz/a.txt"));
  assert_non_null(fwvet_vfs_find(vfs, "img/squashfs/sub/b.txt"));
  fwvet_vfs_destroy(vfs);
  free(img);
}

/* Names a filesystem never writes are listed, reported, not descended
 * into. */
static void test_odd_names(void **state) {
  size_t len;
  uint8_t *img = small_image(&len, RAW);
  uint8_t *d = img + SB(img, SB_DIR), *end = img + SB(img, SB_FRAG);
  uint8_t *p = find(d, end, "a.txt", 5);
  assert_non_null(p);
  p[1] = '/';
  for (p = d; (p = find(p, end, "ab", 2)) != NULL; p++)
    if (get_le(p - 2, 2) == 1) /* name size - 1 */
      break;
  assert_non_null(p);
  memcpy(p, "..", 2);
  fwvet_vfs *vfs = open_image(img, len, 0, 0);
  if (our_findings(vfs, "unpack.corrupt", "no filesystem writes") != 2)
    dump(vfs);
  assert_int_equal(our_findings(vfs, "unpack.corrupt",
                                "no filesystem writes"), 2);
  assert_non_null(fwvet_vfs_find(vfs, "img/squashfs/a/txt"));
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++)
    assert_null(strstr(fwvet_node_path(fwvet_vfs_node(vfs, i)), "c.txt"));
  fwvet_vfs_destroy(vfs);
  free(img);
}

/* Directories nested past the walk's depth bound are not listed. */
static void test_depth_limit(void **state) {
  char cmd[4096] = "rm -rf deep && mkdir -p deep";
  size_t o = strlen(cmd);
  for (int i = 0; i < 300; i++)
    o += (size_t)snprintf(cmd + o, sizeof cmd - o, "/d");
  assert_true(o < sizeof cmd - 64);
  assert_int_equal(sh("%s && mksquashfs deep deep.sq -noappend -quiet "
                      "-no-progress -comp lz4 >/dev/null", cmd),
                   0);
  size_t len;
  uint8_t *img = read_all(at("deep.sq"), &len);
  assert_non_null(img);
  fwvet_vfs *vfs = open_image(img, len, 0, 0);
  size_t n = listed(vfs);
  assert_true(n >= 200 && n < 300);
  assert_true(our_findings(vfs, "unpack.limit", "nest deeper") == 1);
  fwvet_vfs_destroy(vfs);
  free(img);
}

/* A corrupt block keeps the blocks before it and flags the file. */
static void test_corrupt_block_prefix(void **state) {
  size_t len;
  uint8_t *img = small_image(&len, "-comp gzip -noI");
  const fwvet_node *n;
  /* sub/big.txt's inode: first block word after its basic file fields. */
  uint8_t *p = img + SB(img, SB_INODE), *end = img + SB(img, SB_DIR);
  uint8_t want[4];
  put_le(want, 4, 300000);
  for (; (p = find(p, end, want, 4)) != NULL; p++)
    if (get_le(p - 28, 2) == 2)
      break;
  assert_non_null(p);
  uint64_t start = get_le(p - 12, 4);
  uint32_t w0 = (uint32_t)get_le(p + 4, 4);
  assert_int_equal(w0 >> 24, 0); /* compressed */
  memset(img + start + (w0 & 0xffffff) + 10, 0xaa, 32); /* second block */
  fwvet_vfs *vfs = open_image(img, len, 0, 0);
  n = fwvet_vfs_find(vfs, "img/squashfs/sub/big.txt");
  assert_non_null(n);
  assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
  assert_int_equal(fwvet_node_size(n), 300000);
  assert_non_null(fwvet_node_sha256(n));
  assert_true(our_findings(vfs, "unpack.corrupt", "data block 1") > 0);
  /* What came before is the file's first 128 KiB. */
  size_t slen;
  uint8_t *orig = read_all(at("hs/sub/big.txt"), &slen);
  char sha[65];
  sha_hex(orig, 131072, sha);
  assert_string_equal(fwvet_node_sha256(n), sha);
  free(orig);
  fwvet_vfs_destroy(vfs);
  free(img);
}

/* The per-file limit cuts a file and says so; the prefix is kept. */
static void test_file_limit(void **state) {
  size_t len;
  uint8_t *img = small_image(&len, "-comp xz");
  fwvet_vfs *vfs = open_image(img, len, 0, 65536);
  const fwvet_node *n = fwvet_vfs_find(vfs, "img/squashfs/sub/big.txt");
  assert_non_null(n);
  assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
  assert_true(our_findings(vfs, "unpack.limit", "stopped at 65536") > 0);
  size_t slen;
  uint8_t *orig = read_all(at("hs/sub/big.txt"), &slen);
  char sha[65];
  sha_hex(orig, 65536, sha);
  assert_string_equal(fwvet_node_sha256(n), sha);
  free(orig);
  fwvet_vfs_destroy(vfs);
  free(img);
}

/* The node limit stops the listing. */
static void test_node_limit(void **state) {
  size_t len;
  uint8_t *img = small_image(&len, "-comp lz4");
  fwvet_open_options opt;
  fwvet_open_options_init(&opt);
  opt.jobs = 1;
  opt.limits.max_nodes = 5;
  fwvet_vfs *vfs = NULL;
  assert_int_equal(fwvet_vfs_open_format("squashfs", "img", img, len, &opt,
                                         &vfs),
                   FWVET_OK);
  assert_true(listed(vfs) < 8);
  size_t limits = 0;
  for (size_t i = 0; i < fwvet_vfs_finding_count(vfs); i++)
    if (!strcmp(fwvet_vfs_finding(vfs, i)->rule, "unpack.limit"))
      limits++;
  assert_true(limits > 0);
  fwvet_vfs_destroy(vfs);
  free(img);
}

/* "hsqs" with a version that is not squashfs's: not this format. */
static void test_not_squashfs(void **state) {
  uint8_t buf[256];
  memset(buf, 0, sizeof buf);
  memcpy(buf, "hsqs", 4);
  put_le(buf + SB_MAJOR, 2, 9);
  fwvet_vfs *vfs = open_image(buf, sizeof buf, 0, 0);
  assert_null(fwvet_vfs_find(vfs, "img/squashfs"));
  assert_int_equal(our_findings(vfs, NULL, NULL), 0);
  fwvet_vfs_destroy(vfs);
}

/* --- big-endian ----------------------------------------------------------- */

/*
 * A metadata table of an uncompressed image seen as one byte stream:
 * logical offset -> image offset, with the 2-byte block headers swapped
 * on the way.
 */
typedef struct meta_map {
  size_t *phys;
  size_t len;
} meta_map;

static void map_table(uint8_t *img, size_t start, size_t end, meta_map *m) {
  m->phys = malloc((end - start) * sizeof *m->phys);
  m->len = 0;
  assert_non_null(m->phys);
  for (size_t pos = start; pos < end;) {
    unsigned hdr = (unsigned)get_le(img + pos, 2);
    assert_true(hdr & 0x8000); /* stored raw */
    size_t n = hdr & 0x7fff;
    img[pos] = (uint8_t)(hdr >> 8);
    img[pos + 1] = (uint8_t)hdr;
    for (size_t i = 0; i < n; i++)
      m->phys[m->len++] = pos + 2 + i;
    pos += 2 + n;
  }
}

static uint64_t mget(const uint8_t *img, const meta_map *m, size_t off,
                     unsigned n) {
  uint64_t v = 0;
  assert_true(off + n <= m->len);
  for (unsigned i = n; i-- > 0;)
    v = (v << 8) | img[m->phys[off + i]];
  return v;
}

/* Reverses the n bytes at logical `off`; returns their LE value. */
static uint64_t mswap(uint8_t *img, const meta_map *m, size_t off,
                      unsigned n) {
  uint64_t v = mget(img, m, off, n);
  for (unsigned i = 0; i < n; i++)
    img[m->phys[off + i]] = (uint8_t)(v >> (8 * (n - 1 - i)));
  return v;
}

static void swap_at(uint8_t *p, unsigned n) {
  for (unsigned i = 0; i < n / 2; i++) {
    uint8_t t = p[i];
    p[i] = p[n - 1 - i];
    p[n - 1 - i] = t;
  }
}

static size_t swap_inode(uint8_t *img, const meta_map *m, size_t o,
                         uint32_t block_size) {
  unsigned type = (unsigned)mswap(img, m, o, 2);
  for (unsigned i = 0; i < 3; i++)
    mswap(img, m, o + 2 + 2 * i, 2);
  mswap(img, m, o + 8, 4);
  mswap(img, m, o + 12, 4);
  o += 16;
  switch (type) {
  case 1:
    mswap(img, m, o, 4), mswap(img, m, o + 4, 4);
    mswap(img, m, o + 8, 2), mswap(img, m, o + 10, 2);
    mswap(img, m, o + 12, 4);
    return o + 16;
  case 2:
  case 9: {
    uint64_t size, frag;
    if (type == 2) {
      mswap(img, m, o, 4);
      frag = mswap(img, m, o + 4, 4);
      mswap(img, m, o + 8, 4);
      size = mswap(img, m, o + 12, 4);
      o += 16;
    } else {
      mswap(img, m, o, 8);
      size = mswap(img, m, o + 8, 8);
      mswap(img, m, o + 16, 8);
      mswap(img, m, o + 24, 4);
      frag = mswap(img, m, o + 28, 4);
      mswap(img, m, o + 32, 4);
      mswap(img, m, o + 36, 4);
      o += 40;
    }
    uint64_t n = size / block_size;
    if (frag == 0xffffffffu && size % block_size)
      n++;
    for (uint64_t i = 0; i < n; i++, o += 4)
      mswap(img, m, o, 4);
    return o;
  }
  case 3: {
    mswap(img, m, o, 4);
    uint64_t t = mswap(img, m, o + 4, 4);
    return o + 8 + t;
  }
  case 4:
  case 5:
    mswap(img, m, o, 4), mswap(img, m, o + 4, 4);
    return o + 8;
  case 6:
  case 7:
    mswap(img, m, o, 4);
    return o + 4;
  default:
    fail_msg("inode type %u at %zu not handled by the converter", type, o);
    return o;
  }
}

/* Turns an uncompressed little-endian image without fragments, export
 * or xattr tables into the same image big-endian. */
static void to_big_endian(uint8_t *img, size_t len) {
  uint32_t block_size = (uint32_t)get_le(img + SB_BLOCK_SIZE, 4);
  size_t inode = (size_t)SB(img, SB_INODE), dirt = (size_t)SB(img, SB_DIR);
  size_t ids = (size_t)SB(img, SB_ID);
  unsigned nids = (unsigned)get_le(img + 26, 2);
  assert_int_equal(get_le(img + 16, 4), 0); /* no fragments */
  assert_int_equal(get_le(img + 88, 8), UINT64_MAX); /* no export */
  /* The id table's one block lies just before its index. */
  size_t idblk = (size_t)get_le(img + ids, 8);
  swap_at(img + ids, 8);
  meta_map m;
  map_table(img, idblk, ids, &m);
  for (unsigned i = 0; i < nids; i++)
    mswap(img, &m, 4 * i, 4);
  free(m.phys);
  /* The directory table: runs of a header and entries, back to back. */
  map_table(img, dirt, idblk, &m);
  for (size_t o = 0; o < m.len;) {
    uint64_t count = mswap(img, &m, o, 4) + 1;
    mswap(img, &m, o + 4, 4);
    mswap(img, &m, o + 8, 4);
    o += 12;
    for (uint64_t i = 0; i < count; i++) {
      for (unsigned k = 0; k < 3; k++)
        mswap(img, &m, o + 2 * k, 2);
      uint64_t nlen = mswap(img, &m, o + 6, 2) + 1;
      o += 8 + nlen;
    }
  }
  free(m.phys);
  map_table(img, inode, dirt, &m);
  for (size_t o = 0; o < m.len;)
    o = swap_inode(img, &m, o, block_size);
  free(m.phys);
  /* The superblock last: the walks above read its LE fields. */
  static const unsigned widths[] = {4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2,
                                    8, 8, 8, 8, 8, 8, 8, 8};
  size_t o = 0;
  for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
    swap_at(img + o, widths[i]);
    o += widths[i];
  }
  assert_memory_equal(img, "sqsh", 4);
  (void)len;
}

static void test_big_endian(void **state) {
  size_t len;
  build("be.sq", "-comp gzip -noI -noD -noF -noX -no-fragments -no-exports "
                 "-b 4096");
  uint8_t *img = read_all(at("be.sq"), &len);
  assert_non_null(img);
  fwvet_vfs *vfs = open_image(img, len, 0, 0);
  check_tree(vfs, "img/squashfs");
  fwvet_vfs_destroy(vfs);
  to_big_endian(img, len);
  vfs = open_image(img, len, 0, 0);
  check_tree(vfs, "img/squashfs");
  const char *info = fwvet_node_info(fwvet_vfs_find(vfs, "img/squashfs"));
  assert_non_null(info);
  assert_non_null(strstr(info, "big-endian"));
  fwvet_vfs_destroy(vfs);
  free(img);
}

/* ---------------------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void) {
  static const struct CMUnitTest fixed[] = {
      cmocka_unit_test(test_cycle_not_followed),
      cmocka_unit_test(test_odd_names),
      cmocka_unit_test(test_depth_limit),
      cmocka_unit_test(test_corrupt_block_prefix),
      cmocka_unit_test(test_file_limit),
      cmocka_unit_test(test_node_limit),
      cmocka_unit_test(test_not_squashfs),
      cmocka_unit_test(test_big_endian),
  };
  struct CMUnitTest tests[COUNT(variants) + COUNT(hostiles) + COUNT(fixed)];
  static char names[COUNT(variants)][96];
  size_t n = 0;
  for (size_t i = 0; i < COUNT(variants); i++) {
    snprintf(names[i], sizeof names[i], "mksquashfs %s%s", variants[i].args,
             variants[i].offset ? " (carved)" : "");
    tests[n++] = (struct CMUnitTest){names[i], test_variant, NULL, NULL,
                                     (void *)&variants[i]};
  }
  for (size_t i = 0; i < COUNT(hostiles); i++)
    tests[n++] = (struct CMUnitTest){hostiles[i].name, test_hostile, NULL,
                                     NULL, (void *)&hostiles[i]};
  for (size_t i = 0; i < COUNT(fixed); i++)
    tests[n++] = fixed[i];
  return _cmocka_run_group_tests("squashfs", tests, n, group_setup,
                                 group_teardown);
}
