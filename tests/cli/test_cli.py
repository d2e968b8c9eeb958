"""The command-line contract (DESIGN.md, "Command line" and "JSON
output"): exit codes, error messages, --help, the scan JSON keys,
--fail-on, -o, NO_COLOR, several inputs, stdin, deterministic output.
"""

import hashlib
import io
import json
import os
import sys
import tarfile
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402

SCAN_KEYS = ["tool", "input", "files", "components", "census",
             "vulnerabilities", "findings", "engineering", "summary"]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def usage_errors(s, tmp, img):
    cases = [
        ("no command", []),
        ("unknown command", ["bogus"]),
        ("ls without input", ["ls"]),
        ("ls with two inputs", ["ls", img, img]),
        ("unknown option", ["ls", "--bogus", img]),
        ("bad --format", ["ls", "--format", "xml", img]),
        ("bad --fail-on", ["scan", "--fail-on", "extreme", img]),
        ("bad --max-depth", ["ls", "--max-depth", "0", img]),
        ("bad --max-total", ["ls", "--max-total", "12Q", img]),
        ("negative --max-nodes", ["ls", "--max-nodes", "-5", img]),
        ("bad --jobs", ["scan", "-j", "many", img]),
        ("bad --max-seconds", ["scan", "--max-seconds", "never", img]),
        ("missing option value", ["ls", img, "--format"]),
        ("extract without -C", ["extract", img]),
        ("scan without input", ["scan"]),
    ]
    for label, args in cases:
        r = T.fwvet(s, *args, what=label, expect_rc=2)
        if label == "no command":
            s.check(r.stderr.strip() != "", "%s: usage on stderr" % label)
        else:
            s.check(r.stderr.startswith("fwvet: "),
                    "%s: 'fwvet: ...' on stderr" % label, r.describe())
        s.check(r.stdout == "", "%s: nothing on stdout" % label, r.stdout)


def input_errors(s, tmp):
    missing = os.path.join(tmp, "does-not-exist.bin")
    for cmd in (["ls"], ["scan"], ["extract", "-C", os.path.join(tmp, "x")]):
        label = "%s of a missing input" % cmd[0]
        r = T.fwvet(s, *(cmd + [missing]), what=label, expect_rc=3)
        s.check(r.stderr.startswith("fwvet: ") and missing in r.stderr,
                "%s: 'fwvet: <path>: <why>' on stderr" % label, r.describe())


def helps(s):
    for args in (["--help"], ["help"], ["-h"], ["ls", "--help"],
                 ["scan", "--help"], ["extract", "--help"], ["ls", "-h"]):
        label = "fwvet " + " ".join(args)
        r = T.fwvet(s, *args, what=label, expect_rc=0)
        s.check("usage:" in r.stdout, "%s: usage on stdout" % label,
                r.stdout[:300])
    r = T.fwvet(s, "--version", what="--version", expect_rc=0)
    s.check(r.stdout.startswith("fwvet "), "--version prints the version",
            r.stdout)


def scan_json(s, tmp, img):
    r = T.fwvet(s, "scan", "--format", "json", img, what="scan json")
    try:
        js = json.loads(r.stdout)
    except ValueError as ex:
        s.check(False, "scan json parses", str(ex))
        return
    s.check(isinstance(js, dict), "scan json: an object")
    for k in SCAN_KEYS:
        s.check(k in js, "scan json: key '%s'" % k, sorted(js))
    s.eq(js.get("tool", {}).get("name"), "fwvet", "scan json: tool.name")
    inp = js.get("input", {})
    with open(img, "rb") as f:
        data = f.read()
    s.eq(inp.get("size"), len(data), "scan json: input.size")
    s.eq(inp.get("sha256"), hashlib.sha256(data).hexdigest(),
         "scan json: input.sha256")
    for k, typ in (("files", list), ("components", list), ("census", list),
                   ("vulnerabilities", list), ("findings", list),
                   ("engineering", dict), ("summary", dict)):
        s.check(isinstance(js.get(k), typ), "scan json: '%s' is a %s"
                % (k, typ.__name__))
    files = js.get("files", [])
    paths = [f.get("path") for f in files]
    s.check(any(p and p.startswith("router.bin/squashfs@0x200000/")
                for p in paths),
            "scan json: the squashfs at 0x200000 is unpacked", paths[:10])
    for f in files[:50]:
        missing = [k for k in ("path", "fspath", "size", "sha256", "type")
                   if k not in f]
        if not s.check(not missing, "scan json: file entry has path, "
                       "fspath, size, sha256, type", repr(f)):
            break
    busybox = T.node(js, "router.bin/squashfs@0x200000/bin/busybox")
    s.check(busybox is not None and busybox.get("fspath") == "/bin/busybox",
            "scan json: /bin/busybox with its fspath", repr(busybox))
    for f in js.get("findings", []):
        missing = [k for k in ("rule", "severity", "path", "fspath",
                               "message", "fingerprint") if k not in f]
        s.check(not missing, "scan json: finding has the contract's keys",
                repr(f))
        s.check(f.get("severity") in ("critical", "high", "medium", "low",
                                      "info"),
                "scan json: severity is one of the five", repr(f))

    # Text report of the same image.
    r = T.fwvet(s, "scan", img, what="scan text")
    s.check("squashfs" in r.stdout and "uimage" in r.stdout.lower(),
            "scan text: names the containers", r.stdout[:2000])


