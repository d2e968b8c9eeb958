"""`fwvet extract IMG -C DIR`: normal images come out equal to their source
(content, symlinks, modes without setuid/setgid/sticky); hostile ones
(path traversal, absolute names, writes through symlinks, NUL in names,
duplicates, link chains and loops, a DIR that already holds a symlink to
outside) create and modify nothing outside DIR, report each refusal on
stderr and exit 0.

"Nothing outside DIR" is checked by snapshotting the whole temporary
directory (a sentinel file, an 'outside' directory the hostile links point
at, the images) before and after, and by checking that the absolute names
used do not exist afterwards.
"""

import io
import os
import stat
import sys
import tarfile
import uuid
import zipfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402

# Unique absolute names, so a failure cannot hit anything real and is easy
# to clean up.
TOKEN = "fwvet-test-" + uuid.uuid4().hex[:12]
ABS_DIR = "/tmp/" + TOKEN + "-abs"


# --- writing archives by hand -------------------------------------------

def tar_bytes(members, fmt=tarfile.GNU_FORMAT):
    """members: (name, type, data_or_linkname, mode)."""
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=fmt) as tf:
        for name, kind, payload, mode in members:
            ti = tarfile.TarInfo(name)
            ti.mode = mode
            ti.mtime = 1591185600
            if kind == "file":
                ti.size = len(payload)
                tf.addfile(ti, io.BytesIO(payload))
                continue
            ti.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                       "hardlink": tarfile.LNKTYPE,
                       "chardev": tarfile.CHRTYPE,
                       "fifo": tarfile.FIFOTYPE}[kind]
            if kind in ("symlink", "hardlink"):
                ti.linkname = payload
            if kind == "chardev":
                ti.devmajor, ti.devminor = 1, 3
            tf.addfile(ti)
    return bio.getvalue()


def tar_header_raw(name_field, data):
    """One ustar header whose 100-byte name field is `name_field` as is
    (it may hold a NUL in the middle), then the data."""
    h = bytearray(512)
    h[0:len(name_field)] = name_field
    h[100:108] = b"0000644\0"
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % len(data)
    h[136:148] = b"%011o\0" % 1591185600
    h[156:157] = b"0"
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    pad = (512 - len(data) % 512) % 512
    return bytes(h) + data + b"\0" * pad


def newc(name, data=b"", mode=0o100644, ino=1, nlink=1):
    """One newc cpio member; `name` is bytes and may hold a NUL."""
    namesize = len(name) + 1
    hdr = b"070701" + b"".join(b"%08X" % v for v in (
        ino, mode, 0, 0, nlink, 1591185600, len(data), 0, 0, 0, 0,
        namesize, 0))
    out = hdr + name + b"\0"
    out += b"\0" * ((4 - len(out) % 4) % 4)
    out += data + b"\0" * ((4 - len(data) % 4) % 4)
    return out


def cpio_bytes(members):
    out = b""
    for i, (name, data) in enumerate(members):
        out += newc(name, data, ino=i + 1)
    return out + newc(b"TRAILER!!!", mode=0, ino=0, nlink=1)


def zip_bytes(members):
    """members: (name, data, unix_mode)."""
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w") as zf:
        for name, data, mode in members:
            zi = zipfile.ZipInfo(name, date_time=(2020, 6, 3, 12, 0, 0))
            zi.create_system = 3  # unix: the mode is in external_attr
            zi.external_attr = mode << 16
            zf.writestr(zi, data)
    return bio.getvalue()


# --- the checks -----------------------------------------------------------

