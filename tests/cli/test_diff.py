"""fwvet diff and fwvet history on three releases of a built image
(tests/cli/store_fixture.py): the exact fixed / new / persisting findings,
vulnerabilities and components, the verdict and its reasons; a diff of
stored evaluations (by PRODUCT@RELEASE and by id) equals a diff of the
images scanned afresh; history lists the releases with their verdicts.
"""

import json
import os

import fwvtest as T
import store_fixture as F

S = T.Suite("test_diff")

# What release 1.1 changed, as (rule, fspath, severity).
FIXED_11 = sorted([
    ("service.unauthenticated-shell", "/etc/inittab", "critical"),
    ("component.eol", "/usr/lib/libcrypto.so.1.0.0", "medium"),
    ("component.eol", "/usr/lib/libssl.so.1.0.0", "medium"),
    ("hardening.no-canary", "/usr/sbin/httpd", "low"),
])
NEW_11 = sorted([
    ("component.eol", "/usr/lib/libcrypto.so.1.0.0", "medium"),
    ("component.eol", "/usr/lib/libssl.so.1.0.0", "medium"),
    ("credential.weak-hash", "/etc/shadow", "medium"),
])
PERSISTING_11 = sorted([
    ("account.empty-password", "/etc/shadow", "critical"),
    ("credential.default-password", "/etc/shadow", "critical"),
    ("credential.default-password", "/etc/shadow", "critical"),
    ("credential.private-key", "/etc/dropbear/dropbear_rsa_host_key",
     "high"),
    ("credential.weak-hash", "/etc/shadow", "medium"),
    ("credential.weak-hash", "/etc/shadow", "medium"),
    ("crypto.weak-key", "/etc/dropbear/dropbear_rsa_host_key", "medium"),
    ("service.debug", "/etc/inittab", "medium"),
    ("component.eol", "", "medium"),  # the kernel, a blob in the uImage
    ("engineering.unsafe-function", "/bin/busybox", "low"),
    ("engineering.unsafe-function", "/usr/lib/libcrypto.so.1.0.0", "low"),
    ("engineering.unsafe-function", "/usr/lib/libssl.so.1.0.0", "low"),
    ("engineering.unsafe-function", "/usr/sbin/dropbear", "low"),
    ("engineering.unsafe-function", "/usr/sbin/httpd", "low"),
    ("hardening.no-canary", "/bin/busybox", "low"),
    ("hardening.no-canary", "/usr/lib/libcrypto.so.1.0.0", "low"),
    ("hardening.no-canary", "/usr/lib/libssl.so.1.0.0", "low"),
    ("hardening.no-canary", "/usr/sbin/dropbear", "low"),
])
NEW_12 = sorted([
    ("account.empty-password", "/etc/passwd", "critical"),
    ("account.uid0", "/etc/passwd", "high"),
])


def triples(findings):
    return sorted((f["rule"], f["fspath"], f["severity"]) for f in findings)


def load(r, what):
    if r.rc not in (0, 1):
        return None
    try:
        return json.loads(r.out.decode("utf-8"))
    except ValueError as ex:
        S.check(False, what + ": output is JSON", str(ex))
        return None


def body(js):
    """The diff without what names its two sides, and without binary
    equivalence: that is computed only when both sides are images on disk
    (a stored evaluation keeps no file bytes), so a diff by path has it
    and a diff by name does not (tests/cli/test_diff_equiv.py checks it).
    Everything else must be the same."""
    out = {k: v for k, v in (js or {}).items()
           if k not in ("tool", "before", "after", "equivalence")}
    if isinstance(out.get("files"), dict):
        out["files"] = {k: [{f: v for f, v in x.items()
                             if f != "equivalence"} for x in lst]
                        for k, lst in out["files"].items()}
    return out


def diff(env, store, old, new, *opts, expect_rc=0):
    r = T.fwvet(S, "diff", "--store", store, "--format", "json", *opts, old,
                new, env=env, expect_rc=expect_rc)
    return load(r, "diff %s %s" % (old, new))


