"""fwvet vulndb import: the NVD and OSV fixtures (plain, gzip, zip built
here), re-import counts, --db, the default database under XDG_DATA_HOME
and HOME, broken input (exit 3, a message naming the file, the database
unchanged), usage errors (exit 2)."""

import gzip
import io
import os
import sqlite3
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest  # noqa: E402
from fwvtest import fwvet  # noqa: E402

FIX = os.path.join(fwvtest.SOURCE_DIR, "tests", "fixtures", "vuln")
NVD = os.path.join(FIX, "nvd-api.json")
OSV1 = os.path.join(FIX, "osv-single.json")
OSVL = os.path.join(FIX, "osv-list.json")


def counts(path):
    """(records, affected rows, distinct (source, id)) of a database."""
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        r = con.execute("SELECT count(*) FROM record").fetchone()[0]
        a = con.execute("SELECT count(*) FROM affected").fetchone()[0]
        d = con.execute("SELECT count(DISTINCT source || ' ' || id) "
                        "FROM record").fetchone()[0]
        return r, a, d
    finally:
        con.close()


def lines(r):
    return r.stdout.splitlines()


def main():
    s = fwvtest.Suite("vulndb")
    with fwvtest.tempdir("vulndb") as tmp:
        db = os.path.join(tmp, "deep", "dir", "v.sqlite")

        r = fwvet(s, "vulndb", "import", "--db", db, NVD, OSV1, OSVL)
        s.eq(lines(r), [
            "%s: 7 added, 0 updated, 2 skipped" % NVD,
            "%s: 1 added, 0 updated, 0 skipped" % OSV1,
            "%s: 3 added, 0 updated, 2 skipped" % OSVL,
        ], "first import: counts per file")
        s.check(os.path.isfile(db), "--db: database and its directories "
                "created")
        first = counts(db)
        s.eq(first[0], 11, "first import: records stored")
        s.eq(first[0], first[2], "no (source, id) twice")
        con = sqlite3.connect(db)
        s.eq(con.execute("PRAGMA user_version").fetchone()[0], 1,
             "schema version recorded")
        con.close()

        r = fwvet(s, "vulndb", "import", NVD, "--db", db)
        s.eq(lines(r), ["%s: 0 added, 7 updated, 2 skipped" % NVD],
             "re-import: updated, not added")
        s.eq(counts(db), first, "re-import: no duplicates")

        gz = os.path.join(tmp, "nvd.json.gz")
        with open(NVD, "rb") as f, open(gz, "wb") as g:
            g.write(gzip.compress(f.read()))
        r = fwvet(s, "vulndb", "import", "--db", db, gz)
        s.eq(lines(r), ["%s: 0 added, 7 updated, 2 skipped" % gz],
             "gzip: the same records")

        zp = os.path.join(tmp, "all.zip")
        with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(OSV1, "OSV-2090-1.json")
            z.write(OSVL, "more/list.json")
            z.writestr("README.txt", "not an advisory")
        r = fwvet(s, "vulndb", "import", "--db", db, zp)
        s.eq(lines(r), ["%s: 0 added, 4 updated, 2 skipped" % zp],
             "zip of OSV records")
        s.eq(counts(db), first, "gzip and zip: no duplicates")

        # Broken input: exit 3, "fwvet: FILE: why", nothing stored.
        bad = {
            "truncated.json": open(NVD, "rb").read()[:3000],
            "garbage.json": b"\x00\x01 not json",
            "nvd11.json": b'{"CVE_Items": []}',
            "bomb-free.json.gz": gzip.compress(b"{")[:-6],
            "empty.json": b"",
        }
        for name, data in sorted(bad.items()):
            p = os.path.join(tmp, name)
            with open(p, "wb") as f:
                f.write(data)
            r = fwvet(s, "vulndb", "import", "--db", db, p, expect_rc=3,
                      what="broken %s" % name)
            s.check(r.stderr.startswith("fwvet: %s: " % p),
                    "broken %s: message names the file" % name, r.stderr)
            s.eq(r.stdout, "", "broken %s: no count printed" % name)
        s.eq(counts(db), first, "broken input: database unchanged")

        missing = os.path.join(tmp, "missing.json")
        r = fwvet(s, "vulndb", "import", "--db", db, missing, NVD,
                  expect_rc=3, what="missing file among good ones")
        s.check("fwvet: %s: No such file or directory" % missing in r.stderr,
                "missing file: message", r.stderr)
        s.eq(lines(r), ["%s: 0 added, 7 updated, 2 skipped" % NVD],
             "missing file: the other files still imported")

        notdb = os.path.join(tmp, "notdb.sqlite")
        with open(notdb, "w") as f:
            f.write("this is not a database, it is a text file\n")
        r = fwvet(s, "vulndb", "import", "--db", notdb, NVD, expect_rc=3,
                  what="--db names a text file")
        s.check(r.stderr.startswith("fwvet: %s: " % notdb),
                "--db text file: message names it", r.stderr)

        # The default database: $XDG_DATA_HOME, else ~/.local/share.
        xdg = os.path.join(tmp, "xdg")
        home = os.path.join(tmp, "home")
        os.mkdir(home)
        r = fwvet(s, "vulndb", "import", OSV1,
                  env={"XDG_DATA_HOME": xdg, "HOME": home})
        s.check(os.path.isfile(os.path.join(xdg, "fwvet", "vulndb.sqlite")),
                "XDG_DATA_HOME: default database created there", r.stderr)
        env = dict(os.environ)
        env.pop("XDG_DATA_HOME", None)
        env["HOME"] = home
        # fwvtest.run adds to the environment; this must take away.
        p = subprocess.run([fwvtest.FWVET, "vulndb", "import", OSV1],
                           env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=fwvtest.TIMEOUT)
        s.eq(p.returncode, 0, "HOME default: exit 0")
        s.check(os.path.isfile(os.path.join(home, ".local", "share", "fwvet",
                                            "vulndb.sqlite")),
                "HOME: default database under ~/.local/share/fwvet",
                p.stderr.decode("utf-8", "replace"))

        # Usage.
        r = fwvet(s, "vulndb", "--help")
        s.check("usage: fwvet vulndb import" in r.stdout, "vulndb --help")
        r = fwvet(s, "vulndb", "import", "--help")
        s.check("--db DB" in r.stdout, "vulndb import --help")
        r = fwvet(s, "--help")
        s.check("vulndb import" in r.stdout, "fwvet --help lists vulndb")
        fwvet(s, "vulndb", expect_rc=2)
        fwvet(s, "vulndb", "frobnicate", expect_rc=2)
        fwvet(s, "vulndb", "import", "--db", db, expect_rc=2,
              what="import without FILE")
        fwvet(s, "vulndb", "import", "--db", expect_rc=2,
              what="--db without a value")
        fwvet(s, "vulndb", "import", "--bogus", NVD, expect_rc=2,
              what="unknown option")
    s.finish()


if __name__ == "__main__":
    main()