def corrupt_image(tmp):
    """A tar.gz whose gzip stream is cut short: an unpack.corrupt finding
    (severity low) and nothing else."""
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.GNU_FORMAT) as tf:
        data = b"hello\n" * 2000
        ti = tarfile.TarInfo("hello.txt")
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    co = zlib.compressobj(6, zlib.DEFLATED, 31)
    gz = co.compress(bio.getvalue()) + co.flush()
    return write(os.path.join(tmp, "corrupt.tar.gz"), gz[:len(gz) - 6])


def fail_on(s, tmp):
    bad = corrupt_image(tmp)
    clean = write(os.path.join(tmp, "clean.txt"), b"just some text\n")
    T.fwvet(s, "scan", "--fail-on", "low", bad,
            what="--fail-on low, corrupt stream", expect_rc=1)
    T.fwvet(s, "scan", "--fail-on", "info", bad,
            what="--fail-on info, corrupt stream", expect_rc=1)
    T.fwvet(s, "scan", "--fail-on", "high", bad,
            what="--fail-on high, corrupt stream (low)", expect_rc=0)
    T.fwvet(s, "scan", bad, what="no --fail-on, corrupt stream",
            expect_rc=0)
    T.fwvet(s, "scan", "--fail-on", "info", clean,
            what="--fail-on info, clean text file", expect_rc=0)
    r = T.fwvet(s, "scan", "--format", "json", bad, what="scan corrupt json")
    try:
        js = json.loads(r.stdout)
        s.check(T.findings(js, "unpack.corrupt"),
                "corrupt stream: unpack.corrupt in the scan JSON")
    except ValueError as ex:
        s.check(False, "scan corrupt json parses", str(ex))
    return bad


def output_file(s, tmp, img):
    out = os.path.join(tmp, "report.json")
    r = T.fwvet(s, "scan", "--format", "json", "-o", out, img,
                what="scan -o FILE")
    s.eq(r.stdout, "", "scan -o FILE: nothing on stdout")
    try:
        with open(out) as f:
            js = json.load(f)
        s.check(all(k in js for k in SCAN_KEYS), "scan -o FILE: the report "
                "is in the file")
    except (OSError, ValueError) as ex:
        s.check(False, "scan -o FILE: file written and parses", str(ex))
    out2 = os.path.join(tmp, "ls.txt")
    r = T.fwvet(s, "ls", "--output", out2, img, what="ls --output FILE")
    s.check(os.path.isfile(out2) and os.path.getsize(out2) > 0 and
            r.stdout == "", "ls --output FILE: written there")
    r = T.fwvet(s, "scan", "-o", os.path.join(tmp, "no", "such", "dir", "x"),
                img, what="scan -o into a missing directory", expect_rc=None)
    s.check(r.rc not in (0, None) and r.stderr.startswith("fwvet: "),
            "scan -o into a missing directory: fails with a message",
            r.describe())


def colour(s, tmp, bad):
    esc = "\x1b"
    r = T.fwvet(s, "scan", bad, what="scan in a pipe")
    s.check(esc not in r.stdout, "no colour in a pipe", repr(r.stdout[:300]))
    r = T.fwvet(s, "scan", "--color", bad, what="scan --color")
    s.check(esc in r.stdout, "--color forces colour", repr(r.stdout[:300]))
    r = T.fwvet(s, "scan", bad, env={"NO_COLOR": "1"},
                what="scan with NO_COLOR")
    s.check(esc not in r.stdout, "NO_COLOR: no colour",
            repr(r.stdout[:300]))
    r = T.fwvet(s, "scan", "--no-color", bad, what="scan --no-color")
    s.check(esc not in r.stdout, "--no-color: no colour")
    r = T.fwvet(s, "ls", bad, env={"NO_COLOR": "1"}, what="ls NO_COLOR")
    s.check(esc not in r.stdout, "ls with NO_COLOR: no colour")


