"""The progress line of `fwvet scan`: on stderr when it is a terminal
(run under a pseudo-terminal with python's pty module), redrawn in place
at most ten times a second and cleared at the end; nothing of it when
stderr is a file or a pipe, and the report is the same either way.
"""

import fcntl
import io
import json
import os
import pty
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import shutil
import struct
import termios

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402


def make_tar(path, n):
    """A tar.gz of n small files: enough work for several redraws."""
    with tarfile.open(path, "w:gz", format=tarfile.USTAR_FORMAT,
                      compresslevel=1) as tf:
        for i in range(n):
            data = b"file %d\n" % i
            ti = tarfile.TarInfo("d%03d/f%d.txt" % (i // 1000, i))
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))


def run_pty(args, cols=160):
    """Runs args with stderr on a pseudo-terminal `cols` wide; (rc,
    stderr bytes, seconds)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ,
                struct.pack("HHHH", 24, cols, 0, 0))
    t = time.time()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    buf = b""
    while True:
        try:
            d = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not d:
            break
        buf += d
    rc = p.wait(timeout=T.TIMEOUT)
    os.close(master)
    return rc, buf, time.time() - t


def main():
    s = T.Suite("progress")
    tmp = tempfile.mkdtemp(prefix="fwvet-progress-")
    try:
        img = os.path.join(tmp, "many.tar.gz")
        make_tar(img, int(os.environ.get("FWVET_PROGRESS_FILES", "30000")))
        out_file = os.path.join(tmp, "file.json")
        out_pty = os.path.join(tmp, "pty.json")

        # stderr to a pipe (T.fwvet captures it) and to a file.
        r = T.fwvet(s, "scan", "-f", "json", "-o", out_file, img)
        s.eq(r.err, b"", "stderr in a pipe: nothing")
        err = os.path.join(tmp, "stderr.txt")
        with open(err, "wb") as f:
            p = subprocess.run([T.FWVET, "scan", "-o", os.devnull, img],
                               stdout=subprocess.DEVNULL, stderr=f,
                               timeout=T.TIMEOUT)
        s.eq(p.returncode, 0, "stderr to a file: exit 0")
        s.eq(os.path.getsize(err), 0, "stderr to a file: nothing")

        # stderr on a terminal.
        rc, buf, secs = run_pty([T.FWVET, "scan", "-f", "json", "-o",
                                 out_pty, img])
        s.eq(rc, 0, "on a terminal: exit 0")
        text = buf.decode("utf-8", "replace")
        draws = re.findall(r"\r\[[#-]{20}\] (\d+) of (\d+) files analysed, "
                           r"[\d.]+ MiB unpacked, \d+:\d\d  many\.tar\.gz"
                           r"\x1b\[K", text)
        s.check(draws, "on a terminal: progress lines", repr(text[:300]))
        s.check(len(draws) <= 10 * secs + 2,
                "at most ten redraws a second (%d in %.1f s)"
                % (len(draws), secs))
        done = [int(a) <= int(b) for a, b in draws]
        s.check(all(done), "analysed never exceeds unpacked", draws[:5])
        s.check(text.endswith("\r\x1b[K"), "the line is cleared at the end",
                repr(text[-80:]))
        s.check("\n" not in text, "one line, redrawn in place")
        with open(out_file) as a, open(out_pty) as b:
            s.eq(json.load(a)["summary"], json.load(b)["summary"],
                 "the report does not depend on the terminal")

        # A narrow terminal: the line is cut, never wrapped.
        rc, buf, _ = run_pty([T.FWVET, "scan", "-o", os.devnull, img],
                             cols=40)
        lines = [x for x in re.split(r"\r|\x1b\[K", buf.decode()) if x]
        s.check(lines and max(len(x) for x in lines) <= 39,
                "40 columns: lines cut to 39", lines[:3])

        # A quick run on a terminal still leaves a clean line.
        small = os.path.join(tmp, "small.txt")
        with open(small, "w") as f:
            f.write("hello\n")
        rc, buf, _ = run_pty([T.FWVET, "scan", "-o", os.devnull, small])
        s.eq(rc, 0, "small input on a terminal: exit 0")
        s.check(buf == b"" or buf.endswith(b"\r\x1b[K"),
                "small input: nothing, or a cleared line", repr(buf[-80:]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
