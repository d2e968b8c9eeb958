/*
 * libarchive-backed readers (tar, cpio, zip, 7z, iso9660, ar): archives
 * built at test time with the real tools, plus hostile ones written by
 * python3 (names that climb out, absolute names, devices, link loops),
 * truncations, a zip bomb and nested zips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unpack_fixture.h"

/*
 * Without a sanitizer (which brings its own allocator), malloc is wrapped
 * to record the largest request: libarchive allocates what a header
 * claims before it finds the bytes missing, and the readers must keep
 * such headers away from it.
 */
#if defined(__SANITIZE_ADDRESS__)
#define TRACK_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRACK_MALLOC 0
#endif
#endif
#ifndef TRACK_MALLOC
#define TRACK_MALLOC 1
#include <stdatomic.h>
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
static _Atomic size_t largest_alloc;
static void note_alloc(size_t n) {
  size_t cur = atomic_load(&largest_alloc);
  while (n > cur && !atomic_compare_exchange_weak(&largest_alloc, &cur, n))
    ;
}
void *malloc(size_t n) {
  note_alloc(n);
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t size) {
  if (size && n <= SIZE_MAX / size)
    note_alloc(n * size);
  return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n) {
  note_alloc(n);
  return __libc_realloc(p, n);
}
#endif

/* Which archives a row applies to. */
enum {
  F_TAR = 1 << 0,
  F_CPIO = 1 << 1,
  F_ZIP = 1 << 2,
  F_7Z = 1 << 3,
  F_ISO = 1 << 4,
  F_AR = 1 << 5,
  F_ODC = 1 << 6, /* cpio variants where every link carries the data */
};

/* Checks that depend on what the format stores. */
enum {
  C_OWNER = 1 << 0,     /* uid 1234, gid 5678 */
  C_MTIME = 1 << 1,     /* 1600000000 */
  C_TAIL_ZERO = 1 << 2, /* bytes after the archive are zero padding */
  C_EXACT = 1 << 3,     /* the archive is the whole file */
};

static const char *const tree_cmd =
    "rm -rf tree && mkdir -p tree/d/sub && cd tree && "
    "printf 'hello world\\n' > d/a.txt && chmod 0750 d/a.txt && "
    "head -c 10000 /dev/urandom > b.bin && ln b.bin hl && "
    "ln -s a.txt d/link && mkfifo fifo && : > empty && "
    "touch -h -d @1600000000 d/a.txt d/link d/sub d b.bin hl fifo empty && "
    "cd ..";

#define TAR_LIST "d d/a.txt d/link d/sub b.bin hl fifo empty"

typedef struct arc_case {
  const char *file; /* scratch file the build writes */
  const char *build;
  const char *seg; /* container segment */
  unsigned fmt;    /* F_* */
  unsigned checks; /* C_* */
} arc_case;

static const arc_case arc_cases[] = {
    {"t.ustar",
     "tar --format=ustar --owner=1234 --group=5678 --numeric-owner "
     "--no-recursion -C tree -cf t.ustar " TAR_LIST,
     "tar", F_TAR, C_OWNER | C_MTIME | C_TAIL_ZERO},
    {"t.gnu",
     "tar --format=gnu --owner=1234 --group=5678 --numeric-owner "
     "--no-recursion -C tree -cf t.gnu " TAR_LIST,
     "tar", F_TAR, C_OWNER | C_MTIME | C_TAIL_ZERO},
    {"t.pax",
     "tar --format=pax --owner=1234 --group=5678 --numeric-owner "
     "--no-recursion -C tree -cf t.pax " TAR_LIST,
     "tar", F_TAR, C_OWNER | C_MTIME | C_TAIL_ZERO},
    {"c.newc",
     "cd tree && printf '%s\\n' " TAR_LIST
     " | cpio -o --quiet -H newc -R 1234:5678 > ../c.newc",
     "cpio", F_CPIO, C_OWNER | C_MTIME | C_TAIL_ZERO},
    {"c.crc",
     "cd tree && printf '%s\\n' " TAR_LIST
     " | cpio -o --quiet -H crc -R 1234:5678 > ../c.crc",
     "cpio", F_CPIO, C_OWNER | C_MTIME | C_TAIL_ZERO},
    {"c.odc",
     "cd tree && printf '%s\\n' " TAR_LIST
     " | cpio -o --quiet -H odc -R 1234:5678 > ../c.odc",
     "cpio", F_CPIO | F_ODC, C_OWNER | C_MTIME | C_TAIL_ZERO},
    {"z.zip",
     "cd tree && zip -q -y ../z.zip d d/a.txt d/link d/sub b.bin "
     "hl empty",
     "zip", F_ZIP, C_MTIME | C_EXACT},
    {"s.7z", "cd tree && 7z a -bd -y ../s.7z d b.bin hl empty >/dev/null", "7z",
     F_7Z, C_EXACT},
    {"i.iso", "genisoimage -quiet -R -no-pad -o i.iso tree", "iso9660", F_ISO,
     C_EXACT},
    {"j.iso", "genisoimage -quiet -J -no-pad -o j.iso tree", "iso9660", F_ISO,
     C_EXACT},
    {"a.a", "cd tree && ar rc ../a.a d/a.txt b.bin empty", "ar", F_AR, C_EXACT},
};