def several_inputs(s, tmp, img, bad):
    r = T.fwvet(s, "scan", "--format", "json", img, bad,
                what="scan json of two inputs")
    try:
        js = json.loads(r.stdout)
        s.check(isinstance(js, list) and len(js) == 2,
                "scan json of two inputs: an array of two reports")
        s.check(isinstance(js, list) and all(
            isinstance(x, dict) and "summary" in x for x in js),
            "scan json of two inputs: each a report")
    except ValueError as ex:
        s.check(False, "scan json of two inputs parses", str(ex))
    missing = os.path.join(tmp, "missing.bin")
    r = T.fwvet(s, "scan", "--format", "json", img, missing,
                what="scan of a good and a missing input", expect_rc=3)
    s.check("router.bin" in r.stdout,
            "scan of a good and a missing input: the good one is reported")


def stdin_and_names(s, tmp, img):
    with open(img, "rb") as f:
        r = T.run([T.FWVET, "ls", "--format", "json", "/dev/stdin"],
                  stdin=f)
    s.check(r.rc == 0, "ls /dev/stdin (a file)", r.describe())
    p = T.run(["sh", "-c", 'cat "$1" | "$2" ls --format json /dev/stdin',
               "sh", img, T.FWVET])
    s.check(p.rc == 0, "ls /dev/stdin (a pipe)", p.describe())
    try:
        js = json.loads(p.stdout)
        s.check(any("/squashfs@0x200000/" in n.get("path", "")
                    for n in js["files"]),
                "ls /dev/stdin (a pipe): unpacked like the file")
    except ValueError as ex:
        s.check(False, "ls /dev/stdin (a pipe): JSON", str(ex))

    write(os.path.join(tmp, "-dash.bin"), b"data\n")
    r = T.run([T.FWVET, "ls", "--", "-dash.bin"], cwd=tmp)
    s.check(r.rc == 0, "ls -- -dash.bin: a name starting with '-'",
            r.describe())

    # Entry names that are not UTF-8 or hold control characters: the JSON
    # stays valid and the text listing keeps one node per line.
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.GNU_FORMAT,
                      encoding="latin-1") as tf:
        for name in ("caf\xe9-latin1", "line\nbreak", "tab\there",
                     "esc\x1b[31m"):
            ti = tarfile.TarInfo(name)
            ti.size = 3
            tf.addfile(ti, io.BytesIO(b"abc"))
    odd = write(os.path.join(tmp, "odd-names.tar"), bio.getvalue())
    js = T.ls_json(s, odd, what="odd names")
    if js is not None:
        s.check(len([n for n in js["files"] if n.get("kind") == "file"]) >= 5,
                "odd names: every entry listed", repr(js["files"]))
    r = T.fwvet(s, "ls", odd, what="odd names text")
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    s.check(len(lines) == 6, "odd names text: one line per node",
            repr(lines))
    s.check("\x1b" not in r.stdout, "odd names text: control characters "
            "escaped", repr(r.stdout))


def determinism(s, img):
    a = T.run([T.FWVET, "ls", "--format", "json", "-j", "1", img])
    b = T.run([T.FWVET, "ls", "--format", "json", "-j", "2", img])
    c = T.run([T.FWVET, "ls", "--format", "json", "-j", "2", img])
    s.check(a.rc == 0 and a.out == b.out == c.out,
            "ls json is the same with -j 1, -j 2 and again",
            "sizes %d %d %d" % (len(a.out), len(b.out), len(c.out)))


def extract_summary(s, tmp, img):
    d = os.path.join(tmp, "x")
    r = T.fwvet(s, "extract", img, "-C", d, what="extract demo")
    s.check(r.stdout.startswith("extracted "), "extract: summary line",
            r.stdout)
    s.check(os.path.isfile(os.path.join(d, "squashfs@0x200000", "etc",
                                        "passwd")),
            "extract: squashfs@0x200000/etc/passwd on disk")
    r = T.fwvet(s, "extract", "-C", os.path.join(tmp, "y"), img,
                what="extract -C DIR IMAGE (options first)")


def main():
    s = T.Suite("cli")
    T.need_tools(s, "mksquashfs", "mkimage", "cc")
    with T.tempdir("cli") as tmp:
        fw = os.path.join(tmp, "fw")
        T.sh(["sh", T.MKFIRMWARE, "demo", fw])
        img = os.path.join(fw, "router.bin")
        usage_errors(s, tmp, img)
        input_errors(s, tmp)
        helps(s)
        scan_json(s, tmp, img)
        bad = fail_on(s, tmp)
        output_file(s, tmp, img)
        colour(s, tmp, bad)
        several_inputs(s, tmp, img, bad)
        stdin_and_names(s, tmp, img)
        determinism(s, img)
        extract_summary(s, tmp, img)
    s.finish()


if __name__ == "__main__":
    main()
