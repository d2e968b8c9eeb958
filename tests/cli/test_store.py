"""The evaluation store of `fwvet scan --store`: what one evaluation
records, runs kept or replaced, a scan killed (SIGKILL) inside its store
transaction leaves no partial evaluation, two scans writing to one store
at once both land, and a store from a newer fwvet or another program is
refused.

The kill is placed with the documented test hook
FWVET_TEST_HOOK_STORE_SLEEP=N: the writer prints a line to stderr once
its transaction is open and sleeps N seconds before committing.
"""

import json
import os
import signal
import sqlite3
import subprocess

import fwvtest as T
import store_fixture as F

S = T.Suite("test_store")

TABLES = ("files", "findings", "components", "vulnerabilities",
          "hardening", "engineering")


def db_rows(store, sql, args=()):
    con = sqlite3.connect(store)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def counts(store):
    """Rows per table, and rows whose evaluation does not exist."""
    out = {"evaluations": db_rows(store,
                                  "SELECT count(*) FROM evaluations")[0][0]}
    for t in TABLES:
        out[t] = db_rows(store, "SELECT count(*) FROM %s" % t)[0][0]
        out[t + " orphaned"] = db_rows(
            store, "SELECT count(*) FROM %s WHERE eval_id NOT IN"
            " (SELECT id FROM evaluations)" % t)[0][0]
    return out


def history(env, store, product="router"):
    opts = ["--store", store] if store else []
    r = T.fwvet(S, "history", *opts, "--format", "json", product, env=env)
    try:
        return json.loads(r.out.decode()) if r.rc == 0 else None
    except ValueError:
        return None