typedef struct want {
  const char *fspath;
  fwvet_kind kind;
  unsigned fmt;        /* archives that hold it */
  const char *content; /* tree file with the same bytes, or NULL */
  uint32_t mode;       /* 0: not checked */
  unsigned mode_fmt;   /* archives whose mode is checked */
  const char *link;
  unsigned flag_fmt; /* archives where it is FWVET_NODE_HARDLINK */
} want;

#define ALL_DIRS (F_TAR | F_CPIO | F_ZIP | F_7Z | F_ISO)

static const want wants[] = {
    {"/d", FWVET_KIND_DIR, ALL_DIRS, NULL, 0, 0, NULL, 0},
    {"/d/sub", FWVET_KIND_DIR, F_TAR | F_CPIO | F_ZIP | F_ISO, NULL, 0, 0, NULL,
     0},
    {"/d/a.txt", FWVET_KIND_FILE, ALL_DIRS, "tree/d/a.txt", 0750,
     F_TAR | F_CPIO | F_ZIP | F_7Z, NULL, 0},
    {"/a.txt", FWVET_KIND_FILE, F_AR, "tree/d/a.txt", 0, 0, NULL, 0},
    {"/d/link", FWVET_KIND_SYMLINK, F_TAR | F_CPIO | F_ZIP, NULL, 0, 0, "a.txt",
     0},
    {"/b.bin", FWVET_KIND_FILE, ALL_DIRS | F_AR, "tree/b.bin", 0, 0, NULL, 0},
    {"/hl", FWVET_KIND_FILE, ALL_DIRS, "tree/b.bin", 0, 0, NULL,
     F_TAR | F_CPIO},
    {"/fifo", FWVET_KIND_FIFO, F_TAR | F_CPIO, NULL, 0, 0, NULL, 0},
    {"/empty", FWVET_KIND_FILE, ALL_DIRS | F_AR, "tree/empty", 0, 0, NULL, 0},
};

static void check_want(const fwvet_vfs *vfs, const arc_case *c, const want *w) {
  const char *fspath = w->fspath;
  const fwvet_node *n = fx_by_fspath(vfs, fspath);
  if (!n) {
    fprintf(stderr, "%s: no '%s' in:\n", c->file, fspath);
    fx_dump(vfs);
    fail();
  }
  if (fwvet_node_kind(n) != w->kind) {
    fprintf(stderr, "%s: '%s' is a %s\n", c->file, fspath,
            fwvet_kind_name(fwvet_node_kind(n)));
    fail();
  }
  if (w->content) {
    char sha[65];
    fx_sha_file(w->content, sha);
    if (!fwvet_node_sha256(n) || strcmp(fwvet_node_sha256(n), sha) != 0) {
      fprintf(stderr, "%s: '%s' content differs\n", c->file, fspath);
      fx_dump(vfs);
      fail();
    }
  }
  if (w->mode && (w->mode_fmt & c->fmt))
    assert_int_equal(fwvet_node_mode(n), w->mode);
  if (w->link)
    assert_string_equal(fwvet_node_link(n), w->link);
  if (w->flag_fmt & c->fmt)
    assert_true(fwvet_node_flags(n) & FWVET_NODE_HARDLINK);
  if (w->kind == FWVET_KIND_FILE && (c->checks & C_OWNER)) {
    assert_int_equal(fwvet_node_uid(n), 1234);
    assert_int_equal(fwvet_node_gid(n), 5678);
  }
  if (w->kind == FWVET_KIND_FILE && (c->checks & C_MTIME))
    assert_int_equal(fwvet_node_mtime(n), 1600000000);
}

