"""Hostile and damaged inputs: truncated images, CRC mismatches, bit flips,
a gzip bomb, a nested-archive bomb, node/total/file limits, random data,
an empty file and a directory with symlink loops.

For every one: fwvet exits 0, never dies of a signal or hangs, its JSON
parses, and the finding the damage calls for (unpack.corrupt, or
unpack.limit with the limit's name as evidence) is there.
"""

import io
import os
import sys
import tarfile
import zipfile
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402

MIB = 1 << 20


def ls(s, path, *opts, what=None):
    return T.ls_json(s, path, *opts, what=what or os.path.basename(path))


def has_rule(s, js, rule, label, evidence=None):
    fs = [f for f in T.findings(js, rule)
          if evidence is None or f.get("evidence") == evidence]
    s.check(fs, "%s: finding %s%s" % (
        label, rule, " (%s)" % evidence if evidence else ""),
        "findings: %r" % [(f.get("rule"), f.get("evidence"),
                           f.get("message")) for f in T.findings(js)][:10])
    return fs


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def truncations(s, tmp, fw):
    """Each part cut at several points: a corrupt finding, no crash."""
    parts = os.path.join(fw, "parts")
    with open(os.path.join(parts, "rootfs.squashfs"), "rb") as f:
        sq = f.read()
    with open(os.path.join(parts, "kernel.uimage"), "rb") as f:
        ui = f.read()
    with open(os.path.join(fw, "router.bin"), "rb") as f:
        img = f.read()
    tgz = tar_gz(tmp)
    cases = []
    # mksquashfs pads to 4 KiB; bytes_used (superblock offset 40) is where
    # the filesystem really ends.
    used = int.from_bytes(sq[40:48], "little")
    for cut in (120, 1024, used // 3, used // 2, used - 100):
        cases.append(("squashfs cut at %d" % cut, sq[:cut]))
    for cut in (64 + 10, 64 + (len(ui) - 64) // 2, len(ui) - 1):
        cases.append(("uImage cut at %d" % cut, ui[:cut]))
    for cut in (200, len(tgz) // 2, len(tgz) - 4):
        cases.append(("tar.gz cut at %d" % cut, tgz[:cut]))
    # Cut before deflate produced a byte, a gzip header is all there is:
    # the reader cannot tell it from a stray magic number and declines,
    # so only "no crash" is asserted.
    s.note("a gzip stream cut before its first output byte (tar.gz cut at "
           "30) is not reported: the reader declines it like a false "
           "magic match")
    ls(s, write(os.path.join(tmp, "trunc-early.gz"), tgz[:30]),
       what="tar.gz cut at 30")
    cases.append(("router.bin cut in the squashfs",
                  img[:0x200000 + len(sq) // 2]))
    for i, (label, data) in enumerate(cases):
        p = write(os.path.join(tmp, "trunc%d.bin" % i), data)
        js = ls(s, p, what=label)
        if js is not None:
            has_rule(s, js, "unpack.corrupt", label)
            n = T.node(js, "trunc%d.bin" % i)
            s.check(n is not None and n.get("size") == len(data),
                    "%s: root node is the whole input" % label)


STREAMS = {
    # provenance segment: command writing the stream to stdout
    "gzip": ["gzip", "-n", "-c"],
    "xz": ["xz", "-c"],
    "lzma": ["xz", "--format=lzma", "-c"],
    "bzip2": ["bzip2", "-c"],
    "zstd": ["zstd", "-q", "-c"],
    "lz4": ["lz4", "-q", "-c"],
}


def stream_truncations(s, tmp):
    """3 MiB of noise in each compressed stream, cut at 60%: what was
    decoded before the cut is kept (a partial, truncated node) and the cut
    is reported."""
    src = write(os.path.join(tmp, "noise3m"), T.prng_bytes("cut", 3 * MIB))
    for seg, cmd in STREAMS.items():
        label = "%s cut at 60%%" % seg
        try:
            full = T.sh(cmd + [src])
        except RuntimeError as ex:
            s.check(False, label + ": compressing", str(ex))
            continue
        name = "cut60." + seg
        js = ls(s, write(os.path.join(tmp, name),
                         full[:len(full) * 6 // 10]), what=label)
        if js is None:
            continue
        has_rule(s, js, "unpack.corrupt", label)
        n = T.node(js, name + "/" + seg)
        s.check(n is not None and 0 < n.get("size", 0) < 3 * MIB and
                "truncated" in n.get("flags", []),
                "%s: the decoded part is kept, flagged truncated" % label,
                "node: %r" % (n,))


def tar_gz(tmp):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for i in range(20):
            data = T.prng_bytes("tgz%d" % i, 3000 + 500 * i)
            ti = tarfile.TarInfo("dir/file%02d" % i)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    co = zlib.compressobj(6, zlib.DEFLATED, 31)
    return co.compress(bio.getvalue()) + co.flush()


def crc_mismatches(s, tmp, fw):
    with open(os.path.join(fw, "parts", "kernel.uimage"), "rb") as f:
        ui = bytearray(f.read())
    payload = bytearray(ui)
    payload[64 + 1000] ^= 0x55
    js = ls(s, write(os.path.join(tmp, "crc-data.bin"), bytes(payload)),
            what="uImage data crc")
    if js is not None:
        fs = has_rule(s, js, "unpack.corrupt", "uImage data crc")
        s.check(any("crc" in f.get("message", "") for f in fs),
                "uImage data crc: the message names the crc", repr(fs))
    header = bytearray(ui)
    header[40] ^= 0x01  # inside the image name
    js = ls(s, write(os.path.join(tmp, "crc-hdr.bin"), bytes(header)),
            what="uImage header crc")
    if js is not None:
        fs = has_rule(s, js, "unpack.corrupt", "uImage header crc")
        s.check(any("crc" in f.get("message", "") for f in fs),
                "uImage header crc: the message names the crc", repr(fs))
        s.check(T.node(js, "crc-hdr.bin/uimage") is not None,
                "uImage header crc: the image is still unpacked")


def bit_flips(s, tmp, fw):
    """The demo squashfs with one byte flipped at spread-out offsets (the
    superblock, the tables at the end, data in the middle)."""
    with open(os.path.join(fw, "parts", "rootfs.squashfs"), "rb") as f:
        sq = f.read()
    n = len(sq)
    offsets = sorted({8, 12, 20, 28, 40, 48, 64, 72, 88, 100, n // 4, n // 2,
                      n - 2000, n - 600, n - 300, n - 100, n - 40, n - 8})
    for off in offsets:
        b = bytearray(sq)
        b[off] ^= 0xa5
        p = write(os.path.join(tmp, "flip-%d.sqfs" % off), bytes(b))
        ls(s, p, what="squashfs byte 0x%x flipped" % off)


def gzip_bomb(s, tmp):
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    zero = bytes(MIB)
    out = [co.compress(zero) for _ in range(200)]
    out.append(co.flush())
    bomb = b"".join(out)
    p = write(os.path.join(tmp, "bomb.gz"), bomb)
    js = ls(s, p, "--max-ratio", "100", what="gzip bomb")
    if js is None:
        return
    has_rule(s, js, "unpack.limit", "gzip bomb", "ratio")
    n = T.node(js, "bomb.gz/gzip")
    bound = 100 * len(bomb) + MIB
    s.check(n is not None and n.get("size", 1 << 62) <= bound,
            "gzip bomb: decoded output bounded by the ratio (%d bytes)"
            % bound, "node: %r" % (n,))
    s.check(n is not None and "truncated" in n.get("flags", []),
            "gzip bomb: the stream is flagged truncated", "node: %r" % (n,))

    # The same with --max-file and --max-total.
    js = ls(s, p, "--max-file", "4M", what="gzip bomb --max-file")
    if js is not None:
        has_rule(s, js, "unpack.limit", "gzip bomb --max-file", "file-bytes")
        n = T.node(js, "bomb.gz/gzip")
        s.check(n is not None and n.get("size", 1 << 62) <= 4 * MIB,
                "gzip bomb --max-file: output at most 4 MiB", repr(n))
    js = ls(s, p, "--max-total", "1M", what="gzip bomb --max-total")
    if js is not None:
        has_rule(s, js, "unpack.limit", "gzip bomb --max-total",
                 "total-bytes")
        total = sum(x.get("size", 0) for x in js["files"]
                    if x.get("path") != "bomb.gz" and x.get("kind") == "file")
        s.check(total <= MIB, "gzip bomb --max-total: at most 1 MiB decoded",
                "decoded: %d" % total)


def zip_nest(s, tmp):
    data = zip_one("payload.txt", b"the centre of the onion\n")
    for level in range(20, 0, -1):
        data = zip_one("level%02d.zip" % level, data)
    p = write(os.path.join(tmp, "nest.zip"), data)
    js = ls(s, p, "--max-depth", "5", what="zip nested 20 deep")
    if js is None:
        return
    has_rule(s, js, "unpack.limit", "zip nested 20 deep", "depth")
    deepest = max(n.get("depth", 0) for n in js["files"])
    s.check(deepest <= 5, "zip nested 20 deep: nothing deeper than 5",
            "deepest: %d" % deepest)
    s.check(deepest >= 4, "zip nested 20 deep: unpacked down to the limit",
            "deepest: %d" % deepest)
    # Without the option the default (16) stops it too.
    js = ls(s, p, what="zip nested 20 deep, default limit")
    if js is not None:
        has_rule(s, js, "unpack.limit", "zip nested, default limit", "depth")


def zip_one(name, data):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo(name, (2020, 6, 3, 12, 0, 0)), data)
    return bio.getvalue()


def node_limit(s, tmp):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for i in range(500):
            data = b"file %d\n" % i
            ti = tarfile.TarInfo("many/f%03d.txt" % i)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    p = write(os.path.join(tmp, "many.tar"), bio.getvalue())
    js = ls(s, p, "--max-nodes", "50", what="tar of 500 files")
    if js is None:
        return
    has_rule(s, js, "unpack.limit", "tar of 500 files", "nodes")
    s.check(len(js["files"]) <= 50, "tar of 500 files: at most 50 nodes",
            "nodes: %d" % len(js["files"]))
    s.check(len(js["files"]) >= 10, "tar of 500 files: unpacked up to "
            "the limit", "nodes: %d" % len(js["files"]))


def total_limit(s, tmp):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for i in range(6):
            data = T.text_bytes("total%d" % i, 512 * 1024)
            ti = tarfile.TarInfo("big%d" % i)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    for name, wrapper in (("xz", ["xz", "-c"]), ("bz2", ["bzip2", "-c"])):
        tarp = write(os.path.join(tmp, "total.tar"), bio.getvalue())
        p = write(os.path.join(tmp, "total.tar." + name),
                  T.sh(wrapper + [tarp]))
        label = "3 MiB tar.%s --max-total 1M" % name
        js = ls(s, p, "--max-total", "1M", what=label)
        if js is None:
            continue
        has_rule(s, js, "unpack.limit", label, "total-bytes")
        decoded = [x for x in js["files"] if x.get("path") != "total.tar."
                   + name and x.get("kind") == "file"
                   and x.get("path", "").count("/") == 1]
        s.check(all(x.get("size", 0) <= MIB for x in decoded),
                "%s: the decoded stream is at most 1 MiB" % label,
                repr([(x["path"], x.get("size")) for x in decoded]))


def random_data(s, tmp):
    """Deterministic noise, and noise with every magic number sprinkled in
    (each followed by more noise)."""
    noise = T.prng_bytes("noise", MIB)
    p = write(os.path.join(tmp, "noise.bin"), noise)
    ls(s, p, what="random data")
    T.fwvet(s, "scan", "--format", "json", p, what="scan random data")
    magics = [b"\x1f\x8b\x08", b"hsqs", b"sqsh", b"\x27\x05\x19\x56",
              b"HDR0", b"\xfd7zXZ\x00", b"\x5d\x00\x00\x80\x00", b"BZh9",
              b"\x28\xb5\x2f\xfd", b"\x04\x22\x4d\x18", b"070701",
              b"070707", b"\xc7\x71", b"PK\x03\x04", b"PK\x05\x06",
              b"7z\xbc\xaf\x27\x1c", b"!<arch>\n", b"\x7fELF\x01\x01\x01",
              b"\x7fELF\x02\x01\x01", b"\x78\x9c", b"\x78\xda"]
    buf = bytearray()
    for i, m in enumerate(magics * 3):
        buf += T.prng_bytes("pad%d" % i, 1000 + 37 * i)
        buf += m
        if m == b"070701":
            buf += b"0" * 100  # a header made of digits
    buf += T.prng_bytes("tail", 3000)
    # ustar magic where a tar header has it, and CD001 where iso9660 has it
    tar = bytearray(T.prng_bytes("tarhdr", 2048))
    tar[257:263] = b"ustar\0"
    iso = bytearray(T.prng_bytes("iso", 40000))
    iso[32769:32774] = b"CD001"
    p = write(os.path.join(tmp, "magics.bin"), bytes(buf) + tar + iso)
    js = ls(s, p, what="random data with magic numbers")
    if js is not None:
        s.check(len(js["files"]) >= 1, "magic soup: listed")
    T.fwvet(s, "scan", "--format", "json", p, what="scan magic soup")
    # Every prefix of a small valid archive stream.
    gz = zlib.compressobj(9, zlib.DEFLATED, 31)
    small = gz.compress(b"hello, world\n" * 100) + gz.flush()
    for cut in range(0, len(small), max(1, len(small) // 12)):
        p = write(os.path.join(tmp, "gz-prefix-%d.gz" % cut), small[:cut])
        ls(s, p, what="gzip prefix of %d bytes" % cut)


def empty_and_dirs(s, tmp):
    p = write(os.path.join(tmp, "empty.bin"), b"")
    js = ls(s, p, what="empty file")
    if js is not None:
        s.check(len(js["files"]) == 1 and js["files"][0].get("size") == 0,
                "empty file: one node of size 0", repr(js["files"]))
    T.fwvet(s, "scan", "--format", "json", p, what="scan empty file")

    d = os.path.join(tmp, "loops")
    os.makedirs(os.path.join(d, "sub", "deeper"))
    os.symlink("b", os.path.join(d, "a"))
    os.symlink("a", os.path.join(d, "b"))
    os.symlink(".", os.path.join(d, "self"))
    os.symlink("..", os.path.join(d, "sub", "up"))
    os.symlink(d, os.path.join(d, "sub", "deeper", "abs-root"))
    write(os.path.join(d, "sub", "file"), b"x\n")
    js = ls(s, d, what="directory with symlink loops")
    if js is not None:
        got = {n["fspath"]: n["kind"] for n in js["files"]
               if n.get("fspath", "").startswith("/")
               and n.get("fspath") != "/"}
        want = {"/a": "symlink", "/b": "symlink", "/self": "symlink",
                "/sub": "dir", "/sub/up": "symlink", "/sub/deeper": "dir",
                "/sub/deeper/abs-root": "symlink", "/sub/file": "file"}
        s.eq(got, want, "directory with symlink loops: listed once each, "
             "links not followed")
    T.fwvet(s, "scan", "--format", "json", d, what="scan directory loops")


def main():
    s = T.Suite("hostile")
    T.need_tools(s, "mksquashfs", "mkimage", "xz", "bzip2", "zstd", "lz4",
                 "gzip", "cc")
    with T.tempdir("hostile") as tmp:
        fw = os.path.join(tmp, "fw")
        try:
            T.sh(["sh", T.MKFIRMWARE, "demo", fw])
        except RuntimeError as ex:
            s.check(False, "mkfirmware.sh demo", str(ex))
            fw = None
        if fw:
            truncations(s, tmp, fw)
            crc_mismatches(s, tmp, fw)
            bit_flips(s, tmp, fw)
        stream_truncations(s, tmp)
        gzip_bomb(s, tmp)
        zip_nest(s, tmp)
        node_limit(s, tmp)
        total_limit(s, tmp)
        random_data(s, tmp)
        empty_and_dirs(s, tmp)
    s.finish()


if __name__ == "__main__":
    main()