class Env:
    """A temporary directory holding: sentinel.txt, outside/ (with a file),
    img/ (the images) and the extraction directories."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.outside = os.path.join(tmp, "outside")
        os.makedirs(self.outside)
        self.sentinel = os.path.join(tmp, "sentinel.txt")
        with open(self.sentinel, "wb") as f:
            f.write(b"must not change\n")
        with open(os.path.join(self.outside, "victim"), "wb") as f:
            f.write(b"must not change either\n")
        self.imgdir = os.path.join(tmp, "img")
        os.makedirs(self.imgdir)

    def image(self, name, data):
        p = os.path.join(self.imgdir, name)
        with open(p, "wb") as f:
            f.write(data)
        return p


def extract(s, env, label, img, prepare=None):
    """Extracts `img` into a fresh directory; checks exit 0, no crash, and
    that nothing outside the directory changed.  Returns (dir, result)."""
    d = os.path.join(env.tmp, "x-" + label.replace(" ", "-").replace("/", "_"))
    os.makedirs(d)
    if prepare:
        prepare(d)
    before = snapshot_outside(env, d)
    r = T.fwvet(s, "extract", img, "-C", d, what="extract " + label)
    after = snapshot_outside(env, d)
    changed = sorted(p for p in set(before) | set(after)
                     if before.get(p) != after.get(p))
    s.check(not changed, "%s: nothing outside DIR created or modified"
            % label, "\n".join(changed[:20]))
    strays = [p for p in (ABS_DIR, "/" + TOKEN)
              if os.path.lexists(p)]
    s.check(not strays, "%s: absolute names not created" % label,
            "\n".join(strays))
    for p in strays:
        os.system("rm -rf '%s'" % p)
    return d, r


def snapshot_outside(env, d):
    snap = T.snapshot(env.tmp, skip=d)
    rel = os.path.relpath(d, env.tmp)
    return {p: v for p, v in snap.items() if p != rel}


def refused(s, label, r, name):
    """stderr names the refused entry."""
    lines = [l for l in r.stderr.splitlines() if "not written" in l]
    s.check(any(name in l for l in lines),
            "%s: refusal of '%s' reported on stderr" % (label, name),
            r.describe())


def link_path(img, name):
    """The provenance path extract prints for entry `name` of a tar."""
    return os.path.basename(img) + "/tar/" + name


def refused_one(s, label, r, needles):
    """stderr reports at least one of `needles` as not written."""
    lines = [l for l in r.stderr.splitlines() if "not written" in l]
    s.check(any(n in l for n in needles for l in lines),
            "%s: refusal of one of %s reported on stderr"
            % (label, ", ".join(needles)), r.describe())


def disk_tree(root):
    """What extract wrote: {relpath: (kind, mode, content or target)}."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            rel = "/" + os.path.relpath(p, root)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink", None, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st.st_mode), None)
            elif stat.S_ISREG(st.st_mode):
                out[rel] = ("file", stat.S_IMODE(st.st_mode),
                            T.sha256_file(p))
            else:
                out[rel] = ("other", stat.S_IMODE(st.st_mode), None)
    return out


def want_on_disk(src):
    """The source tree as extract should write it: setuid, setgid and
    sticky dropped; directories get u+rwx (extract needs to write into
    them); fifos and devices are not created."""
    out = {}
    for p, e in T.tree_of_dir(src).items():
        if e.kind == "file":
            out[p] = ("file", e.mode & 0o777, e.sha256)
        elif e.kind == "dir":
            out[p] = ("dir", (e.mode & 0o777) | 0o700, None)
        elif e.kind == "symlink":
            out[p] = ("symlink", None, e.link)
    return out


def compare_disk(s, label, got, want):
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    differ = sorted(p for p in set(want) & set(got) if got[p] != want[p])
    s.check(not missing, "%s: nothing missing on disk" % label,
            "\n".join(missing[:20]))
    s.check(not extra, "%s: nothing extra on disk" % label,
            "\n".join(extra[:20]))
    s.check(not differ, "%s: contents, links and modes on disk" % label,
            "\n".join("%s want %r got %r" % (p, want[p], got[p])
                      for p in differ[:20]))