static void test_archive_entries(void **state) {
  assert_int_equal(fx_sh("%s", tree_cmd), 0);
  for (size_t i = 0; i < sizeof arc_cases / sizeof *arc_cases; i++) {
    const arc_case *c = &arc_cases[i];
    assert_int_equal(fx_sh("rm -f %s && %s", c->file, c->build), 0);
    size_t len;
    uint8_t *d = fx_read(c->file, &len);
    assert_non_null(d);
    fwvet_vfs *vfs = fx_open(d, len, NULL);
    char path[64];
    snprintf(path, sizeof path, "img/%s", c->seg);
    const fwvet_node *top = fx_node(vfs, path);
    assert_int_equal(fwvet_node_kind(top), FWVET_KIND_CONTAINER);
    uint64_t used = fwvet_node_size(top);
    if (c->checks & C_EXACT)
      assert_int_equal(used, len);
    if (c->checks & C_TAIL_ZERO) {
      assert_true(used > 0 && used <= len);
      for (size_t k = used; k < len; k++)
        assert_int_equal(d[k], 0);
    }
    for (size_t k = 0; k < sizeof wants / sizeof *wants; k++)
      if (wants[k].fmt & c->fmt)
        check_want(vfs, c, &wants[k]);
    fx_expect_no_finding(vfs, "unpack.corrupt");
    fx_expect_no_finding(vfs, "unpack.limit");
    fwvet_vfs_destroy(vfs);
    free(d);
  }
}

/* The cpio archive ends right after its trailer entry, padded to 4 for
 * newc: not at the 512-byte block cpio pads the file to. */
static void test_cpio_end(void **state) {
  assert_int_equal(fx_sh("%s && cd tree && printf '%%s\\n' d/a.txt | "
                         "cpio -o --quiet -H newc > ../one.newc",
                         tree_cmd),
                   0);
  size_t len;
  uint8_t *d = fx_read("one.newc", &len);
  const uint8_t *t = memmem(d, len, "TRAILER!!!", 10);
  assert_non_null(t);
  size_t end = ((size_t)(t - d) + 11 + 3) & ~(size_t)3;
  assert_true(end < len);
  fwvet_vfs *vfs = fx_open(d, len, NULL);
  assert_int_equal(fwvet_node_size(fx_node(vfs, "img/cpio")), end);
  fwvet_vfs_destroy(vfs);
  free(d);
}

/* Archives after other bytes are carved at their offset; zip and 7z end
 * where their own structures say, not at the end of the bytes. */
