"""Round trip: a source tree packed with the standard tools into every
container fwvet reads (squashfs with each compressor, cpio, tar, zip, 7z,
iso9660), wrapped in each compressed stream, and nested several levels
deep, must come back from `fwvet ls --format json` exactly: for every
entry its kind, size, mode & 07777, symlink target, device numbers and the
sha256 of its content; nothing missing, nothing extra.

What a format cannot carry is listed in EXCEPTIONS and printed as a NOTE
when applied; nothing is skipped silently.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402

IS_ROOT = os.geteuid() == 0

SIZES = [1, 100, 511, 512, 4095, 4096, 4097, 65536, 131071, 131072,
         131073, 262144 + 7]


def build_tree(root):
    """The source tree.  Deterministic content; devices only as root."""
    def put(rel, data, mode=0o644):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)
        return p

    os.makedirs(root)
    put("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    put("etc/shadow", b"root::18000:0:99999:7:::\n", 0o600)
    put("etc/init.d/rcS", b"#!/bin/sh\nmount -a\n", 0o755)
    put("empty", b"")
    put("etc/config/empty", b"", 0o600)
    for i, n in enumerate(SIZES):
        # Alternate incompressible and compressible content.
        data = T.prng_bytes("s%d" % n, n) if i % 2 else T.text_bytes(
            "s%d" % n, n)
        put("sizes/f_%d" % n, data)
    put("sizes/exactly_128k", T.prng_bytes("128k", 131072))
    put("big/random_1m", T.prng_bytes("big", (1 << 20) + 17))
    put("big/text_1m", T.text_bytes("big", (3 << 19) + 3))
    # A real ELF, as firmware holds.
    with open("/bin/true", "rb") as f:
        put("bin/true", f.read(), 0o755)
    put("a/b/c/d/e/deep.txt", b"five levels down\n")
    put("name with space.txt", b"spaces\n")
    put("na\u00efve-\u00fcnicode.txt", b"utf-8 name\n")
    put("modes/suid", b"#!/bin/sh\n", 0o4755)
    put("modes/sgid", b"#!/bin/sh\n", 0o2755)
    put("modes/both", b"#!/bin/sh\n", 0o6711)
    put("modes/readonly", b"ro\n", 0o444)
    put("modes/secret", b"key\n", 0o600)
    os.makedirs(os.path.join(root, "modes/sticky"))
    os.chmod(os.path.join(root, "modes/sticky"), 0o1777)
    os.makedirs(os.path.join(root, "modes/private"))
    os.chmod(os.path.join(root, "modes/private"), 0o700)
    os.makedirs(os.path.join(root, "emptydir"))
    os.makedirs(os.path.join(root, "links"))
    os.symlink("../etc/passwd", os.path.join(root, "links/rel"))
    os.symlink("/etc/passwd", os.path.join(root, "links/abs"))
    os.symlink("does/not/exist", os.path.join(root, "links/dangling"))
    os.symlink("../sizes", os.path.join(root, "links/dir"))
    os.symlink("..", os.path.join(root, "links/up"))
    put("hard/a", T.text_bytes("hardlink", 5000))
    os.link(os.path.join(root, "hard/a"), os.path.join(root, "hard/b"))
    os.makedirs(os.path.join(root, "special"))
    os.mkfifo(os.path.join(root, "special/fifo"), 0o644)
    if IS_ROOT:
        os.mknod(os.path.join(root, "special/null"), 0o666 | 0o020000,
                 os.makedev(1, 3))
        os.mknod(os.path.join(root, "special/sda"), 0o660 | 0o060000,
                 os.makedev(8, 0))
    # Directory modes last: writing into them is done.
    os.chmod(os.path.join(root, "special"), 0o755)


# What each format cannot carry, applied to the expected tree.  Each
# function takes (fspath, Entry) and returns the Entry expected back, or
# None when the entry cannot be in that format at all.
def no_specials(why):
    def f(p, e):
        if e.kind in ("fifo", "chardev", "blockdev", "socket"):
            return None
        return e
    f.why = why
    return f


def no_device_numbers(why):
    def f(p, e):
        if e.kind in ("chardev", "blockdev"):
            e.dev = (0, 0)
        return e
    f.why = why
    return f


EXCEPTIONS = {
    "zip": [no_specials("zip (Info-ZIP 3.0) skips fifos and device nodes: "
                        "they are not in the archive")],
    "7z": [no_device_numbers("7z keeps a device node's type in its unix "
                             "attributes but not its major/minor numbers")],
}


def expected(suite, fmt, tree):
    out = {}
    for p, e in tree.items():
        x = T.Entry(*e.key())
        for f in EXCEPTIONS.get(fmt, []):
            x = f(p, x)
            if x is None:
                break
        if x is not None:
            out[p] = x
    for f in EXCEPTIONS.get(fmt, []):
        suite.note("%s: %s" % (fmt, f.why))
    return out


# --- builders: (image path, source) -> None ------------------------------

def mk_squashfs(comp, *extra):
    def b(img, src):
        args = ["mksquashfs", src, img, "-noappend", "-no-progress",
                "-quiet"]
        if comp:
            args += ["-comp", comp]
        T.sh(args + list(extra))
    return b


def names(src):
    out = []
    for dirpath, dirnames, filenames in os.walk(src):
        for n in dirnames + filenames:
            out.append(os.path.relpath(os.path.join(dirpath, n), src))
    return sorted(out)


def mk_cpio(fmt):
    def b(img, src):
        lst = ("\n".join(names(src)) + "\n").encode()
        data = T.sh(["cpio", "-o", "-H", fmt, "--quiet"], cwd=src,
                    stdin_bytes=lst)
        with open(img, "wb") as f:
            f.write(data)
    return b


def mk_tar(fmt):
    def b(img, src):
        T.sh(["tar", "--format=" + fmt, "--sort=name", "-cf", img, "-C",
              src, "."])
    return b


def mk_zip(img, src):
    # Explicit names: zip -r warns about the fifo and devices it cannot
    # store and exits 18.
    lst = [n for n in names(src)
           if T.KINDS.get(os.lstat(os.path.join(src, n)).st_mode & 0o170000)
           in ("file", "dir", "symlink")]
    T.sh(["zip", "-y", "-q", img, "-@"], cwd=src,
         stdin_bytes=("\n".join(lst) + "\n").encode())


def mk_7z(img, src):
    T.sh(["7z", "a", "-t7z", "-snl", "-bd", "-bso0", "-bsp0", img, "."],
         cwd=src)


def mk_iso(img, src):
    T.sh(["genisoimage", "-R", "-quiet", "-o", img, src])


WRAPPERS = {
    # name in the provenance path: command writing the stream to stdout
    "gzip": ["gzip", "-n", "-c"],
    "xz": ["xz", "-c"],
    "zstd": ["zstd", "-q", "-c"],
    "bzip2": ["bzip2", "-c"],
    "lz4": ["lz4", "-q", "-c"],
    "lzma": ["xz", "--format=lzma", "-c"],
}


def wrap(kind, inner, out):
    data = T.sh(WRAPPERS[kind] + [inner])
    with open(out, "wb") as f:
        f.write(data)


def check_container(suite, img, prefix, want, label):
    """ls IMG, then the entries of the container at `prefix` must equal
    `want`."""
    js = T.ls_json(suite, img, what=label)
    if js is None:
        return None
    n = T.node(js, prefix)
    if not suite.check(n is not None and n.get("kind") == "container",
                       "%s: container node '%s'" % (label, prefix),
                       "nodes: " + ", ".join(
                           x["path"] for x in js["files"]
                           if x.get("kind") == "container"
                           or not x.get("fspath"))[:1500]):
        return js
    T.compare_trees(suite, label, T.tree_of_ls(js, prefix), want)
    # A well-formed image gives no corrupt finding on the way down to the
    # container (carving inside the test files may, legitimately).
    chain = [prefix[:i] for i in range(len(prefix) + 1)
             if i == len(prefix) or prefix[i] == "/"]
    bad = [f for f in T.findings(js, "unpack.corrupt")
           if f.get("path") in chain]
    suite.check(not bad, "%s: no unpack.corrupt finding" % label,
                "\n".join("%s: %s" % (f.get("path"), f.get("message"))
                          for f in bad))
    return js


def main():
    s = T.Suite("roundtrip")
    tools = ["mksquashfs", "cpio", "tar", "zip", "7z", "genisoimage", "gzip",
             "xz", "zstd", "bzip2", "lz4", "mkimage", "cc"]
    T.need_tools(s, *tools)
    if not IS_ROOT:
        s.note("not root: device nodes are not part of the source tree")
    with T.tempdir("roundtrip") as tmp:
        src = os.path.join(tmp, "src")
        build_tree(src)
        tree = T.tree_of_dir(src)

        # The comparison itself, against fwvet's directory input.
        check_container_dir(s, src, tree)

        containers = [
            ("squashfs-gzip", "squashfs", mk_squashfs("gzip")),
            ("squashfs-lzo", "squashfs", mk_squashfs("lzo")),
            ("squashfs-lz4", "squashfs", mk_squashfs("lz4")),
            ("squashfs-xz", "squashfs", mk_squashfs("xz")),
            ("squashfs-zstd", "squashfs", mk_squashfs("zstd")),
            ("squashfs-lzma", "squashfs", mk_squashfs("lzma")),
            ("squashfs-xz-4k", "squashfs",
             mk_squashfs("xz", "-b", "4096")),
            ("squashfs-nofrag", "squashfs",
             mk_squashfs("gzip", "-no-fragments", "-no-duplicates")),
            ("squashfs-uncompressed", "squashfs",
             mk_squashfs(None, "-noI", "-noD", "-noF", "-noX")),
            ("cpio-newc", "cpio", mk_cpio("newc")),
            ("cpio-crc", "cpio", mk_cpio("crc")),
            ("cpio-odc", "cpio", mk_cpio("odc")),
            ("tar-ustar", "tar", mk_tar("ustar")),
            ("tar-gnu", "tar", mk_tar("gnu")),
            ("tar-pax", "tar", mk_tar("pax")),
            ("zip", "zip", mk_zip),
            ("7z", "7z", mk_7z),
            ("iso9660", "iso9660", mk_iso),
        ]
        made = {}
        for label, fmt, build in containers:
            img = os.path.join(tmp, label + ".img")
            try:
                build(img, src)
            except RuntimeError as ex:
                s.check(False, "%s: building the image" % label, str(ex))
                continue
            made[label] = img
            want = expected(s, fmt, tree)
            check_container(s, img, label + ".img/" + fmt, want, label)

        # Compressed streams around a tar (and a cpio, initramfs style).
        for kind in WRAPPERS:
            if "tar-gnu" not in made:
                break
            img = os.path.join(tmp, "wrapped.tar." + kind)
            try:
                wrap(kind, made["tar-gnu"], img)
            except RuntimeError as ex:
                s.check(False, "tar.%s: building the image" % kind, str(ex))
                continue
            check_container(s, img, "wrapped.tar.%s/%s/tar" % (kind, kind),
                            expected(s, "tar", tree), "tar." + kind)
        if "cpio-newc" in made:
            img = os.path.join(tmp, "initrd.cpio.gz")
            wrap("gzip", made["cpio-newc"], img)
            check_container(s, img, "initrd.cpio.gz/gzip/cpio",
                            expected(s, "cpio", tree), "cpio.gz")

        nested_tar_sqfs_cpio(s, tmp, src, tree, made)
        nested_iso_zip_tarbz2(s, tmp, src, tree, made)
        firmware(s, tmp, src, tree)
    s.finish()


def check_container_dir(s, src, tree):
    """fwvet's own view of the source directory: validates the comparison
    before any format is involved."""
    js = T.ls_json(s, src, what="directory input")
    if js is None:
        return
    root = os.path.basename(src)
    T.compare_trees(s, "directory input", T.tree_of_ls(js, root), tree)


def nested_tar_sqfs_cpio(s, tmp, src, tree, made):
    """nested.tar.gz > tar > rootfs.sqfs > squashfs > boot/initrd.cpio.xz >
    xz > cpio: the innermost tree and every level on the way."""
    if "cpio-newc" not in made:
        return
    try:
        mid = os.path.join(tmp, "nest-mid")
        os.makedirs(os.path.join(mid, "boot"))
        wrap("xz", made["cpio-newc"], os.path.join(mid, "boot",
                                                   "initrd.cpio.xz"))
        with open(os.path.join(mid, "boot", "marker"), "wb") as f:
            f.write(b"middle level\n")
        outer = os.path.join(tmp, "nest-outer")
        os.makedirs(outer)
        mk_squashfs("gzip")(os.path.join(outer, "rootfs.sqfs"), mid)
        with open(os.path.join(outer, "readme.txt"), "wb") as f:
            f.write(b"outer level\n")
        tarf = os.path.join(tmp, "nested.tar")
        mk_tar("gnu")(tarf, outer)
        img = os.path.join(tmp, "nested.tar.gz")
        wrap("gzip", tarf, img)
    except (RuntimeError, OSError) as ex:
        s.check(False, "nested tar.gz: building the image", str(ex))
        return
    base = "nested.tar.gz/gzip/tar"
    sq = base + "/rootfs.sqfs/squashfs"
    inner = sq + "/boot/initrd.cpio.xz/xz/cpio"
    js = check_container(s, img, inner, expected(s, "cpio", tree),
                         "nested tar.gz>squashfs>cpio.xz")
    if js is None:
        return
    T.compare_trees(s, "nested: outer tar", T.tree_of_ls(js, base),
                    T.tree_of_dir(outer))
    T.compare_trees(s, "nested: middle squashfs", T.tree_of_ls(js, sq),
                    T.tree_of_dir(mid))
    n = T.node(js, inner)
    s.check(n is not None and n.get("depth", 0) >= 4,
            "nested: innermost container is at depth >= 4",
            "node: %r" % (n,))


def nested_iso_zip_tarbz2(s, tmp, src, tree, made):
    """nested.iso > iso9660 > pkg/data.zip > zip > data.tar.bz2 > bzip2 >
    tar."""
    if "tar-ustar" not in made:
        return
    try:
        zdir = os.path.join(tmp, "nest2-zip")
        os.makedirs(zdir)
        wrap("bzip2", made["tar-ustar"], os.path.join(zdir, "data.tar.bz2"))
        idir = os.path.join(tmp, "nest2-iso")
        os.makedirs(os.path.join(idir, "pkg"))
        mk_zip(os.path.join(idir, "pkg", "data.zip"), zdir)
        img = os.path.join(tmp, "nested.iso")
        mk_iso(img, idir)
    except (RuntimeError, OSError) as ex:
        s.check(False, "nested iso: building the image", str(ex))
        return
    inner = ("nested.iso/iso9660/pkg/data.zip/zip/data.tar.bz2/bzip2/tar")
    check_container(s, img, inner, expected(s, "tar", tree),
                    "nested iso>zip>tar.bz2")


def firmware(s, tmp, src, tree):
    """A uImage kernel and the source tree as a squashfs at 0x200000, built
    by tests/fixtures/mkfirmware.sh."""
    out = os.path.join(tmp, "fw")
    try:
        T.sh(["sh", T.MKFIRMWARE, "router", out, src])
    except RuntimeError as ex:
        s.check(False, "firmware: mkfirmware.sh router", str(ex))
        return
    img = os.path.join(out, "router.bin")
    js = check_container(s, img, "router.bin/squashfs@0x200000",
                         expected(s, "squashfs", tree),
                         "uImage+squashfs@0x200000")
    if js is None:
        return
    kernel = T.sha256_file(os.path.join(out, "parts", "kernel.bin"))
    hits = [n["path"] for n in js["files"] if n.get("sha256") == kernel]
    s.check(any(p.startswith("router.bin/uimage") for p in hits),
            "firmware: the decompressed kernel is below router.bin/uimage",
            "nodes with the kernel's sha256: %r; top nodes: %r"
            % (hits, [n["path"] for n in js["files"]
                      if n.get("path", "").count("/") <= 2][:20]))


if __name__ == "__main__":
    main()