def build_src(root):
    def put(rel, data, mode=0o644):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)

    os.makedirs(root)
    put("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    put("etc/shadow", b"root::1:0:99999:7:::\n", 0o600)
    put("bin/busybox", T.prng_bytes("bb", 70000), 0o4755)
    put("bin/sgid", b"#!/bin/sh\n", 0o2755)
    put("bin/ro", b"read only\n", 0o444)
    put("empty", b"")
    put("big", T.prng_bytes("big", 300000))
    put("a/b/c/deep", b"deep\n")
    os.symlink("busybox", os.path.join(root, "bin/sh"))
    os.symlink("/etc/passwd", os.path.join(root, "etc/abs-link"))
    os.symlink("../nowhere", os.path.join(root, "etc/dangling"))
    os.makedirs(os.path.join(root, "tmp"))
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    os.makedirs(os.path.join(root, "root"))
    os.chmod(os.path.join(root, "root"), 0o700)
    os.mkfifo(os.path.join(root, "fifo"))


def normal_images(s, env):
    src = os.path.join(env.tmp, "src")
    build_src(src)
    want = want_on_disk(src)

    sq = os.path.join(env.imgdir, "rootfs.sqfs")
    T.sh(["mksquashfs", src, sq, "-comp", "xz", "-noappend", "-no-progress",
          "-quiet"])
    d, r = extract(s, env, "squashfs", sq)
    compare_disk(s, "squashfs", disk_tree(os.path.join(d, "squashfs")), want)
    s.check("extracted" in r.stdout, "squashfs: summary on stdout",
            r.describe())
    s.check("not created: 1" in r.stdout,
            "squashfs: the fifo is counted as not created", r.stdout)

    tarf = os.path.join(env.imgdir, "rootfs.tar")
    T.sh(["tar", "--format=gnu", "-cf", tarf, "-C", src, "."])
    tgz = env.image("rootfs.tar.gz", T.sh(["gzip", "-n", "-c", tarf]))
    d, r = extract(s, env, "tar.gz", tgz)
    compare_disk(s, "tar.gz",
                 disk_tree(os.path.join(d, "gzip.extracted", "tar")), want)
    with open(tarf, "rb") as f:
        tar_sha = T.hashlib.sha256(f.read()).hexdigest()
    p = os.path.join(d, "gzip")
    s.check(os.path.isfile(p) and T.sha256_file(p) == tar_sha,
            "tar.gz: the decompressed stream is written at 'gzip'")

    # Extracting twice into the same directory: nothing is overwritten,
    # everything is refused, the tree is unchanged.
    before = disk_tree(d)
    r = T.fwvet(s, "extract", tgz, "-C", d, what="extract tar.gz again")
    s.check(disk_tree(d) == before, "tar.gz again: tree unchanged")
    s.check("exists" in r.stderr, "tar.gz again: 'exists' refusals "
            "reported", r.describe())

    # The firmware image from the fixture generator.
    fw = os.path.join(env.tmp, "fw")
    T.sh(["sh", T.MKFIRMWARE, "router", fw, src])
    d, r = extract(s, env, "firmware", os.path.join(fw, "router.bin"))
    compare_disk(s, "firmware",
                 disk_tree(os.path.join(d, "squashfs@0x200000")), want)
    # Carved and decoded blobs have no mode of their own: written so that
    # whoever extracted them can read them.
    for blob in ("uimage", "uimage.extracted/lzma"):
        p = os.path.join(d, blob)
        mode = os.lstat(p).st_mode & 0o777 if os.path.lexists(p) else None
        s.check(mode is not None and mode & 0o600 == 0o600,
                "firmware: blob '%s' written readable and writable by its "
                "owner (mode %s)" % (blob, oct(mode) if mode is not None
                                     else "missing"))


def hostile_images(s, env):
    out = env.outside
    victim = os.path.join(out, "victim")

    # Path traversal and absolute names, with good entries around them.
    img = env.image("traversal.tar", tar_bytes([
        ("good/before", "file", b"ok\n", 0o644),
        ("../../escape", "file", b"pwned\n", 0o644),
        (ABS_DIR + "/path", "file", b"pwned\n", 0o644),
        ("a/../../b-escape", "file", b"pwned\n", 0o644),
        ("./../dot-escape", "file", b"pwned\n", 0o644),
        ("good/after", "file", b"ok\n", 0o644),
    ]))
    d, r = extract(s, env, "traversal", img)
    for name in ("escape", "b-escape", "dot-escape", ABS_DIR[1:] + "/path"):
        refused(s, "traversal", r, name)
    for g in ("before", "after"):
        s.check(os.path.isfile(os.path.join(d, "tar", "good", g)),
                "traversal: good entry '%s' still extracted" % g)

    # A symlink to outside, then a file written "through" it; the same
    # through a link to '..' and through chains and loops.
    img = env.image("links.tar", tar_bytes([
        ("link", "symlink", out, 0o777),
        ("link/file", "file", b"pwned\n", 0o644),
        ("link/victim", "file", b"pwned\n", 0o644),
        ("up", "symlink", "..", 0o777),
        ("up/through-dotdot", "file", b"pwned\n", 0o644),
        ("up/up/through-dotdot2", "file", b"pwned\n", 0o644),
        ("c1", "symlink", "c2", 0o777),
        ("c2", "symlink", "c3", 0o777),
        ("c3", "symlink", out, 0o777),
        ("c1/through-chain", "file", b"pwned\n", 0o644),
        ("l1", "symlink", "l2", 0o777),
        ("l2", "symlink", "l1", 0o777),
        ("l1/through-loop", "file", b"pwned\n", 0o644),
        ("vlink", "symlink", victim, 0o777),
        ("vlink", "file", b"pwned through an existing name\n", 0o644),
        ("hl", "hardlink", victim, 0o644),
        ("hl2", "hardlink", "../../outside/victim", 0o644),
        ("ok", "file", b"ok\n", 0o644),
    ]))
    d, r = extract(s, env, "symlinks", img)
    td = os.path.join(d, "tar")
    # Symlinks are created after everything else, so a path through one
    # makes a real directory and the symlink itself is refused, whatever
    # order the worker threads see the entries in.
    for link, through in (("link", "link/file"), ("link", "link/victim"),
                          ("up", "up/through-dotdot"),
                          ("c1", "c1/through-chain"),
                          ("l1", "l1/through-loop")):
        refused_one(s, "symlinks", r, ["'%s'" % link_path(img, link)])
        p = os.path.join(td, link)
        s.check(os.path.isdir(p) and not os.path.islink(p),
                "symlinks: '%s' is a real directory, not the image's "
                "symlink" % link)
    s.check(os.path.isfile(os.path.join(td, "ok")),
            "symlinks: good entry still extracted")
    vst = os.stat(victim)
    for h in ("hl", "hl2"):
        p = os.path.join(td, h)
        if os.path.lexists(p):
            st = os.lstat(p)
            s.check(st.st_ino != vst.st_ino and not stat.S_ISLNK(st.st_mode),
                    "symlinks: hard link entry '%s' is not a link to the "
                    "outside file" % h)

    # NUL bytes inside names (raw tar and cpio bytes): whatever the reader
    # makes of them, nothing lands outside.
    raw = tar_header_raw(b"nul\0../../nul-escape", b"pwned\n")
    raw += tar_header_raw(b"good-nul", b"ok\n") + b"\0" * 1024
    img = env.image("nul.tar", raw)
    d, r = extract(s, env, "NUL in tar name", img)
    s.check(not os.path.lexists(os.path.join(env.tmp, "nul-escape")),
            "NUL in tar name: no escape")
    img = env.image("nul.cpio", cpio_bytes([
        (b"cnul\0/../../cpio-nul-escape", b"pwned\n"),
        (b"../cpio-escape", b"pwned\n"),
        (b"good-cpio", b"ok\n"),
    ]))
    d, r = extract(s, env, "NUL in cpio name", img)
    refused(s, "NUL in cpio name", r, "cpio-escape")
    s.check(os.path.isfile(os.path.join(d, "cpio", "good-cpio")),
            "NUL in cpio name: good entry still extracted", r.describe())

    # Duplicate names: the first one written stays.
    img = env.image("dup.tar", tar_bytes([
        ("dup.txt", "file", b"first\n", 0o644),
        ("dup.txt", "file", b"second, must not overwrite\n", 0o644),
    ]))
    d, r = extract(s, env, "duplicates", img)
    p = os.path.join(d, "tar", "dup.txt")
    got = open(p, "rb").read() if os.path.isfile(p) else None
    s.check(got in (b"first\n", b"second, must not overwrite\n"),
            "duplicates: one whole copy on disk", repr(got))
    s.eq(got, b"first\n", "duplicates: the first entry wins")
    refused(s, "duplicates", r, "dup.txt")

    # zip: traversal, absolute name and a symlink written through.
    img = env.image("evil.zip", zip_bytes([
        ("../zip-escape", b"pwned\n", 0o100644),
        (ABS_DIR + "/zip", b"pwned\n", 0o100644),
        ("zlink", out.encode(), 0o120777),
        ("zlink/file", b"pwned\n", 0o100644),
        ("good.txt", b"ok\n", 0o100644),
    ]))
    d, r = extract(s, env, "zip", img)
    refused(s, "zip", r, "zip-escape")
    refused_one(s, "zip", r, ["'evil.zip/zip/zlink'",
                              "'evil.zip/zip/zlink/file'"])
    s.check(os.path.isfile(os.path.join(d, "zip", "good.txt")),
            "zip: good entry still extracted", r.describe())

    # A device node: recorded, not created.
    img = env.image("dev.tar", tar_bytes([
        ("dev/null", "chardev", None, 0o666),
        ("dev/fifo", "fifo", None, 0o644),
        ("dev/ok", "file", b"ok\n", 0o644),
    ]))
    d, r = extract(s, env, "devices", img)
    s.check(not os.path.lexists(os.path.join(d, "tar", "dev", "null")) and
            not os.path.lexists(os.path.join(d, "tar", "dev", "fifo")),
            "devices: device and fifo not created")
    s.check("not created: 2" in r.stdout,
            "devices: counted as not created", r.stdout)

    # DIR already holds symlinks to outside where the image writes.
    img = env.image("pre.tar", tar_bytes([
        ("pre/file", "file", b"pwned\n", 0o644),
        ("prefile", "file", b"pwned\n", 0o644),
        ("fresh", "file", b"ok\n", 0o644),
    ]))

    def prepare_inner(d):
        os.makedirs(os.path.join(d, "tar"))
        os.symlink(out, os.path.join(d, "tar", "pre"))
        os.symlink(victim, os.path.join(d, "tar", "prefile"))

    d, r = extract(s, env, "existing links inside DIR", img, prepare_inner)
    refused(s, "existing links inside DIR", r, "pre/file")
    refused(s, "existing links inside DIR", r, "prefile")
    s.check(os.path.isfile(os.path.join(d, "tar", "fresh")),
            "existing links inside DIR: good entry still extracted")

    def prepare_top(d):
        os.symlink(out, os.path.join(d, "tar"))

    d, r = extract(s, env, "DIR/tar is a link to outside", img, prepare_top)
    refused(s, "DIR/tar is a link to outside", r, "fresh")

    # DIR itself given through a symlink is the user's choice and is
    # used; only what is below it is guarded.  DIR a regular file: an
    # input error.
    f = os.path.join(env.tmp, "not-a-dir")
    with open(f, "wb") as fh:
        fh.write(b"x")
    r = T.fwvet(s, "extract", img, "-C", f, what="extract -C FILE",
                expect_rc=3)
    s.check(r.stderr.startswith("fwvet: "), "extract -C FILE: error on "
            "stderr", r.describe())


def main():
    s = T.Suite("extract")
    T.need_tools(s, "mksquashfs", "tar", "gzip", "mkimage", "cc")
    with T.tempdir("extract") as tmp:
        env = Env(tmp)
        try:
            normal_images(s, env)
        except RuntimeError as ex:
            s.check(False, "normal images: building", str(ex))
        hostile_images(s, env)
    for p in (ABS_DIR, "/" + TOKEN):
        if os.path.lexists(p):
            os.system("rm -rf '%s'" % p)
    s.finish()


if __name__ == "__main__":
    main()