static void test_archive_at_offset(void **state) {
  static const struct {
    const char *file, *seg;
    int exact;
  } rows[] = {
      {"t.ustar", "tar", 0}, {"c.newc", "cpio", 0}, {"z.zip", "zip", 1},
      {"s.7z", "7z", 1},     {"a.a", "ar", 1},
  };
  assert_int_equal(fx_sh("%s", tree_cmd), 0);
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    const arc_case *c = NULL;
    for (size_t k = 0; k < sizeof arc_cases / sizeof *arc_cases; k++)
      if (!strcmp(arc_cases[k].file, rows[i].file))
        c = &arc_cases[k];
    assert_non_null(c);
    assert_int_equal(fx_sh("rm -f %s && %s", c->file, c->build), 0);
    size_t len;
    uint8_t *a = fx_read(c->file, &len);
    size_t total = 1000 + len + 4096;
    uint8_t *d = malloc(total);
    for (size_t k = 0; k < 1000; k++)
      d[k] = (uint8_t)(k * 31 + 7);
    memcpy(d + 1000, a, len);
    for (size_t k = 0; k < 4096; k++)
      d[1000 + len + k] = (uint8_t)(k * 17 + 5);
    fwvet_vfs *vfs = fx_open(d, total, NULL);
    char path[64];
    snprintf(path, sizeof path, "img/%s@0x3e8", rows[i].seg);
    const fwvet_node *top = fx_node(vfs, path);
    assert_int_equal(fwvet_node_offset(top), 1000);
    if (rows[i].exact)
      assert_int_equal(fwvet_node_size(top), len);
    snprintf(path, sizeof path, "img/%s@0x3e8/b.bin", rows[i].seg);
    char sha[65];
    fx_sha_file("tree/b.bin", sha);
    assert_string_equal(fwvet_node_sha256(fx_node(vfs, path)), sha);
    fwvet_vfs_destroy(vfs);
    free(d);
    free(a);
  }
}

/* python3 writes what the tools refuse to: names that climb out or are
 * absolute, devices, and a symlink loop; in tar, newc cpio and zip. */
static const char *const hostile_py =
    "import io, tarfile, zipfile\n"
    "def ti(name, typ=tarfile.REGTYPE, data=b'', link='', major=0, "
    "minor=0):\n"
    "    t = tarfile.TarInfo(name); t.type = typ; t.size = len(data)\n"
    "    t.linkname = link; t.devmajor = major; t.devminor = minor\n"
    "    t.mode = 0o644; t.mtime = 1600000000\n"
    "    return t, (io.BytesIO(data) if data else None)\n"
    "with tarfile.open('hostile.tar', 'w', format=tarfile.GNU_FORMAT) as "
    "tf:\n"
    "    for t, f in [ti('../../etc/passwd', "
    "data=b'root::0:0::/:/bin/sh\\n'),\n"
    "                 ti('/etc/shadow', data=b'root::1::::::\\n'),\n"
    "                 ti('dev/null', tarfile.CHRTYPE, major=1, minor=3),\n"
    "                 ti('dev/sda', tarfile.BLKTYPE, major=8, minor=0),\n"
    "                 ti('a', tarfile.SYMTYPE, link='b'),\n"
    "                 ti('b', tarfile.SYMTYPE, link='a')]:\n"
    "        tf.addfile(t, f)\n"
    "with zipfile.ZipFile('hostile.zip', 'w') as zf:\n"
    "    zf.writestr(zipfile.ZipInfo('../../etc/passwd'), "
    "b'root::0:0::/:/bin/sh\\n')\n"
    "    zf.writestr(zipfile.ZipInfo('/etc/shadow'), b'root::1::::::\\n')\n"
    "def newc(entries):\n"
    "    out = b''\n"
    "    for ino, (name, mode, data, maj, mnr) in enumerate(entries, 1):\n"
    "        nb = name.encode() + b'\\0'\n"
    "        f = (ino, mode, 0, 0, 1, 1600000000, len(data), 0, 0, maj, "
    "mnr, len(nb), 0)\n"
    "        out += b'070701' + b''.join(b'%08X' % v for v in f) + nb\n"
    "        out += b'\\0' * (-len(out) % 4) + data\n"
    "        out += b'\\0' * (-len(out) % 4)\n"
    "    return out\n"
    "open('hostile.cpio', 'wb').write(newc([\n"
    "    ('../../etc/passwd', 0o100644, b'root::0:0::/:/bin/sh\\n', 0, 0),\n"
    "    ('/etc/shadow', 0o100600, b'root::1::::::\\n', 0, 0),\n"
    "    ('dev/null', 0o20666, b'', 1, 3),\n"
    "    ('dev/sda', 0o60660, b'', 8, 0),\n"
    "    ('a', 0o120777, b'b', 0, 0),\n"
    "    ('b', 0o120777, b'a', 0, 0),\n"
    "    ('TRAILER!!!', 0, b'', 0, 0)]) + b'\\0' * 300)\n";

