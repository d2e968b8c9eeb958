"""Shared helpers of the command-line tests (tests/cli/test_*.py).

Each test file is one ctest test run as `python3 test_x.py` with FWVET (the
fwvet binary) and FWVET_SOURCE_DIR (the repository) in the environment.
Checks are counted, never stop the file, and a summary line
'N passed, N failed' ends the output; the exit status is 1 when any failed.
Python standard library only.
"""

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("FWVET_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(HERE)))
FWVET = os.environ.get("FWVET", "")
MKFIRMWARE = os.path.join(SOURCE_DIR, "tests", "fixtures", "mkfirmware.sh")

# Generous: a hang is a failure, but a slow machine is not.
TIMEOUT = 300


class Suite:
    """Counts checks; prints failures with their details as they happen."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.notes = []
        if not FWVET or not os.access(FWVET, os.X_OK):
            print("%s: FWVET must name the fwvet binary (got %r)"
                  % (name, FWVET))
            sys.exit(2)

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s" % what)
            if detail:
                for line in str(detail).rstrip().splitlines()[:40]:
                    print("     " + line)
        return bool(cond)

    def eq(self, got, want, what):
        return self.check(got == want, what,
                          "expected %r\n     got      %r" % (want, got))

    def note(self, text):
        """Something the reader of the log should know (an exception to
        what is compared, a tool that is missing)."""
        if text not in self.notes:
            self.notes.append(text)
            print("NOTE " + text)

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


class Result:
    def __init__(self, args, rc, out, err):
        self.args = args
        self.rc = rc
        self.out = out
        self.err = err

    @property
    def stdout(self):
        return self.out.decode("utf-8", "replace")

    @property
    def stderr(self):
        return self.err.decode("utf-8", "replace")

    def describe(self):
        return ("command: %s\nexit: %s\nstderr: %s"
                % (" ".join(self.args), self.rc, self.stderr[-2000:]))


def run(args, env=None, timeout=TIMEOUT, stdin=None, cwd=None):
    """Runs a command; a timeout becomes rc None."""
    e = dict(os.environ)
    if env:
        e.update(env)
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=timeout,
                           stdin=stdin if stdin is not None
                           else subprocess.DEVNULL, cwd=cwd)
        return Result(args, p.returncode, p.stdout, p.stderr)
    except subprocess.TimeoutExpired as ex:
        return Result(args, None, ex.stdout or b"",
                      (ex.stderr or b"") + b"\n[timed out]")


def fwvet(suite, *args, env=None, what=None, expect_rc=0):
    """Runs fwvet; checks that it neither crashed nor hung, and its exit
    status when expect_rc is not None."""
    r = run([FWVET] + [str(a) for a in args], env=env)
    label = what or "fwvet " + " ".join(str(a) for a in args)
    suite.check(r.rc is not None, label + ": finishes", r.describe())
    suite.check(r.rc is None or r.rc >= 0,
                label + ": no crash (signal %s)"
                % (-r.rc if r.rc is not None and r.rc < 0 else ""),
                r.describe())
    if expect_rc is not None and r.rc is not None and r.rc >= 0:
        suite.check(r.rc == expect_rc,
                    "%s: exit status %s (want %s)" % (label, r.rc, expect_rc),
                    r.describe())
    return r


def ls_json(suite, path, *opts, what=None):
    """`fwvet ls --format json` of `path`; the parsed object or None."""
    r = fwvet(suite, "ls", "--format", "json", *opts, path, what=what)
    if r.rc != 0:
        return None
    try:
        js = json.loads(r.out.decode("utf-8"))
    except ValueError as ex:
        suite.check(False, (what or path) + ": ls output is JSON", str(ex))
        return None
    suite.check(isinstance(js, dict) and isinstance(js.get("files"), list),
                (what or path) + ": ls JSON has 'files'")
    return js if isinstance(js, dict) else None


def have(tool):
    return shutil.which(tool) is not None


def need_tools(suite, *tools):
    """The tools scripts/bootstrap installs; a missing one is a failure of
    the environment, reported as such."""
    ok = True
    for t in tools:
        ok &= suite.check(have(t), "tool '%s' is installed "
                          "(run scripts/bootstrap)" % t)
    return ok


def sh(args, cwd=None, env=None, what=None, stdin_bytes=None):
    """Runs a tool that builds a fixture; raises with its stderr on
    failure, since nothing after it would make sense."""
    e = dict(os.environ)
    e.setdefault("LC_ALL", "C")
    if env:
        e.update(env)
    p = subprocess.run(args, cwd=cwd, env=e, input=stdin_bytes,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s"
                           % (what or " ".join(args), p.returncode,
                              p.stderr.decode("utf-8", "replace")[-2000:]))
    return p.stdout


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def prng_bytes(seed, n):
    """Deterministic, incompressible bytes (sha256 in counter mode)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s:%d" % (seed.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


def text_bytes(seed, n):
    """Deterministic, compressible text."""
    line = ("%s: the quick brown fox jumps over the lazy dog 0123456789\n"
            % seed).encode()
    return (line * (n // len(line) + 1))[:n]


KINDS = {
    stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink",
    stat.S_IFCHR: "chardev", stat.S_IFBLK: "blockdev",
    stat.S_IFIFO: "fifo", stat.S_IFSOCK: "socket",
}


class Entry:
    """What the tests compare of one file: kind, size (files), mode &
    07777, link target, sha256 (files), device numbers."""

    __slots__ = ("kind", "size", "mode", "link", "sha256", "dev")

    def __init__(self, kind, size=None, mode=None, link=None, sha256=None,
                 dev=None):
        self.kind = kind
        self.size = size
        self.mode = mode
        self.link = link
        self.sha256 = sha256
        self.dev = dev

    def key(self):
        return (self.kind, self.size, self.mode, self.link, self.sha256,
                self.dev)

    def __eq__(self, other):
        return self.key() == other.key()

    def __repr__(self):
        parts = [self.kind]
        if self.size is not None:
            parts.append("size=%d" % self.size)
        if self.mode is not None:
            parts.append("mode=%04o" % self.mode)
        if self.link is not None:
            parts.append("link=%r" % self.link)
        if self.sha256:
            parts.append("sha256=%s.." % self.sha256[:12])
        if self.dev is not None:
            parts.append("dev=%d,%d" % self.dev)
        return "<" + " ".join(parts) + ">"


def tree_of_dir(root):
    """{fspath: Entry} of everything below `root` (not root itself);
    fspath is '/' + the relative path, as fwvet spells it."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            kind = KINDS.get(stat.S_IFMT(st.st_mode), "unknown")
            e = Entry(kind, mode=stat.S_IMODE(st.st_mode))
            if kind == "file":
                e.size = st.st_size
                e.sha256 = sha256_file(p)
            elif kind == "symlink":
                e.link = os.readlink(p)
            elif kind in ("chardev", "blockdev"):
                e.dev = (os.major(st.st_rdev), os.minor(st.st_rdev))
            out["/" + os.path.relpath(p, root)] = e
    return out


def tree_of_ls(js, prefix):
    """{fspath: Entry} of the nodes a container at provenance path
    `prefix` declared itself: those whose path is prefix + fspath.  Blobs
    carved out of its files, and what nested containers hold, are not
    part of it (their path and fspath do not line up that way)."""
    out = {}
    for n in js.get("files", []):
        fs = n.get("fspath") or ""
        if not fs.startswith("/") or fs == "/":
            continue
        if n.get("path") != prefix + fs:
            continue
        e = Entry(n.get("kind"), mode=n.get("mode"))
        if e.kind == "file":
            e.size = n.get("size")
            e.sha256 = n.get("sha256")
        elif e.kind == "symlink":
            e.link = n.get("link")
        elif e.kind in ("chardev", "blockdev"):
            d = n.get("device") or {}
            e.dev = (d.get("major"), d.get("minor"))
        out[fs] = e
    return out


def node(js, path):
    for n in (js or {}).get("files", []):
        if n.get("path") == path:
            return n
    return None


def findings(js, rule=None):
    return [f for f in (js or {}).get("findings", [])
            if rule is None or f.get("rule") == rule]


def compare_trees(suite, label, got, want):
    """Exact equality of two {fspath: Entry} maps, one check per
    difference kind, with the details of the first few."""
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    differ = sorted(p for p in set(want) & set(got) if got[p] != want[p])
    suite.check(not missing, "%s: no file missing (%d of %d)"
                % (label, len(missing), len(want)),
                "\n".join("%s %r" % (p, want[p]) for p in missing[:15]))
    suite.check(not extra, "%s: no file extra (%d)" % (label, len(extra)),
                "\n".join("%s %r" % (p, got[p]) for p in extra[:15]))
    suite.check(not differ, "%s: every entry matches (%d compared, %d "
                "differ)" % (label, len(want), len(differ)),
                "\n".join("%s\n  want %r\n  got  %r" % (p, want[p], got[p])
                          for p in differ[:15]))
    ok = not (missing or extra or differ)
    if ok:
        print("ok   %s: %d entries equal" % (label, len(want)))
    return ok


def snapshot(root, skip=None):
    """Everything under `root` but the directory `skip` (lstat, never
    following links): used to show that nothing outside a directory was
    touched."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if skip:
            dirnames[:] = [d for d in dirnames
                           if os.path.join(dirpath, d) != skip]
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            v = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode),
                 st.st_size, st.st_mtime_ns, st.st_ino)
            if stat.S_ISLNK(st.st_mode):
                v += (os.readlink(p),)
            elif stat.S_ISREG(st.st_mode):
                try:
                    v += (sha256_file(p),)
                except OSError as ex:  # size, mtime and inode still count
                    v += ("unreadable: %s" % ex.strerror,)
            out[os.path.relpath(p, root)] = v
    return out


def tempdir(prefix):
    return tempfile.TemporaryDirectory(prefix="fwvet-" + prefix + "-")
