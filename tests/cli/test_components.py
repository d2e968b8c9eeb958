"""Components, the copy census, package databases, end of life and the
CycloneDX SBOM, on an image built at test time.

The root file system holds:
- three copies of OpenSSL 1.0.2k: a library file named like one, and two
  programs compiled here that carry its version string (static copies);
  one program with OpenSSL 1.1.1w; a symlink to the library (not a copy);
- a program linked against the build machine's libcrypto (it carries
  OpenSSL's version text but imports OpenSSL_version: not a copy), and a
  compressed manual page quoting old versions (documentation);
- a text file naming "libcrypto.so.1.0.0" and curl's build line with
  "OpenSSL/3.0.11" (mentions, not copies), a compiler banner and a bare
  version number (never evidence);
- a gzip-compressed kernel image with a Linux 3.10.14 banner;
- an opkg status database (dropbear, an OpenSSL package, a package the
  signatures do not know, a package that is not installed), a dpkg
  status database with a Debian revision, and rpm's SQLite database
  (an epoch, a package the signatures do not know, a damaged header);
packed as squashfs in a uImage in a flash image (tests/fixtures/
mkfirmware.sh), scanned with --format json and --format cyclonedx.
"""

import gzip
import json
import os
import shutil
import tempfile

import fwvtest as T

OPENSSL_102K = "OpenSSL 1.0.2k  26 Jan 2017"
OPENSSL_111W = "OpenSSL 1.1.1w  11 Sep 2023"

OPKG_STATUS = """Package: dropbear
Version: 2019.78-2
Depends: libc
Status: install user installed
Architecture: mipsel_24kc

Package: libopenssl1.0.0
Version: 1.0.2k-1
Status: install user installed
Architecture: mipsel_24kc

Package: acme-widgetd
Version: 4.2-1
Status: install user installed
Architecture: mipsel_24kc

Package: busybox
Version: 1.28.4-3
Status: deinstall user not-installed
Architecture: mipsel_24kc
"""

DPKG_STATUS = """Package: libexpat1
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 400
Source: expat
Version: 2.5.0-1+deb12u1
Description: XML parsing C library - runtime library
 This package contains the runtime, shared library of expat.
"""

EXTRA_SIGNATURES = """product acme-agent
cpe acme:agent
string acme-agent version ([0-9]+\\.[0-9]+)
"""


def rpm_header(tags):
    """An RPM header blob in its on-disk layout: il, dl (big-endian), il
    entries {tag, type, offset, count}, then the data.  `tags` maps tag
    numbers to str (STRING, type 6) or int (INT32, type 4)."""
    import struct
    index, data = [], b""
    for tag, value in sorted(tags.items()):
        if isinstance(value, int):
            while len(data) % 4:
                data += b"\0"
            index.append(struct.pack(">iiii", tag, 4, len(data), 1))
            data += struct.pack(">i", value)
        else:
            index.append(struct.pack(">iiii", tag, 6, len(data), 1))
            data += value.encode() + b"\0"
    return struct.pack(">ii", len(index), len(data)) + b"".join(index) + data


def rpmdb(path):
    """rpm's SQLite database (rpm >= 4.16) with three installed packages
    and a damaged header, made with Python's sqlite3."""
    import sqlite3
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY "
               "AUTOINCREMENT, blob BLOB NOT NULL)")
    for tags in ({1000: "openssl-libs", 1001: "3.0.9", 1002: "2.fc38",
                  1003: 1},
                 {1000: "glibc", 1001: "2.37", 1002: "4.fc38"},
                 {1000: "acme-rpmtool", 1001: "0.9", 1002: "1"}):
        db.execute("INSERT INTO Packages (blob) VALUES (?)",
                   (rpm_header(tags),))
    db.execute("INSERT INTO Packages (blob) VALUES (?)",
               (b"\0\0\0\x09\0\0\xff\xff" + b"\0" * 30,))
    db.commit()
    db.close()


def program(s, tmp, name, strings):
    """A real executable carrying `strings` in its read-only data."""
    src = os.path.join(tmp, name + ".c")
    with open(src, "w") as f:
        for i, text in enumerate(strings):
            f.write('const char s%d[] = "%s";\n' % (i, text))
        f.write("#include <stdio.h>\nint main(void) {\n")
        for i in range(len(strings)):
            f.write("  puts(s%d);\n" % i)
        f.write("  return 0;\n}\n")
    out = os.path.join(tmp, name)
    T.sh(["cc", "-O1", "-o", out, src], what="cc " + name)
    return out