def check_11(js, label):
    if not js:
        S.check(False, label + ": a diff")
        return
    f = js.get("findings", {})
    S.eq(triples(f.get("fixed", [])), FIXED_11, label + ": fixed findings")
    S.eq(triples(f.get("new", [])), NEW_11, label + ": new findings")
    S.eq(triples(f.get("persisting", [])), PERSISTING_11,
         label + ": persisting findings")
    v = js.get("vulnerabilities", {})
    ids = {k: sorted((x["id"], x["component"], x["version"])
                     for x in v.get(k, []))
           for k in ("fixed", "new", "persisting")}
    S.eq(ids["fixed"], [("CVE-2090-1001", "openssl", "1.0.2k")],
         label + ": fixed vulnerabilities")
    S.eq(ids["new"], [("CVE-2090-1003", "openssl", "1.1.1w")],
         label + ": new vulnerabilities")
    S.eq(ids["persisting"], [("CVE-2090-1002", "dropbear", "2017.75")],
         label + ": persisting vulnerabilities")
    c = js.get("components", {})
    S.eq(c.get("upgraded"), [{"name": "openssl", "from": "1.0.2k",
                              "to": "1.1.1w"}], label + ": upgraded")
    for k in ("downgraded", "added", "removed"):
        S.eq(c.get(k), [], label + ": nothing " + k)
    S.eq(js.get("verdict"), "limited progress", label + ": verdict")
    reasons = js.get("reasons") or [""]
    S.eq(reasons[0], "2 of 7 critical or high problems fixed, but fewer "
         "than half of the critical or high problems fixed",
         label + ": deciding reason")
    S.check("3 of 4 critical findings persist" in reasons,
            label + ": reason '3 of 4 critical findings persist'",
            "\n".join(reasons))
    S.check("openssl upgraded from 1.0.2k to 1.1.1w" in reasons,
            label + ": reason names the upgrade", "\n".join(reasons))
    changed = sorted(x["path"] for x in js.get("files", {}).get("changed",
                                                                 []))
    S.eq(changed, ["(input)", "squashfs/etc/inittab", "squashfs/etc/passwd",
                   "squashfs/etc/shadow",
                   "squashfs/usr/lib/libcrypto.so.1.0.0",
                   "squashfs/usr/lib/libssl.so.1.0.0",
                   "squashfs/usr/sbin/httpd"],
         label + ": changed files")
    e = js.get("engineering", {})
    S.check(isinstance(e.get("before"), list) and
            isinstance(e.get("after"), list) and e["before"],
            label + ": engineering before and after")
    h = js.get("hardening", {})
    S.eq([(x["path"], x["properties"]) for x in h.get("improved", [])],
         [("squashfs/usr/sbin/httpd", ["canary"])],
         label + ": hardening improved")
    S.eq(h.get("regressed"), [], label + ": no hardening regressed")
    cov = h.get("coverage", {})
    S.eq((cov.get("before", {}).get("canary"),
          cov.get("after", {}).get("canary")), (0, 1),
         label + ": canary coverage before and after")
    S.check("binaries with better hardening: 1, with worse: 0" in reasons,
            label + ": reason names the hardening", "\n".join(reasons))