static void check_unsafe(const fwvet_vfs *vfs, const char *fspath) {
  const fwvet_node *n = fx_by_fspath(vfs, fspath);
  if (!n) {
    fprintf(stderr, "no '%s' in:\n", fspath);
    fx_dump(vfs);
  }
  assert_non_null(n);
  assert_int_equal(fwvet_node_kind(n), FWVET_KIND_FILE);
  assert_true(fwvet_node_flags(n) & FWVET_NODE_UNSAFE_NAME);
}

static void test_archive_hostile(void **state) {
  assert_int_equal(fx_write("hostile.py", hostile_py, strlen(hostile_py)), 0);
  assert_int_equal(fx_sh("python3 hostile.py"), 0);
  static const struct {
    const char *file;
    int devices; /* holds the devices and the link loop */
  } rows[] = {{"hostile.tar", 1}, {"hostile.cpio", 1}, {"hostile.zip", 0}};
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    fwvet_vfs *vfs = fx_open_file(rows[i].file, NULL);
    check_unsafe(vfs, "/../../etc/passwd");
    check_unsafe(vfs, "/etc/shadow");
    fx_expect_finding(vfs, "unpack.unsafe-path", NULL, "..");
    if (rows[i].devices) {
      const fwvet_node *n = fx_by_fspath(vfs, "/dev/null");
      assert_non_null(n);
      assert_int_equal(fwvet_node_kind(n), FWVET_KIND_CHARDEV);
      assert_int_equal(fwvet_node_dev_major(n), 1);
      assert_int_equal(fwvet_node_dev_minor(n), 3);
      n = fx_by_fspath(vfs, "/dev/sda");
      assert_non_null(n);
      assert_int_equal(fwvet_node_kind(n), FWVET_KIND_BLOCKDEV);
      assert_int_equal(fwvet_node_dev_major(n), 8);
      n = fx_by_fspath(vfs, "/a");
      assert_non_null(n);
      assert_int_equal(fwvet_node_kind(n), FWVET_KIND_SYMLINK);
      assert_string_equal(fwvet_node_link(n), "b");
      assert_string_equal(fwvet_node_link(fx_by_fspath(vfs, "/b")), "a");
    }
    fx_expect_no_finding(vfs, "unpack.corrupt");
    fwvet_vfs_destroy(vfs);
  }
}

/* Cut archives keep what came before the cut and say where it broke. */
static void test_archive_truncated(void **state) {
  /* Percent kept; 99 only where the archive fills the file (elsewhere
   * it cuts the end-of-archive padding, which loses nothing). */
  static const unsigned cuts[] = {30, 50, 90, 99};
  assert_int_equal(fx_sh("%s", tree_cmd), 0);
  for (size_t i = 0; i < sizeof arc_cases / sizeof *arc_cases; i++) {
    const arc_case *c = &arc_cases[i];
    assert_int_equal(fx_sh("rm -f %s && %s", c->file, c->build), 0);
    size_t len;
    uint8_t *d = fx_read(c->file, &len);
    /* Where the archive really ends (tar and cpio pad the file). */
    fwvet_vfs *whole = fx_open(d, len, NULL);
    char path[64];
    snprintf(path, sizeof path, "img/%s", c->seg);
    size_t end = (size_t)fwvet_node_size(fx_node(whole, path));
    fwvet_vfs_destroy(whole);
    for (size_t k = 0; k < sizeof cuts / sizeof *cuts; k++) {
      if (cuts[k] == 99 && !(c->checks & C_EXACT))
        continue;
      size_t n = end * cuts[k] / 100;
      fwvet_vfs *vfs = fx_open(d, n, NULL);
      const fwvet_node *top = fwvet_vfs_find(vfs, path);
      /* Too little left to recognise is fine; recognised means a
       * finding about the damage. */
      if (top && fx_findings(vfs, "unpack.corrupt", NULL, NULL) == 0) {
        fprintf(stderr, "%s cut to %zu of %zu: no finding\n", c->file, n, end);
        fx_dump(vfs);
        fail();
      }
      if (cuts[k] >= 90 && !(c->fmt & (F_ISO | F_7Z)) && !top) {
        fprintf(stderr, "%s cut to %zu: not recognised\n", c->file, n);
        fx_dump(vfs);
        fail();
      }
      fwvet_vfs_destroy(vfs);
    }
    free(d);
  }
}

