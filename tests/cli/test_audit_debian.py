"""`fwvet audit-src` on a real Debian source package: lz4 1.9.4 of
bookworm, fetched at test time with a private apt configuration (deb-src
of bookworm; the system's apt sources are not touched) and cached beside
the fwvet binary (or in $FWVET_SRC_CACHE).

The expected counts are direct calls (not comments, strings, declarations
or definitions) per function of the families, checked by hand against
the source and against flawfinder 2.0.19 (bench/audit_src.sh, the
differences are explained in bench/results/audit_src.txt).

When Debian's archive cannot be reached the test says so and checks
nothing.
"""

import glob
import json
import os
import subprocess

import fwvtest as T

PACKAGE = "lz4"
VERSION_PREFIX = "lz4-1.9.4"
WANT = {"fgets": 1, "memcpy": 65, "memmove": 2, "snprintf": 25,
        "sprintf": 1, "strcat": 3, "strcpy": 4, "strncpy": 2}


def fetch(s, work):
    """The extracted source tree, or None when the archive is unreachable."""
    have = glob.glob(os.path.join(work, VERSION_PREFIX + "*/"))
    if have:
        return have[0].rstrip("/")
    apt = os.path.join(work, "apt")
    for d in ("lists/partial", "cache/archives/partial"):
        os.makedirs(os.path.join(apt, d), exist_ok=True)
    with open(os.path.join(apt, "sources.list"), "w") as f:
        f.write("deb-src http://deb.debian.org/debian bookworm main\n")
    opts = ["-o", "Dir::Etc::SourceList=" + os.path.join(apt, "sources.list"),
            "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", "Dir::State::Lists=" + os.path.join(apt, "lists"),
            "-o", "Dir::Cache=" + os.path.join(apt, "cache"),
            "-o", "Debug::NoLocking=1"]
    r = T.run(["apt-get"] + opts + ["update"])
    if r.rc != 0:
        s.note("Debian's archive is not reachable (apt-get update failed): "
               "nothing checked")
        return None
    r = T.run(["apt-get"] + opts + ["source", "--download-only", PACKAGE],
              cwd=work)
    if r.rc != 0:
        s.check(False, "apt-get source %s" % PACKAGE, r.describe())
        return None
    dsc = sorted(glob.glob(os.path.join(work, PACKAGE + "_*.dsc")))
    if not s.check(dsc, "the .dsc was downloaded"):
        return None
    r = T.run(["dpkg-source", "--no-check", "-x", dsc[0]], cwd=work)
    s.check(r.rc == 0, "dpkg-source -x", r.describe())
    have = glob.glob(os.path.join(work, VERSION_PREFIX + "*/"))
    s.check(have, "the tree is %s*" % VERSION_PREFIX,
            "found: %s" % os.listdir(work))
    return have[0].rstrip("/") if have else None


def main():
    s = T.Suite("audit_debian")
    T.need_tools(s, "apt-get", "dpkg-source")
    work = os.environ.get("FWVET_SRC_CACHE") or os.path.join(
        os.path.dirname(os.path.abspath(T.FWVET)), "test-cache", "src")
    os.makedirs(work, exist_ok=True)
    tree = fetch(s, work)
    if tree:
        r = T.fwvet(s, "audit-src", "--format", "json", tree)
        js = json.loads(r.stdout)
        got = {k: v for k, v in js.get("functions", {}).items() if v}
        s.eq(got, WANT, "lz4 1.9.4: calls per function")
        fam = {f["family"]: f for f in js.get("families", [])}
        s.eq((fam["memcpy"]["unsafe_calls"], fam["strcpy"]["unsafe_calls"]),
             (67, 9), "lz4 1.9.4: unsafe memcpy-like and strcpy-like calls")
        # The text table prints the same rows.
        r = T.fwvet(s, "audit-src", tree)
        s.check("memcpy" in r.stdout and "strcpy" in r.stdout,
                "text table", r.stdout[:2000])
    s.finish()


if __name__ == "__main__":
    main()
