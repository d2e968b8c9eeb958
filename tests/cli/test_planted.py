"""Integration: one planted case of every rule, found at its fspath.

A root file system is built at test time with one case of each rule of
docs/rules.md at a known path: password files (account.*, credential.*
with hashes made by `openssl passwd`), keys and certificates made by
openssl and ssh-keygen, a hard-coded secret, boot code and a backdoor
string, small programs compiled with flags that flip one hardening
property each (and a fully hardened one that must stay silent), and a tar
with an entry escaping the extraction directory.  It is packed by
tests/fixtures/mkfirmware.sh (squashfs in a uImage in a flash image) and
scanned with `fwvet scan --format json`: every planted (rule, line) must
be reported at its fspath, and nothing else anywhere.

tests/cli/test_services.py covers the variants of the boot-code rules
(service.*, script.remote-code, backdoor.known); here each has one case
so that the image plants every rule.  A rule the tree does not implement
yet (not in the table of docs/rules.md, e.g. engineering.*, yara.*) is
skipped with a NOTE and its findings are ignored.
"""

import json
import os
import re
import shutil
import tarfile
import tempfile

import fwvtest as T

PW_DEFAULT = "admin"           # in data/default-passwords.txt
PW_STRONG = "Vq7#mT2!xLp9wZ4k"  # not in the list

# fspath -> text content; the expectations are in EXPECT below.
TEXT = {
    "/etc/passwd":
        "root:x:0:0:root:/root:/bin/sh\n"
        "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
        "toor:x:0:0:maintenance:/root:/bin/sh\n"
        "guest:x:1001:1001:guest:/tmp:/bin/sh\n"
        "svc:x:1002:1002:service:/var:/bin/sh\n",
    # root: SHA-512 crypt of a default password; guest: empty; svc: MD5
    # crypt of a strong password (weak hash, no default); filled in below.
    "/etc/shadow": None,
    "/etc/group": "root:x:0:\ndaemon:x:1:\nguest:x:1001:\nsvc:x:1002:\n",
    "/etc/config/cloud.conf":
        "[cloud]\napi_key = abcd1234efgh\nserver = cloud.example.com\n",
    "/etc/init.d/S50debug":
        "#!/bin/sh\n/usr/sbin/telnetd -p 2323 -l /bin/sh &\n"
        "gdbserver :2345 /usr/bin/app &\n",
    "/usr/sbin/autoupdate":
        "#!/bin/sh\nwget -qO- http://update.example.com/u.sh | sh\n",
    "/usr/sbin/mfgd": "\x7fNOTELF\x00MfgThread\x00w302r_mfg\x00",
    "/www/.htpasswd": None,  # filled in below
}

# fspath -> {(rule, line)}; line 0 where the rule has none.
EXPECT = {
    # tests/fixtures/mkfirmware.sh's kernel banner: Linux 4.14.180, a
    # series whose support ended (data/eol.txt); a blob has no fspath.
    "router.bin/uimage/lzma": {("component.eol", 0)},
    "/etc/passwd": {("account.uid0", 3)},
    "/etc/shadow": {("credential.default-password", 1),
                    ("account.empty-password", 4),
                    ("credential.weak-hash", 5)},
    "/etc/config/cloud.conf": {("credential.hardcoded", 2)},
    "/etc/ssl/private/server.key": {("credential.private-key", 1)},
    "/etc/ssl/private/legacy.key": {("credential.private-key", 1),
                                    ("crypto.weak-key", 1)},
    "/etc/ssl/certs/device.pem": {("crypto.certificate", 1)},
    "/etc/ssl/certs/expired.pem": {("crypto.certificate", 1)},
    # A self-signed SHA-1 root: its own signature is never checked.
    "/etc/ssl/certs/root-sha1.pem": set(),
    "/root/.ssh/id_vendor": {("credential.private-key", 1)},
    "/www/.htpasswd": {("credential.hardcoded", 1)},
    "/root/.ssh/authorized_keys": {("credential.authorized-key", 1)},
    "/etc/init.d/S50debug": {("service.unauthenticated-shell", 2),
                             ("service.debug", 3)},
    "/usr/sbin/autoupdate": {("script.remote-code", 2)},
    "/usr/sbin/mfgd": {("backdoor.known", 0)},
    "/usr/bin/hard": set(),  # fully hardened: nothing
    "/usr/bin/execstack": {("hardening.execstack", 0)},
    "/usr/bin/norelro": {("hardening.no-relro", 0)},
    "/usr/bin/nocanary": {("hardening.no-canary", 0)},
    "/usr/bin/nopie": {("hardening.no-pie", 0)},
    "/usr/bin/rpath": {("hardening.rpath", 0)},
    "/usr/bin/getsdemo": {("engineering.unsafe-function", 0)},
}