/* Headers claiming far more than the archive holds: a newc name of 2 GiB,
 * a GNU ar name table of 9 GB, a cut 7z and a cut iso9660 image whose
 * volume claims 4 TiB.  What comes before stays; nothing big is
 * allocated. */
static const char *const oversized_py =
    "def newc(name, data, namesize=None, filesize=None, mode=0o100644):\n"
    "    nb = name.encode() + b'\\0'\n"
    "    f = (1, mode, 0, 0, 1, 0, len(data) if filesize is None else\n"
    "         filesize, 0, 0, 0, 0, namesize or len(nb), 0)\n"
    "    h = b'070701' + b''.join(b'%08X' % v for v in f) + nb\n"
    "    h += b'\\0' * (-len(h) % 4) + data\n"
    "    return h + b'\\0' * (-len(h) % 4)\n"
    "ok = newc('ok', b'fine\\n')\n"
    "open('big-name.cpio', 'wb').write(\n"
    "    ok + newc('x', b'', namesize=0x7fffffff) + b'A' * 4000)\n"
    "open('big-link.cpio', 'wb').write(\n"
    "    ok + newc('l', b'', filesize=0x7fffffff, mode=0o120777) +\n"
    "    b'A' * 4000)\n"
    "def member(name, size, data):\n"
    "    h = (name.ljust(16) + '0'.ljust(12) + '0'.ljust(6) * 2 +\n"
    "         '644'.ljust(8) + str(size).ljust(10) + '`\\n').encode()\n"
    "    return h + data + b'\\n' * (len(data) % 2)\n"
    "ok = b'!<arch>\\n' + member('ok/', 5, b'fine\\n')\n"
    "open('big-table.a', 'wb').write(\n"
    "    ok + member('//', 9999999999, b'B' * 4000))\n"
    "open('big-bsd.a', 'wb').write(\n"
    "    ok + member('#1/999999999', 9999999999, b'B' * 4000))\n";

static void test_archive_oversized_fields(void **state) {
  assert_int_equal(fx_write("oversized.py", oversized_py, strlen(oversized_py)),
                   0);
  assert_int_equal(fx_sh("python3 oversized.py && %s && "
                         "genisoimage -quiet -R -no-pad -o big.iso tree && "
                         "(cd tree && 7z a -bd -y ../cut.7z b.bin >/dev/null)",
                         tree_cmd),
                   0);
  /* The iso: claim 2^31 blocks and cut it after the descriptors. */
  size_t len;
  uint8_t *iso = fx_read("big.iso", &len);
  uint8_t *pvd = iso + 0x8000;
  const uint32_t blocks = 0x80000000u;
  for (int i = 0; i < 4; i++) {
    pvd[80 + i] = (uint8_t)(blocks >> (8 * i));
    pvd[87 - i] = (uint8_t)(blocks >> (8 * i));
  }
  assert_int_equal(fx_write("big.iso", iso, 0x9000), 0);
  free(iso);
  uint8_t *z = fx_read("cut.7z", &len);
  assert_int_equal(fx_write("cut.7z", z, len / 2), 0);
  free(z);

  static const struct {
    const char *file, *seg, *kept; /* kept: an entry read before */
  } rows[] = {
      {"big-name.cpio", "cpio", "img/cpio/ok"},
      {"big-link.cpio", "cpio", "img/cpio/ok"},
      {"big-table.a", "ar", "img/ar/ok"},
      {"big-bsd.a", "ar", "img/ar/ok"},
      {"cut.7z", "7z", NULL},
      {"big.iso", "iso9660", NULL},
  };
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
#if TRACK_MALLOC
    atomic_store(&largest_alloc, 0);
#endif
    fwvet_vfs *vfs = fx_open_file(rows[i].file, NULL);
#if TRACK_MALLOC
    size_t big = atomic_load(&largest_alloc);
    if (big > (64u << 20)) {
      fprintf(stderr, "%s: allocated %zu bytes at once\n", rows[i].file, big);
      fail();
    }
#endif
    char path[64];
    snprintf(path, sizeof path, "img/%s", rows[i].seg);
    fx_node(vfs, path);
    if (rows[i].kept)
      fx_node(vfs, rows[i].kept);
    fx_expect_finding(vfs, "unpack.corrupt", NULL, NULL);
    fwvet_vfs_destroy(vfs);
  }
}

