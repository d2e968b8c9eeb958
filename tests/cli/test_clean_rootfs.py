"""Integration: a clean root file system gives no security findings.

A root file system is built from real, unmodified Debian packages
(`apt-get download`, armhf when that foreign architecture is configured,
else the host's), extracted with `dpkg-deb -x` into one tree, with
/etc/passwd, /etc/group from base-passwd's templates and an /etc/shadow
where every account, root included, is locked ('*').  It is packed with
mksquashfs and scanned: no account.*, credential.*, service.*, script.* or
backdoor.* finding may come out (issue 4, "Clean images give no findings
from these rules").  The counts of the other rules (hardening.*,
engineering.*, crypto.* on the stock CA bundle, unpack.*) are printed for
information only: stock Debian binaries do have RPATHs and unprotected
functions, and some stock CA roots are SHA-1 signed.

The .debs are cached in $FWVET_DEB_CACHE or /tmp/fwvet-debs-<arch>-<hash
of the package list>, so reruns do not download.  When the archive is not
reachable and nothing is cached, the test prints SKIP and exits 0.
"""

import collections
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

import fwvtest as T

MUST_BE_SILENT = ("account.", "credential.", "service.", "script.",
                  "backdoor.")

# Architecture-specific packages, then architecture-independent ones.
PACKAGES = ["base-files", "base-passwd", "busybox", "dropbear-bin",
            "openssh-server", "openssh-client", "openssl", "libc6", "libssl3",
            "sudo", "login", "passwd", "ifupdown", "procps", "cron",
            "lighttpd", "dnsmasq-base", "curl", "libcurl4", "zlib1g",
            "systemd", "wpasupplicant", "hostapd", "ppp", "isc-dhcp-client",
            "iproute2", "wget", "openssh-sftp-server", "mosquitto",
            "openvpn", "snmpd", "rsyslog", "logrotate",
            "chrony", "avahi-daemon", "bash", "coreutils", "util-linux",
            "perl-base", "libpam-modules", "iptables", "vsftpd",
            "strongswan-starter", "apache2", "apache2-bin",
            "apache2-utils", "isc-dhcp-server", "radvd", "miniupnpd",
            "lldpd", "wireguard-tools", "nftables", "tcpdump", "ethtool",
            "udhcpc", "dbus", "php8.2-cgi"]
PACKAGES_ALL = ["netbase", "dnsmasq", "ca-certificates", "dropbear",
                "initscripts", "sysvinit-utils", "nginx-common",
                "libpam-runtime", "samba-common", "apache2-data",
                "exim4-config", "php8.2-common"]
# Without these there is no root file system worth the name.
REQUIRED = ["base-files", "base-passwd", "busybox", "libc6"]


def pick_arch():
    try:
        foreign = subprocess.run(["dpkg", "--print-foreign-architectures"],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL,
                                 timeout=60).stdout.decode().split()
    except (OSError, subprocess.TimeoutExpired):
        foreign = []
    if "armhf" in foreign:
        return "armhf"
    try:
        return subprocess.run(["dpkg", "--print-architecture"],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL,
                              timeout=60).stdout.decode().strip() or "amd64"
    except (OSError, subprocess.TimeoutExpired):
        return "amd64"


def cached(cache, pkg):
    return glob.glob(os.path.join(cache, glob.escape(pkg) + "_*.deb"))


def apt_download(cache, names):
    """One `apt-get download` of `names`; the names apt said it has no
    candidate for (to retry without them), or None when it succeeded."""
    r = T.run(["apt-get", "download", "-qq"] + names, cwd=cache,
              timeout=150)
    if r.rc == 0:
        return None
    return set(re.findall(r"(?:package|locate package) ([^\s]+?)"
                          r"(?: as it has no candidate|\s*$)",
                          r.stderr, re.M))


def fetch_batch(cache, names):
    """Downloads `names` in one call; when some have no candidate, once
    more without them (as pkg, not pkg:arch: it may be Architecture:
    all)."""
    if not names:
        return
    bad = apt_download(cache, names)
    if bad:
        retry = [n for n in names if n not in bad] + \
            [n.split(":")[0] for n in names if n in bad and ":" in n]
        if retry:
            apt_download(cache, retry)