PROG = r"""
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  char buf[64];
  if (!fgets(buf, (int)sizeof buf, stdin))
    return argc > 1;
  fputs(buf, stdout);
  return (int)strlen(argv[0]) & 1;
}
"""
GETS = r"""
#include <stdio.h>
char *gets(char *);
int main(void) {
  char buf[64];
  if (!gets(buf))
    return 1;
  puts(buf);
  return 0;
}
"""
HARD = ["-O0", "-fstack-protector-strong", "-fPIE", "-pie",
        "-Wl,-z,relro,-z,now", "-Wl,-z,noexecstack"]
# program -> (source, flags appended to HARD: the last one wins)
PROGRAMS = {
    "hard": (PROG, []),
    "execstack": (PROG, ["-Wl,-z,execstack"]),
    "norelro": (PROG, ["-Wl,-z,norelro", "-Wl,-z,lazy"]),
    "nocanary": (PROG, ["-fno-stack-protector"]),
    "nopie": (PROG, ["-fno-PIE", "-no-pie"]),
    "rpath": (PROG, ["-Wl,-rpath,/tmp/lib", "-Wl,--disable-new-dtags"]),
    "getsdemo": (GETS, []),
}

# The tar inside the root file system: an entry escaping the extraction
# directory.  Where its finding lands is found by path (below).
TAR = "/usr/share/fw/update.tar"


def documented_rules():
    """Rule ids in the table at the top of docs/rules.md."""
    out = set()
    with open(os.path.join(T.SOURCE_DIR, "docs", "rules.md")) as f:
        for ln in f:
            if ln.startswith("## "):
                break
            m = re.match(r"\|\s*`([a-z0-9-]+\.[a-z0-9.-]+)`\s*\|", ln)
            if m:
                out.add(m.group(1))
    return out


def write(root, fspath, data, mode=0o644):
    p = root + fspath
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("latin-1"))
    os.chmod(p, mode)


def openssl(tmp, *args):
    return T.sh(["openssl"] + list(args), cwd=tmp,
                what="openssl " + " ".join(args[:2]))