/* Rock Ridge keeps device numbers as a high (major) and a low (minor)
 * word; making the nodes needs root, so the test skips without it. */
static void test_iso_devices(void **state) {
  if (fx_sh("rm -rf devtree && mkdir devtree && "
            "mknod devtree/null c 1 3 && mknod devtree/sda b 8 0 && "
            "mknod devtree/big c 259 70000") != 0) {
    skip();
    return;
  }
  assert_int_equal(fx_sh("genisoimage -quiet -R -no-pad -o dev.iso devtree"),
                   0);
  static const struct {
    const char *fspath;
    fwvet_kind kind;
    uint32_t major, minor;
  } rows[] = {
      {"/null", FWVET_KIND_CHARDEV, 1, 3},
      {"/sda", FWVET_KIND_BLOCKDEV, 8, 0},
      {"/big", FWVET_KIND_CHARDEV, 259, 70000},
  };
  fwvet_vfs *vfs = fx_open_file("dev.iso", NULL);
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    const fwvet_node *n = fx_by_fspath(vfs, rows[i].fspath);
    assert_non_null(n);
    assert_int_equal(fwvet_node_kind(n), rows[i].kind);
    assert_int_equal(fwvet_node_dev_major(n), rows[i].major);
    assert_int_equal(fwvet_node_dev_minor(n), rows[i].minor);
  }
  fwvet_vfs_destroy(vfs);
}

/* Stored members are slices of the input, never copies: unpacking an
 * 8 MiB member makes no allocation anywhere near its size. */
static void test_archive_zero_copy(void **state) {
#if TRACK_MALLOC
  assert_int_equal(
      fx_sh("rm -rf zc && mkdir zc && head -c 8M /dev/urandom > zc/big && "
            "tar -C zc -cf zc.tar big && (cd zc && echo big | "
            "cpio -o --quiet -H newc > ../zc.cpio) && "
            "(cd zc && zip -q -0 ../zc.zip big) && ar rc zc.a zc/big && "
            "genisoimage -quiet -no-pad -o zc.iso zc"),
      0);
  static const char *const files[] = {"zc.tar", "zc.cpio", "zc.zip", "zc.a",
                                      "zc.iso"};
  char sha[65];
  fx_sha_file("zc/big", sha);
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    size_t len;
    uint8_t *d = fx_read(files[i], &len);
    atomic_store(&largest_alloc, 0);
    fwvet_vfs *vfs = fx_open(d, len, NULL);
    size_t big = atomic_load(&largest_alloc);
    const fwvet_node *n = NULL;
    for (size_t k = 0; k < fwvet_vfs_count(vfs) && !n; k++) {
      const char *p = fwvet_node_fspath(fwvet_vfs_node(vfs, k));
      if (!strcmp(p, "/big") || !strcmp(p, "/BIG.;1") || !strcmp(p, "/BIG"))
        n = fwvet_vfs_node(vfs, k);
    }
    if (!n) {
      fx_dump(vfs);
      fail();
    }
    assert_string_equal(fwvet_node_sha256(n), sha);
    if (big >= (4u << 20)) {
      fprintf(stderr, "%s: allocated %zu bytes at once\n", files[i], big);
      fail();
    }
    fwvet_vfs_destroy(vfs);
    free(d);
  }
#else
  skip();
#endif
}

/* Encrypted members are listed, flagged as without content, and one
 * unpack.unsupported finding says so; a 7z whose header is encrypted is
 * recognised and reported the same way. */