def start_scan(env, store, release, image, sleep=None):
    e = dict(os.environ)
    e.update(env)
    if sleep is not None:
        e["FWVET_TEST_HOOK_STORE_SLEEP"] = str(sleep)
    return subprocess.Popen([T.FWVET, "scan", "--store", store, "--product",
                             "router", "--release", release, "-o",
                             os.devnull, image], env=e,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def check_recorded(store, scan_json, env):
    """The stored evaluation holds what the scan reported."""
    with open(scan_json) as f:
        js = json.load(f)
    ev = db_rows(store, "SELECT id, release, input_sha256, input_size,"
                 " tool_version FROM evaluations")
    S.eq(len(ev), 1, "one evaluation stored")
    if not ev:
        return
    eid, release, sha, size, version = ev[0]
    S.eq((release, sha, size, version),
         ("1.0", js["input"]["sha256"], js["input"]["size"],
          js["tool"]["version"]), "evaluation: release, input, tool")
    got = db_rows(store, "SELECT rule, severity, path, fspath, line, offset,"
                  " message, evidence, fingerprint FROM findings"
                  " WHERE eval_id = ? ORDER BY seq", (eid,))
    want = [(f["rule"], f["severity"], f["path"], f["fspath"],
             f.get("line"), f.get("offset"), f["message"], f.get("evidence"),
             f["fingerprint"]) for f in js["findings"]]
    S.eq(got, want, "findings stored as reported, in order")
    files = [(n["path"], n["sha256"]) for n in js["files"]
             if n["kind"] == "file"]
    S.eq(db_rows(store, "SELECT path, sha256 FROM files WHERE eval_id = ?"
                 " ORDER BY seq", (eid,)), files, "files stored with hashes")
    comps = [(c["name"], c["version"], c["cpe"], c["purl"])
             for c in js["components"]]
    S.eq(db_rows(store, "SELECT name, version, cpe, purl FROM components"
                 " WHERE eval_id = ? ORDER BY seq", (eid,)), comps,
         "components stored")
    vulns = sorted((v["id"], v["component"]) for v in js["vulnerabilities"])
    S.eq(sorted(db_rows(store, "SELECT v.vuln_id, c.name FROM"
                        " vulnerabilities v JOIN components c ON"
                        " c.eval_id = v.eval_id AND c.seq = v.component_seq"
                        " WHERE v.eval_id = ?", (eid,))), vulns,
         "vulnerabilities stored with their component")
    S.check(len(vulns) > 0, "the fixture has vulnerabilities")
    elfs = [(n["path"], n["elf"]["nx"], n["elf"]["pie"], n["elf"]["relro"],
             n["elf"]["canary"]) for n in js["files"] if "elf" in n]
    S.eq(db_rows(store, "SELECT f.path, h.nx, h.pie, h.relro, h.canary FROM"
                 " hardening h JOIN files f ON f.eval_id = h.eval_id AND"
                 " f.seq = h.file_seq WHERE h.eval_id = ? ORDER BY h.seq",
                 (eid,)),
         [(p, int(a), int(b), c, int(d)) for p, a, b, c, d in elfs],
         "hardening stored per ELF file")
    fam = [(r["family"], r["unsafe_calls"]) for r in
           js["engineering"]["families"]]
    S.eq(db_rows(store, "SELECT family, unsafe_calls FROM engineering"
                 " WHERE eval_id = ? AND call_sites = 0 ORDER BY seq",
                 (eid,)), fam, "engineering table stored")
    S.eq(db_rows(store, "PRAGMA journal_mode"), [("wal",)], "store uses WAL")
    S.eq(db_rows(store, "PRAGMA user_version"), [(1,)], "schema version 1")


def main():
    if not T.need_tools(S, "cc", "mksquashfs", "mkimage", "xz"):
        S.finish()
    with T.tempdir("store") as tmp:
        rel = F.build(tmp)
        env = F.env(tmp)
        image = rel["1.0"]
        store = os.path.join(tmp, "s1", "store.sqlite")
        scan_json = os.path.join(tmp, "scan.json")
        T.fwvet(S, "scan", "--vulndb", rel["vulndb"], "--store", store,
                "--product", "router", "--release", "1.0", "--format",
                "json", "-o", scan_json, image, env=env)
        S.check(os.path.exists(store), "the store and its directory are "
                "created on first use")
        check_recorded(store, scan_json, env)

        # Same input, same release: a new run, unless --replace.
        T.fwvet(S, "scan", "--store", store, "--product", "router",
                "--release", "1.0", "-o", os.devnull, image, env=env)
        h = history(env, store)
        S.eq([(x["release"], x["runs"], x["id"]) for x in h["releases"]]
             if h else None, [("1.0", 2, 2)], "a re-scan is kept as a run")
        T.fwvet(S, "scan", "--store", store, "--product", "router",
                "--release", "1.0", "--replace", "-o", os.devnull, image,
                env=env)
        h = history(env, store)
        S.eq([(x["release"], x["runs"], x["id"]) for x in h["releases"]]
             if h else None, [("1.0", 1, 3)], "--replace keeps one run")
        c = counts(store)
        S.eq([c[t + " orphaned"] for t in TABLES], [0] * len(TABLES),
             "--replace leaves no rows behind")

        # The default store: $XDG_DATA_HOME/fwvet/store.sqlite.
        T.fwvet(S, "scan", "--product", "router", "--release", "2.0", "-o",
                os.devnull, rel["1.1"], env=env)
        S.check(os.path.exists(os.path.join(tmp, "xdg", "fwvet",
                                            "store.sqlite")),
                "without --store the default store is used")
        h = history(env, None)
        S.eq([x["release"] for x in h["releases"]] if h else None, ["2.0"],
             "history reads the default store")

        # Killed inside the transaction: nothing of it remains.
        before = counts(store)
        p = start_scan(env, store, "9.9", image, sleep=60)
        line = p.stderr.readline().decode("utf-8", "replace")
        in_txn = "test hook: store transaction open" in line
        S.check(in_txn, "the writer reached its transaction", line)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        p.stderr.close()
        S.eq(p.returncode, -signal.SIGKILL, "the scan was killed")
        S.eq(counts(store), before, "the killed scan left no rows at all")
        S.eq(db_rows(store, "PRAGMA integrity_check"), [("ok",)],
             "the store is intact after the kill")
        h = history(env, store)
        S.eq([x["release"] for x in h["releases"]] if h else None, ["1.0"],
             "history does not see the killed evaluation")
        T.fwvet(S, "scan", "--store", store, "--product", "router",
                "--release", "9.9", "-o", os.devnull, image, env=env,
                what="a scan after the kill")
        h = history(env, store)
        S.eq([x["release"] for x in h["releases"]] if h else None,
             ["1.0", "9.9"], "the store takes evaluations after the kill")

        # Two writers at once, into a store neither has created yet; each
        # holds its transaction open for 2 s, so one waits for the other.
        store2 = os.path.join(tmp, "s2", "store.sqlite")
        procs = [start_scan(env, store2, v, rel[v], sleep=2)
                 for v in ("1.0", "1.1")]
        errs = [p.communicate(timeout=T.TIMEOUT)[1].decode() for p in procs]
        S.check([p.returncode for p in procs] == [0, 0],
                "two concurrent scans both succeed", "\n".join(errs))
        S.check(all("test hook" in e for e in errs),
                "both writers held their transaction open", "\n".join(errs))
        h = history(env, store2)
        S.eq(sorted(x["release"] for x in h["releases"]) if h else None,
             ["1.0", "1.1"], "both concurrent evaluations landed")
        c = counts(store2)
        S.eq(c["evaluations"], 2, "two evaluations, nothing else")

        # Usage and refusal.
        T.fwvet(S, "scan", "--store", store, "-o", os.devnull, image,
                env=env, expect_rc=2, what="--store without --product")
        T.fwvet(S, "scan", "--product", "router", "-o", os.devnull, image,
                env=env, expect_rc=2, what="--product without --release")
        T.fwvet(S, "scan", "--product", "p", "--release", "1", "--store",
                store, "-o", os.devnull, image, image, env=env, expect_rc=2,
                what="storing two inputs")
        T.fwvet(S, "history", "--store", os.path.join(tmp, "none.sqlite"),
                "router", env=env, expect_rc=3, what="history, no store")
        other = os.path.join(tmp, "other.sqlite")
        con = sqlite3.connect(other)
        con.execute("CREATE TABLE t(x)")
        con.commit()
        con.close()
        r = T.fwvet(S, "scan", "--store", other, "--product", "p",
                    "--release", "1", "-o", os.devnull, image, env=env,
                    expect_rc=3, what="another program's database")
        S.check("not an fwvet store" in r.stderr,
                "another program's database is refused", r.stderr)
        newer = os.path.join(tmp, "newer.sqlite")
        T.fwvet(S, "scan", "--store", newer, "--product", "p", "--release",
                "1", "-o", os.devnull, image, env=env)
        con = sqlite3.connect(newer)
        con.execute("PRAGMA user_version=99")
        con.commit()
        con.close()
        r = T.fwvet(S, "history", "--store", newer, "p", env=env,
                    expect_rc=3, what="a newer store")
        S.check("newer fwvet" in r.stderr, "a newer store is refused",
                r.stderr)
    S.finish()


main()