def build(s, tmp):
    root = os.path.join(tmp, "root")
    for d in ("bin", "usr/bin", "usr/lib", "usr/lib/opkg", "var/lib/dpkg",
              "boot", "etc"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    lib = program(s, tmp, "libcrypto", [OPENSSL_102K])
    shutil.copy(lib, os.path.join(root, "usr/lib/libcrypto.so.1.0.0"))
    os.symlink("libcrypto.so.1.0.0", os.path.join(root, "usr/lib/libcrypto.so"))
    shutil.copy(program(s, tmp, "vpnd", [OPENSSL_102K, "vpnd starting"]),
                os.path.join(root, "usr/bin/vpnd"))
    shutil.copy(program(s, tmp, "httpd", [OPENSSL_102K, "httpd/2.2"]),
                os.path.join(root, "usr/bin/httpd"))
    shutil.copy(program(s, tmp, "cloudd", [OPENSSL_111W]),
                os.path.join(root, "usr/bin/cloudd"))
    shutil.copy(program(s, tmp, "agent", ["acme-agent version 7.1"]),
                os.path.join(root, "usr/bin/agent"))
    # A program linked against this machine's libcrypto: it carries
    # OPENSSL_VERSION_TEXT from the headers and imports OpenSSL_version,
    # so it mentions OpenSSL without holding a copy.
    src = os.path.join(tmp, "sslinfo.c")
    with open(src, "w") as f:
        f.write("#include <openssl/crypto.h>\n#include <stdio.h>\n"
                "int main(void) { printf(\"%s / %s\\n\", "
                "OPENSSL_VERSION_TEXT, OpenSSL_version(OPENSSL_VERSION));"
                " return 0; }\n")
    T.sh(["cc", "-o", os.path.join(root, "usr/bin/sslinfo"), src,
          "-lcrypto"], what="cc sslinfo")
    # Documentation quotes old versions: not copies.
    os.makedirs(os.path.join(root, "usr/share/man/man1"))
    with open(os.path.join(root, "usr/share/man/man1/vpnd.1.gz"), "wb") as f:
        f.write(gzip.compress(b".TH VPND 1\nBuilt with OpenSSL 1.0.1e  "
                              b"11 Feb 2013 and BusyBox v1.19.4 (x)\n",
                              mtime=0))
    with open(os.path.join(root, "etc/notes.txt"), "w") as f:
        f.write("needs libcrypto.so.1.0.0\n"
                "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 "
                "OpenSSL/3.0.11 zlib/1.2.13\n"
                "GCC: (GNU) 4.8.3\nversion 1.0.2k\n")
    kernel = (b"\x00" * 64 + b"Linux version 3.10.14 (builder@host) "
              b"(gcc version 4.8.3 (GCC) ) #1 SMP Tue Jun 2 2020\x00" +
              T.prng_bytes("kernel", 4096))
    with open(os.path.join(root, "boot/vmlinux.gz"), "wb") as f:
        f.write(gzip.compress(kernel, mtime=0))
    with open(os.path.join(root, "usr/lib/opkg/status"), "w") as f:
        f.write(OPKG_STATUS)
    with open(os.path.join(root, "var/lib/dpkg/status"), "w") as f:
        f.write(DPKG_STATUS)
    os.makedirs(os.path.join(root, "var/lib/rpm"))
    rpmdb(os.path.join(root, "var/lib/rpm/rpmdb.sqlite"))
    out = os.path.join(tmp, "fw")
    T.sh(["sh", T.MKFIRMWARE, "router", out, root], what="mkfirmware")
    return os.path.join(out, "router.bin")


def by_key(report):
    return {(c["name"], c["version"]): c for c in report["components"]}


def check_components(s, rep):
    comps = by_key(rep)
    want = {
        ("openssl", "1.0.2k"), ("openssl", "1.1.1w"), ("linux", "3.10.14"),
        ("linux", "4.14.180"),  # mkfirmware.sh's own kernel
        ("dropbear", "2019.78"), ("acme-widgetd", "4.2"), ("expat", "2.5.0"),
        ("acme-agent", "7.1"),
        # rpm's database
        ("openssl", "3.0.9"), ("glibc", "2.37"), ("acme-rpmtool", "0.9"),
    }
    got = set(comps)
    s.eq(sorted(got - want, key=str), [], "no unexpected component")
    s.eq(sorted(want - got, key=str), [], "every planted component")
    o = comps.get(("openssl", "1.0.2k"), {})
    s.eq(o.get("copies"), 3, "openssl 1.0.2k: 3 copies (library + 2 static)")
    s.eq(sorted((l["fspath"], l["method"]) for l in o.get("locations", [])),
         [("/usr/bin/httpd", "string"), ("/usr/bin/vpnd", "string"),
          ("/usr/lib/libcrypto.so.1.0.0", "string"),
          ("/usr/lib/opkg/status", "package")],
         "openssl 1.0.2k: locations (no symlink, no mention)")
    s.eq(o.get("package_version"), "1.0.2k-1", "openssl: package version")
    s.eq(o.get("cpe"), "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*",
         "openssl: CPE 2.3")
    s.eq(o.get("purl"), "pkg:generic/openssl@1.0.2k", "openssl: purl")
    s.eq(o.get("confidence"), "high", "openssl: confidence")
    k = comps.get(("linux", "3.10.14"), {})
    s.eq(k.get("cpe"), "cpe:2.3:o:linux:linux_kernel:3.10.14:*:*:*:*:*:*:*",
         "linux: an operating-system CPE")
    s.check(any(l["path"].endswith("/boot/vmlinux.gz/gzip")
                for l in k.get("locations", [])),
            "linux 3.10.14: found inside the compressed kernel", k)
    d = comps.get(("dropbear", "2019.78"), {})
    s.eq((d.get("copies"), d.get("package_version")), (0, "2019.78-2"),
         "dropbear: from the package database only, not a copy")
    u = comps.get(("acme-widgetd", "4.2"), {})
    s.eq((u.get("cpe"), u.get("purl")), (None, "pkg:generic/acme-widgetd@4.2"),
         "a package the signatures do not know: no CPE")
    e = comps.get(("expat", "2.5.0"), {})
    s.eq(e.get("package_version"), "2.5.0-1+deb12u1",
         "dpkg: Source: maps libexpat1 to expat")
    r = comps.get(("openssl", "3.0.9"), {})
    s.eq((r.get("copies"), r.get("package_version"),
          [l["fspath"] for l in r.get("locations", [])]),
         (0, "1:3.0.9-2.fc38", ["/var/lib/rpm/rpmdb.sqlite"]),
         "rpmdb: openssl-libs with epoch and release")
    census = {r["name"]: r for r in rep["census"]}
    s.eq(census.get("openssl"),
         {"name": "openssl", "versions": {"1.0.2k": 3, "1.1.1w": 1},
          "copies": 4}, "census: openssl, 4 copies of 2 versions")
    s.eq(sorted(census), ["acme-agent", "linux", "openssl"],
         "census: only products with copies")


def check_eol(s, rep):
    eol = sorted((f["fspath"] or f["path"], f["evidence"])
                 for f in rep["findings"] if f["rule"] == "component.eol")
    s.eq(eol, sorted([
        ("/usr/bin/cloudd", "openssl 1.1.1"),
        ("/usr/bin/httpd", "openssl 1.0.2"),
        ("/usr/bin/vpnd", "openssl 1.0.2"),
        ("/usr/lib/libcrypto.so.1.0.0", "openssl 1.0.2"),
        ("router.bin/squashfs@0x200000/boot/vmlinux.gz/gzip", "linux 3.10"),
        ("router.bin/uimage/lzma", "linux 4.14"),
        # no copy of it, only a package record
        ("/var/lib/rpm/rpmdb.sqlite", "openssl 3.0"),
    ]), "component.eol: one per copy of an ended series")


def validate(s, doc, what):
    """Validates `doc` against the CycloneDX 1.6 schema in tests/schemas."""
    import warnings
    import jsonschema
    # RefResolver is what Debian 12's jsonschema (4.10) has; newer ones
    # warn that it is deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    base = os.path.join(T.SOURCE_DIR, "tests", "schemas")
    store = {}
    for name in ("bom-1.6.schema.json", "spdx.schema.json",
                 "jsf-0.82.schema.json"):
        with open(os.path.join(base, name)) as f:
            sch = json.load(f)
        store[sch["$id"]] = sch
        store[name] = sch
    schema = store["bom-1.6.schema.json"]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    v = jsonschema.Draft7Validator(schema, resolver=resolver)
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    s.check(not errors, what + ": valid CycloneDX 1.6",
            "\n".join("%s at %s" % (e.message[:200], list(e.path))
                      for e in errors[:10]))


def check_cyclonedx(s, bom, rep):
    validate(s, bom, "sbom")
    comps = {(c["name"], c.get("version")): c for c in bom.get("components", [])}
    s.eq(set(comps), set(by_key(rep)), "sbom: the scan's components")
    o = comps.get(("openssl", "1.0.2k"), {})
    s.eq(len(o.get("hashes", [])), 3, "sbom: one SHA-256 per file holding it")
    occ = sorted(x["location"] for x in o.get("evidence", {})
                 .get("occurrences", []))
    s.eq(occ, ["/usr/bin/httpd", "/usr/bin/vpnd",
               "/usr/lib/libcrypto.so.1.0.0", "/usr/lib/opkg/status"],
         "sbom: occurrences")
    s.eq(o.get("cpe"), "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*",
         "sbom: cpe")
    s.eq(bom["metadata"]["component"]["type"], "firmware", "sbom: subject")


# Two records for this image, in NVD API 2.0 shape, next to the fixture
# feed of tests/fixtures/vuln (whose dropbear record matches too).
LOCAL_NVD = {
    "resultsPerPage": 2, "startIndex": 0, "totalResults": 2,
    "format": "NVD_CVE", "version": "2.0",
    "timestamp": "2026-11-01T00:00:00.000",
    "vulnerabilities": [
        {"cve": {
            "id": "CVE-2091-0001", "published": "2091-01-01T00:00:00.000",
            "lastModified": "2091-01-02T00:00:00.000",
            "vulnStatus": "Analyzed",
            "descriptions": [{"lang": "en", "value": "openssl test record"}],
            "metrics": {"cvssMetricV31": [{
                "source": "nvd@nist.gov", "type": "Primary",
                "cvssData": {"version": "3.1", "vectorString":
                             "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                             "baseScore": 9.8, "baseSeverity": "CRITICAL"}}]},
            "configurations": [{"nodes": [{
                "operator": "OR", "negate": False, "cpeMatch": [{
                    "vulnerable": True,
                    "criteria": "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
                    "versionStartIncluding": "1.0.2",
                    "versionEndExcluding": "1.0.2l",
                    "matchCriteriaId": "00000000-0000-0000-0000-000000000001"}]}]}]}},
        {"cve": {
            "id": "CVE-2091-0002", "published": "2091-01-01T00:00:00.000",
            "lastModified": "2091-01-02T00:00:00.000",
            "vulnStatus": "Analyzed",
            "descriptions": [{"lang": "en", "value": "expat test record"}],
            "metrics": {"cvssMetricV31": [{
                "source": "nvd@nist.gov", "type": "Primary",
                "cvssData": {"version": "3.1", "vectorString":
                             "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                             "baseScore": 7.5, "baseSeverity": "HIGH"}}]},
            "configurations": [{"nodes": [{
                "operator": "OR", "negate": False, "cpeMatch": [{
                    "vulnerable": True,
                    "criteria": "cpe:2.3:a:libexpat_project:libexpat:*:*:*:*:*:*:*:*",
                    "versionEndExcluding": "2.6.0",
                    "matchCriteriaId": "00000000-0000-0000-0000-000000000002"}]}]}]}},
    ]}


def check_vulns(s, tmp, img):
    """Import the fixture feeds into the default database, then scan."""
    xdg = os.path.join(tmp, "xdg-vuln")
    env = {"XDG_DATA_HOME": xdg}
    local = os.path.join(tmp, "local-nvd.json")
    with open(local, "w") as f:
        json.dump(LOCAL_NVD, f)
    fx = os.path.join(T.SOURCE_DIR, "tests", "fixtures", "vuln")
    T.fwvet(s, "vulndb", "import", local, os.path.join(fx, "nvd-api.json"),
            os.path.join(fx, "osv-list.json"), env=env)
    r = T.fwvet(s, "scan", "--format", "json", img, env=env)
    rep = json.loads(r.stdout)
    s.eq(rep["summary"].get("vulndb"),
         os.path.join(xdg, "fwvet", "vulndb.sqlite"),
         "summary.vulndb: the default database")
    got = sorted((v["id"], v["component"], v["version"], v["severity"],
                  v["cvss"], v["distro_may_fix"])
                 for v in rep["vulnerabilities"])
    s.eq(got, [
        # package records with a revision: the distribution may have
        # backported the fix ("1.0.2k-1" is opkg's, "2.5.0-1+deb12u1"
        # Debian's); OSV's score is computed from its CVSS vector
        ("CVE-2090-0004", "dropbear", "2019.78", "critical", 9.8, True),
        ("CVE-2091-0001", "openssl", "1.0.2k", "critical", 9.8, True),
        ("CVE-2091-0002", "expat", "2.5.0", "high", 7.5, True),
        ("OSV-2090-2", "dropbear", "2019.78", "high", 7.8, True),
    ], "vulnerabilities from the default database (XDG_DATA_HOME)")
    r = T.fwvet(s, "scan", "--format", "cyclonedx", img, env=env)
    bom = json.loads(r.stdout)
    validate(s, bom, "sbom with vulnerabilities")
    s.eq(sorted(v["id"] for v in bom.get("vulnerabilities", [])),
         ["CVE-2090-0004", "CVE-2091-0001", "CVE-2091-0002", "OSV-2090-2"],
         "sbom: vulnerabilities")
    r = T.fwvet(s, "scan", img, env=env)
    s.check("may be fixed by the distribution" in r.stdout,
            "text: distribution builds are marked", r.stdout[-3000:])


def main():
    s = T.Suite("components")
    T.need_tools(s, "mksquashfs", "mkimage", "cc")
    tmp = tempfile.mkdtemp(prefix="fwvet-components-")
    try:
        img = build(s, tmp)
        sig = os.path.join(tmp, "extra.sig")
        with open(sig, "w") as f:
            f.write(EXTRA_SIGNATURES)
        env = {"XDG_DATA_HOME": os.path.join(tmp, "xdg")}  # no default db
        r = T.fwvet(s, "scan", "--format", "json", "--signatures", sig, img,
                    env=env)
        rep = json.loads(r.stdout)
        check_components(s, rep)
        check_eol(s, rep)
        r = T.fwvet(s, "scan", "--format", "cyclonedx", "--signatures", sig,
                    img, env=env)
        check_cyclonedx(s, json.loads(r.stdout), rep)
        # Without the extra signatures the agent is not known.
        r = T.fwvet(s, "scan", "--format", "json", img, env=env)
        s.check(("acme-agent", "7.1") not in by_key(json.loads(r.stdout)),
                "acme-agent needs --signatures")
        s.eq(rep["summary"].get("vulndb", "absent"), None,
             "summary.vulndb: null without a database")
        r = T.fwvet(s, "scan", img, env=env)
        s.check("openssl            4 copies of 2 versions: 1.0.2k (3) "
                "1.1.1w (1)" in r.stdout, "text: the census line",
                r.stdout[:3000])
        s.check("not known: no vulnerability database was used" in r.stdout,
                "text: says no vulnerability database was used",
                r.stdout[:3000])
        # A bad signature file is a usage error naming file and line.
        with open(sig, "a") as f:
            f.write("string acme \\d+\n")
        r = T.fwvet(s, "scan", "--signatures", sig, img, env=env,
                    expect_rc=2)
        s.check(sig + ":4:" in r.stderr, "bad --signatures: file:line",
                r.stderr)
        r = T.fwvet(s, "ls", "--format", "cyclonedx", img, expect_rc=2)
        s.check("scan only" in r.stderr, "cyclonedx is for scan", r.stderr)
        check_vulns(s, tmp, img)
        r = T.fwvet(s, "scan", "--vulndb", os.path.join(tmp, "none.db"), img,
                    env=env, expect_rc=3)
        s.check("no such vulnerability database" in r.stderr,
                "--vulndb naming a missing file", r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