def build(s, tmp):
    root = os.path.join(tmp, "rootfs")
    os.makedirs(root)
    h6 = openssl(tmp, "passwd", "-6", "-salt", "fwvetPlt",
                 PW_DEFAULT).decode().strip()
    h1 = openssl(tmp, "passwd", "-1", "-salt", "fwvetPlt",
                 PW_STRONG).decode().strip()
    TEXT["/etc/shadow"] = (
        "root:%s:18416:0:99999:7:::\n"
        "daemon:*:18416:0:99999:7:::\n"
        "toor:!:18416:0:99999:7:::\n"
        "guest::18416:0:99999:7:::\n"
        "svc:%s:18416:0:99999:7:::\n" % (h6, h1))
    # SHA-512 crypt of a strong password: only the basic-auth user counts
    # ($apr1$ would also be a weak hash).
    h6web = openssl(tmp, "passwd", "-6", "-salt", "fwvetPlt",
                    PW_STRONG).decode().strip()
    TEXT["/www/.htpasswd"] = "webadmin:%s\n" % h6web
    for fspath, content in TEXT.items():
        mode = 0o755 if content.startswith(("#!", "\x7f")) else 0o644
        write(root, fspath, content, mode)

    # Keys and certificates.
    openssl(tmp, "genpkey", "-algorithm", "RSA", "-pkeyopt",
            "rsa_keygen_bits:2048", "-out", "server.key")
    openssl(tmp, "genpkey", "-algorithm", "RSA", "-pkeyopt",
            "rsa_keygen_bits:1024", "-out", "legacy.key")
    # A CA (not shipped) signs the device certificate with SHA-1; the
    # device key is strong, so only crypto.certificate applies.
    openssl(tmp, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
            "-subj", "/CN=fwvet test CA", "-sha256")
    openssl(tmp, "req", "-new", "-key", "server.key", "-out", "dev.csr",
            "-subj", "/CN=device.example.com")
    openssl(tmp, "x509", "-req", "-in", "dev.csr", "-CA", "ca.pem",
            "-CAkey", "ca.key", "-CAcreateserial", "-sha1", "-days", "3650",
            "-out", "device.pem")
    # The same CA signs (SHA-256) a certificate valid only in 2010.
    with open(os.path.join(tmp, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\n"
                "new_certs_dir = .\nserial = serial\ndefault_md = sha256\n"
                "policy = p\nunique_subject = no\n"
                "[p]\ncommonName = supplied\n")
    open(os.path.join(tmp, "index.txt"), "w").close()
    with open(os.path.join(tmp, "serial"), "w") as f:
        f.write("1000\n")
    openssl(tmp, "req", "-new", "-key", "server.key", "-out", "old.csr",
            "-subj", "/CN=old.example.com")
    openssl(tmp, "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem",
            "-keyfile", "ca.key", "-in", "old.csr", "-out", "expired.pem",
            "-notext", "-startdate", "20100101000000Z", "-enddate",
            "20110101000000Z")
    openssl(tmp, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", "root.key", "-out", "root-sha1.pem", "-days", "3650",
            "-subj", "/CN=fwvet legacy root", "-sha1")
    T.sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
          "vendor@factory", "-f", os.path.join(tmp, "id_vendor")],
         what="ssh-keygen")
    for name, fspath in (("server.key", "/etc/ssl/private/server.key"),
                         ("expired.pem", "/etc/ssl/certs/expired.pem"),
                         ("root-sha1.pem", "/etc/ssl/certs/root-sha1.pem"),
                         ("id_vendor", "/root/.ssh/id_vendor"),
                         ("legacy.key", "/etc/ssl/private/legacy.key"),
                         ("device.pem", "/etc/ssl/certs/device.pem")):
        with open(os.path.join(tmp, name), "rb") as f:
            write(root, fspath, f.read(),
                  0o644 if fspath.startswith("/etc/ssl/certs/") else 0o600)
    with open(os.path.join(tmp, "id_vendor.pub"), "rb") as f:
        write(root, "/root/.ssh/authorized_keys", f.read(), 0o600)

    # Programs, one hardening property flipped each.
    for name, (src, flags) in PROGRAMS.items():
        c = os.path.join(tmp, name + ".c")
        with open(c, "w") as f:
            f.write(src)
        out = root + "/usr/bin/" + name
        os.makedirs(os.path.dirname(out), exist_ok=True)
        T.sh(["cc", "-w"] + HARD + flags + ["-o", out, c],
             what="cc " + name)

    # A firmware update archive with a path-traversal entry.
    os.makedirs(os.path.dirname(root + TAR), exist_ok=True)
    with tarfile.open(root + TAR, "w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in (("update/version", b"2.0.1\n"),
                           ("../../etc/rc.local", b"echo hi\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1591185600
            t.addfile(info, __import__("io").BytesIO(data))

    out = os.path.join(tmp, "fw")
    T.sh(["sh", T.MKFIRMWARE, "router", out, root], what="mkfirmware")
    return os.path.join(out, "router.bin")


def main():
    s = T.Suite("planted")
    T.need_tools(s, "mksquashfs", "mkimage", "openssl", "ssh-keygen", "cc")
    documented = documented_rules()
    expected_rules = {r for want in EXPECT.values() for r, _ in want}
    expected_rules.add("unpack.unsafe-path")
    skipped = set()
    for r in sorted(expected_rules):
        if r not in documented:
            s.note("rule %s is not implemented yet (not in docs/rules.md): "
                   "skipped, its findings are ignored" % r)
            skipped.add(r.split(".")[0] + ".")
    s.note("yara.* rules need --rules FILE.yar: tests/cli/test_yara.py")
    # rules of `fwvet audit-src` (source trees, not images): tested in
    # tests/cli/test_engineering.py and tests/unit/test_srcaudit.c
    source_only = {"engineering.unsafe-macro", "engineering.unchecked-wrapper"}
    for r in sorted(documented - expected_rules - source_only):
        if not r.startswith("unpack."):
            s.check(False, "rule %s of docs/rules.md has a planted case" % r)
    tmp = tempfile.mkdtemp(prefix="fwvet-planted-")
    try:
        img = build(s, tmp)
        r = T.fwvet(s, "scan", "--format", "json", img, expect_rc=None)
        try:
            report = json.loads(r.stdout)
        except ValueError:
            s.check(False, "scan output is JSON", r.describe())
            s.finish()
        got = {}
        unsafe = []
        for f in report.get("findings", []):
            rule = f.get("rule", "")
            if rule.startswith(tuple(skipped)):
                continue
            s.check(f.get("evidence") or rule.startswith("unpack."),
                    "%s %s: evidence" % (rule, f.get("fspath")), f)
            if rule == "unpack.unsafe-path":
                unsafe.append(f)
                continue
            where = f.get("fspath") or f.get("path")
            got.setdefault(where, set()).add((rule, f.get("line") or 0))
        for fspath, want in sorted(EXPECT.items()):
            want = {(r, ln) for r, ln in want
                    if not r.startswith(tuple(skipped))}
            s.eq(got.pop(fspath, set()), want, "findings at " + fspath)
        # The tar reader reports the entry itself: its fspath is the
        # entry's name, its provenance path goes through the tar.
        s.eq(sorted(f.get("fspath") for f in unsafe),
             ["/../../etc/rc.local"], "unpack.unsafe-path: the entry")
        s.check(len(unsafe) == 1 and
                TAR + "/" in (unsafe[0].get("path") or ""),
                "unpack.unsafe-path: inside " + TAR, unsafe)
        s.eq(got, {}, "no findings other than the planted ones")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