def main():
    if not T.need_tools(S, "cc", "mksquashfs", "mkimage", "xz"):
        S.finish()
    with T.tempdir("diff") as tmp:
        rel = F.build(tmp)
        env = F.env(tmp)
        store = os.path.join(tmp, "store.sqlite")
        vdb = ["--vulndb", rel["vulndb"]]
        for v in ("1.0", "1.1", "1.2"):
            T.fwvet(S, "scan", *vdb, "--store", store, "--product", "router",
                    "--release", v, "--format", "json", "-o",
                    os.path.join(tmp, "scan-%s.json" % v), rel[v], env=env)

        by_name = diff(env, store, "router@1.0", "router@1.1")
        by_id = diff(env, store, "id:1", "id:2")
        by_image = diff(env, store, rel["1.0"], rel["1.1"], *vdb)
        check_11(by_name, "router@1.0 -> router@1.1")
        check_11(by_image, "images 1.0 -> 1.1")
        S.check(by_name and body(by_name) == body(by_image),
                "stored and fresh evaluations give the same diff")
        S.check(by_name and body(by_name) == body(by_id),
                "PRODUCT@RELEASE and id:N give the same diff")
        if by_name:
            S.eq((by_name["before"]["product"], by_name["before"]["release"],
                  by_name["after"]["release"]), ("router", "1.0", "1.1"),
                 "the diff names the stored sides")
            S.eq(by_image["before"]["id"], None,
                 "a fresh side has no store id")

        # Persisting findings of a scan are exactly those whose
        # fingerprint both scans report.
        with open(os.path.join(tmp, "scan-1.0.json")) as f:
            fp10 = {x["fingerprint"] for x in json.load(f)["findings"]}
        with open(os.path.join(tmp, "scan-1.1.json")) as f:
            fp11 = {x["fingerprint"] for x in json.load(f)["findings"]}
        if by_name:
            S.eq({x["fingerprint"] for x in
                  by_name["findings"]["persisting"]}, fp10 & fp11,
                 "persisting = fingerprints in both scans")

        r12 = diff(env, store, "router@1.1", "router@1.2")
        if r12:
            S.eq(triples(r12["findings"]["new"]), NEW_12,
                 "1.1 -> 1.2: new findings")
            S.eq(r12["findings"]["fixed"], [], "1.1 -> 1.2: nothing fixed")
            S.eq(r12["verdict"], "regression", "1.1 -> 1.2: regression")
            S.eq(r12["reasons"][0], "1 new critical against 0 fixed",
                 "1.1 -> 1.2: deciding reason")

        same = diff(env, store, "router@1.1", "id:2")
        if same:
            S.eq((same["findings"]["fixed"], same["findings"]["new"]),
                 ([], []), "an evaluation against itself: no change")
            S.eq(same["verdict"], "no material progress",
                 "an evaluation against itself: no material progress")

        # Exit codes: --fail-on looks at new findings only.
        diff(env, store, "router@1.0", "router@1.1", "--fail-on", "high")
        diff(env, store, "router@1.1", "router@1.2", "--fail-on", "high",
             expect_rc=1)
        for args, rc, what in (
                (["router@9.9", "router@1.0"], 3, "unknown release"),
                (["id:99", "router@1.0"], 3, "unknown id"),
                (["no-such-file", "router@1.0"], 3, "neither file nor name"),
                (["router@1.0"], 2, "one operand"),
                (["--format", "cyclonedx", "router@1.0", "router@1.1"], 2,
                 "a scan-only format")):
            r = T.fwvet(S, "diff", "--store", store, *args, env=env,
                        expect_rc=rc, what="diff " + what)
            S.check(rc != 3 or r.stderr.startswith("fwvet: "),
                    "diff %s: error on stderr" % what, r.stderr)
        T.fwvet(S, "diff", "--store", os.path.join(tmp, "missing.sqlite"),
                "router@1.0", "router@1.1", env=env, expect_rc=3,
                what="diff with a missing store")

        # Text: the verdict first, then its reasons.
        r = T.fwvet(S, "diff", "--store", store, "router@1.0", "router@1.1",
                    env=env)
        lines = r.stdout.splitlines()
        S.eq(lines[0] if lines else "", "verdict  limited progress",
             "text diff starts with the verdict")
        S.check(len(lines) > 1 and lines[1].startswith("because  2 of 7"),
                "text diff gives the deciding reason second", r.stdout[:400])

        # History: every release with the verdict against the one before.
        r = T.fwvet(S, "history", "--store", store, "--format", "json",
                    "router", env=env)
        h = load(r, "history")
        rows = (h or {}).get("releases", [])
        S.eq([x["release"] for x in rows], ["1.0", "1.1", "1.2"],
             "history lists the releases in order")
        S.eq([x["verdict"] for x in rows],
             [None, "limited progress", "regression"], "history verdicts")
        for x in rows:
            with open(os.path.join(tmp, "scan-%s.json" % x["release"])) as f:
                summ = json.load(f)["summary"]["findings"]
            S.eq(x["findings"], summ,
                 "history %s: counts per severity as the scan's"
                 % x["release"])
        S.eq([x["vulnerable_components"] for x in rows], [2, 2, 2],
             "history: components with known vulnerabilities")
        S.eq([x["hardening"]["elf_files"] for x in rows], [5, 5, 5],
             "history: ELF files counted")
        r = T.fwvet(S, "history", "--store", store, "router", env=env)
        S.check("regression" in r.stdout and "limited progress" in r.stdout,
                "text history shows the verdicts", r.stdout)
        T.fwvet(S, "history", "--store", store, "nosuchproduct", env=env,
                expect_rc=3)
        T.fwvet(S, "history", env=env, expect_rc=2, what="history without "
                "a product")
    S.finish()


main()