static void test_archive_encrypted(void **state) {
  assert_int_equal(fx_sh("%s && rm -f enc.zip enc.7z && cd tree && "
                         "zip -q -P Secret ../enc.zip b.bin d/a.txt && "
                         "7z a -bd -y -pSecret -mhe=on ../enc.7z b.bin "
                         ">/dev/null",
                         tree_cmd),
                   0);
  fwvet_vfs *vfs = fx_open_file("enc.zip", NULL);
  const fwvet_node *n = fx_node(vfs, "img/zip/b.bin");
  assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
  assert_int_equal(fwvet_node_size(n), 10000);
  assert_null(fwvet_node_sha256(n));
  fx_expect_finding(vfs, "unpack.unsupported", NULL,
                    "zip: 2 entries are encrypted");
  fx_expect_no_finding(vfs, "unpack.corrupt");
  fwvet_vfs_destroy(vfs);

  vfs = fx_open_file("enc.7z", NULL);
  fx_node(vfs, "img/7z");
  fx_expect_finding(vfs, "unpack.unsupported", NULL, "7z: ");
  fwvet_vfs_destroy(vfs);
}

static void test_zip_bomb(void **state) {
  assert_int_equal(fx_sh("rm -f bomb.zip && head -c 50M /dev/zero > zeros "
                         "&& zip -q -9 bomb.zip zeros && rm zeros"),
                   0);
  fwvet_open_options opt;
  fwvet_open_options_init(&opt);
  opt.jobs = 2;
  opt.limits.max_ratio = 10;
  size_t len;
  uint8_t *d = fx_read("bomb.zip", &len);
#if TRACK_MALLOC
  atomic_store(&largest_alloc, 0);
#endif
  fwvet_vfs *vfs = fx_open(d, len, &opt);
  fx_expect_finding(vfs, "unpack.limit", "ratio", NULL);
#if TRACK_MALLOC
  /* The content buffer grew to the cap: the malloc wrapper sees it. */
  assert_true(atomic_load(&largest_alloc) >= (1u << 20));
#endif
  const fwvet_node *n = fx_node(vfs, "img/zip/zeros");
  assert_true(fwvet_node_flags(n) & FWVET_NODE_TRUNCATED);
  assert_int_equal(fwvet_node_size(n), 50u << 20);
  fwvet_vfs_destroy(vfs);
  free(d);
}

static void test_zip_nested_depth(void **state) {
  assert_int_equal(fx_sh("rm -f z1.zip z2.zip z3.zip && echo inner > f && "
                         "zip -q z1.zip f && zip -q z2.zip z1.zip && "
                         "zip -q z3.zip z2.zip"),
                   0);
  fwvet_open_options opt;
  fwvet_open_options_init(&opt);
  opt.jobs = 2;
  opt.limits.max_depth = 2;
  size_t len;
  uint8_t *d = fx_read("z3.zip", &len);
  fwvet_vfs *vfs = fx_open(d, len, &opt);
  fx_node(vfs, "img/zip/z2.zip/zip/z1.zip");
  assert_null(fwvet_vfs_find(vfs, "img/zip/z2.zip/zip/z1.zip/zip/f"));
  fx_expect_finding(vfs, "unpack.limit", "depth", NULL);
  fwvet_vfs_destroy(vfs);

  /* With room enough the innermost file is reached. */
  opt.limits.max_depth = 0;
  vfs = fx_open(d, len, &opt);
  fx_node(vfs, "img/zip/z2.zip/zip/z1.zip/zip/f");
  fx_expect_no_finding(vfs, "unpack.limit");
  fwvet_vfs_destroy(vfs);
  free(d);
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
      cmocka_unit_test(test_archive_entries),
      cmocka_unit_test(test_cpio_end),
      cmocka_unit_test(test_archive_at_offset),
      cmocka_unit_test(test_archive_hostile),
      cmocka_unit_test(test_archive_truncated),
      cmocka_unit_test(test_archive_oversized_fields),
      cmocka_unit_test(test_iso_devices),
      cmocka_unit_test(test_archive_encrypted),
      cmocka_unit_test(test_archive_zero_copy),
      cmocka_unit_test(test_zip_bomb),
      cmocka_unit_test(test_zip_nested_depth),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