def download(arch, cache):
    """Fetches what is not cached; returns the packages that are there."""
    os.makedirs(cache, exist_ok=True)
    want = [(p, p + ":" + arch) for p in PACKAGES] + \
        [(p, p) for p in PACKAGES_ALL]
    missing = [(p, n) for p, n in want if not cached(cache, p)]
    if missing and shutil.which("apt-get"):
        # One call: apt takes seconds to start here, and an unreachable
        # archive must not cost that once per package.  When it fails,
        # refresh the lists (stale ones point at removed versions) and
        # try once more.
        for attempt in range(2):
            fetch_batch(cache, [n for p, n in want if not cached(cache, p)])
            if attempt or all(cached(cache, p) for p in REQUIRED):
                break
            T.run(["apt-get", "update", "-qq"], timeout=150)
    return [p for p, _ in want if cached(cache, p)]


def build_rootfs(root, cache, pkgs):
    os.makedirs(root)
    for p in pkgs:
        deb = sorted(cached(cache, p))[-1]
        T.sh(["dpkg-deb", "-x", deb, root], what="dpkg-deb -x " + deb)
    etc = os.path.join(root, "etc")
    tmpl = os.path.join(root, "usr", "share", "base-passwd")
    shutil.copyfile(os.path.join(tmpl, "passwd.master"),
                    os.path.join(etc, "passwd"))
    shutil.copyfile(os.path.join(tmpl, "group.master"),
                    os.path.join(etc, "group"))
    with open(os.path.join(etc, "passwd")) as f:
        names = [ln.split(":")[0] for ln in f if ln.strip()]
    with open(os.path.join(etc, "shadow"), "w") as f:
        for n in names:
            f.write("%s:*:19000:0:99999:7:::\n" % n)
    os.chmod(os.path.join(etc, "shadow"), 0o640)
    return names


def main():
    s = T.Suite("clean_rootfs")
    if not T.need_tools(s, "mksquashfs", "dpkg-deb"):
        s.finish()
    arch = pick_arch()
    key = hashlib.sha256(("%s %s %s" % (arch, PACKAGES, PACKAGES_ALL))
                         .encode()).hexdigest()[:12]
    cache = os.environ.get("FWVET_DEB_CACHE") or \
        os.path.join(tempfile.gettempdir(), "fwvet-debs-%s-%s" % (arch, key))
    pkgs = download(arch, cache)
    if not all(p in pkgs for p in REQUIRED):
        print("SKIP the Debian archive is not reachable (have %s in %s)"
              % (", ".join(pkgs) or "nothing", cache))
        print("0 passed, 0 failed")
        return
    left = sorted(set(PACKAGES + PACKAGES_ALL) - set(pkgs))
    if left:
        s.note("not downloadable, left out: " + ", ".join(left))
    print("ok   %d packages (%s) from %s" % (len(pkgs), arch, cache))

    tmp = tempfile.mkdtemp(prefix="fwvet-clean-")
    try:
        root = os.path.join(tmp, "rootfs")
        names = build_rootfs(root, cache, pkgs)
        s.check("root" in names, "passwd from base-passwd has root")
        img = os.path.join(tmp, "rootfs.squashfs")
        T.sh(["mksquashfs", root, img, "-comp", "gzip", "-all-root",
              "-no-progress", "-quiet", "-mkfs-time", "0"],
             what="mksquashfs")
        r = T.fwvet(s, "scan", "--format", "json", img, expect_rc=None)
        s.check(r.rc in (0, 1), "scan exits 0 or 1", r.describe())
        try:
            report = json.loads(r.stdout)
        except ValueError:
            s.check(False, "scan output is JSON", r.describe())
            s.finish()
        fs = report.get("findings", [])
        files = report.get("files", [])
        s.check(len(files) > 1000, "the scan saw the tree (%d files)"
                % len(files))
        bad = [f for f in fs if f.get("rule", "").startswith(MUST_BE_SILENT)]
        s.eq(["%s %s:%s %s" % (f["rule"], f.get("fspath") or f.get("path"),
                               f.get("line") or 0, f.get("evidence"))
              for f in bad], [],
             "no account/credential/service/script/backdoor findings on "
             "unmodified Debian packages")
        other = collections.Counter(f["rule"] for f in fs
                                    if not f["rule"].startswith(
                                        MUST_BE_SILENT))
        for rule, n in sorted(other.items()):
            print("info %-32s %d" % (rule, n))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
