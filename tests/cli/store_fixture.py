"""Three releases of one product for the store, diff and history tests
(tests/cli/test_store.py, tests/cli/test_diff.py), built at test time
with tests/fixtures/mkfirmware.sh, and a vulnerability database for them.

release 1.0: the demo root file system of mkfirmware.sh: an empty
    password (guest), vendor default passwords, a telnetd root shell in
    inittab, a shipped private key, OpenSSL 1.0.2k in two libraries;
release 1.1: the telnetd line removed from inittab (one critical fixed),
    both libraries rebuilt with "OpenSSL 1.1.1w  11 Sep 2023" (upgraded),
    a new 'support' account with an MD5 crypt hash (one new medium),
    the web server rebuilt with a stack protector (hardening improved);
release 1.2: release 1.1 plus a second root account without a password
    (one new critical, one new high).

The vulnerability database has one critical OpenSSL record fixed by the
upgrade, one high Dropbear record in every release, and one medium
OpenSSL record the upgrade introduces.
"""

import json
import os
import shutil

import fwvtest as T

# MD5 crypt of a random password: weak hash, not a default password.
SUPPORT_HASH = "$1$fwvetsup$a6afxBq4ohdDebDXvLS7S1"

def nvd_record(cve, criteria, score, severity, start=None, end=None):
    match = {"vulnerable": True, "criteria": criteria,
             "matchCriteriaId": "00000000-0000-4000-8000-%012d"
             % int(cve[-4:])}
    if start:
        match["versionStartIncluding"] = start
    if end:
        match["versionEndExcluding"] = end
    return {"cve": {
        "id": cve, "sourceIdentifier": "test@example.org",
        "published": "2090-01-01T00:00:00.000",
        "lastModified": "2090-02-01T00:00:00.000",
        "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": "test record " + cve}],
        "metrics": {"cvssMetricV31": [{
            "source": "nvd@nist.gov", "type": "Primary",
            "cvssData": {"version": "3.1", "vectorString":
                         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                         "baseScore": score, "baseSeverity": severity},
            "exploitabilityScore": 3.9, "impactScore": 3.6}]},
        "references": [],
        "configurations": [{"nodes": [{"operator": "OR", "negate": False,
                                       "cpeMatch": [match]}]}]}}


VULNS = [
    nvd_record("CVE-2090-1001", "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
               9.8, "CRITICAL", start="1.0.2", end="1.0.2l"),
    nvd_record("CVE-2090-1002",
               "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:*:*:*:*:*:*:*:*",
               7.5, "HIGH", end="2020.81"),
    nvd_record("CVE-2090-1003", "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
               5.3, "MEDIUM", start="1.1.1", end="1.1.1x"),
]


# mkfirmware.sh keeps the sources of its programs and libraries in
# OUTDIR/parts/: rebuilt ones import the same functions and only their
# version string or flags change.

def _rebuild_httpd(root, parts):
    src = os.path.join(parts, "prog.c")
    T.sh(["cc", "-O2", "-fstack-protector-all", "-o",
          os.path.join(root, "usr", "sbin", "httpd"),
          '-DBANNER="lighttpd/1.4.45"', src], what="cc httpd")


def _rebuild_libs(root, banner, parts):
    src = os.path.join(parts, "lib.c")
    for name in ("libcrypto.so.1.0.0", "libssl.so.1.0.0"):
        T.sh(["cc", "-O2", "-shared", "-fPIC", "-o",
              os.path.join(root, "usr", "lib", name),
              '-DBANNER="%s"' % banner, src], what="cc " + name)


def _copy_tree(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    # Owner-writable for the edits; other mode bits are kept.
    for d, dirs, files in os.walk(dst):
        os.chmod(d, os.stat(d).st_mode | 0o700)
        for name in files:
            p = os.path.join(d, name)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o600)


def _edit(path, fn):
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(fn(text))


def build(tmp):
    """Builds the three images and the vulnerability database under
    `tmp`; returns {"1.0": image, "1.1": image, "1.2": image,
    "vulndb": path}."""
    out = {}
    T.sh(["sh", T.MKFIRMWARE, "demo", os.path.join(tmp, "r1.0")],
         what="mkfirmware demo")
    out["1.0"] = os.path.join(tmp, "r1.0", "router.bin")
    base = os.path.join(tmp, "r1.0", "rootfs")

    root = os.path.join(tmp, "rootfs-1.1")
    _copy_tree(base, root)
    _edit(os.path.join(root, "etc", "inittab"),
          lambda t: "".join(l for l in t.splitlines(True)
                            if "telnetd" not in l))
    parts = os.path.join(tmp, "r1.0", "parts")
    _rebuild_libs(root, "OpenSSL 1.1.1w  11 Sep 2023", parts)
    _rebuild_httpd(root, parts)
    _edit(os.path.join(root, "etc", "passwd"),
          lambda t: t + "support:x:1002:1002:support:/tmp:/bin/sh\n")
    _edit(os.path.join(root, "etc", "shadow"),
          lambda t: t + "support:%s:18416:0:99999:7:::\n" % SUPPORT_HASH)

    root12 = os.path.join(tmp, "rootfs-1.2")
    _copy_tree(root, root12)
    _edit(os.path.join(root12, "etc", "passwd"),
          lambda t: t + "backdoor::0:0:root:/root:/bin/sh\n")

    for rel, r in (("1.1", root), ("1.2", root12)):
        d = os.path.join(tmp, "r" + rel)
        T.sh(["sh", T.MKFIRMWARE, "router", d, r], what="mkfirmware " + rel)
        out[rel] = os.path.join(d, "router.bin")

    feed = os.path.join(tmp, "nvd.json")
    with open(feed, "w") as f:
        json.dump({"resultsPerPage": len(VULNS), "startIndex": 0,
                   "totalResults": len(VULNS), "format": "NVD_CVE",
                   "version": "2.0",
                   "timestamp": "2090-03-01T00:00:00.000",
                   "vulnerabilities": VULNS}, f)
    out["vulndb"] = os.path.join(tmp, "vulndb.sqlite")
    T.sh([T.FWVET, "vulndb", "import", "--db", out["vulndb"], feed],
         what="vulndb import")
    return out


def env(tmp):
    """An environment in which no default store or database of the user
    is touched."""
    return {"XDG_DATA_HOME": os.path.join(tmp, "xdg"),
            "HOME": os.path.join(tmp, "home")}
