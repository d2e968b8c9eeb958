"""A root file system built from real Debian packages of a foreign
architecture: `fwvet scan` identifies the exact upstream version of every
component in it, from the binaries alone, and nothing else.

At test time the packages below are fetched with `apt-get download` for
arm64 (about 8 MB, cached in test-cache/ beside the fwvet binary or in
$FWVET_DEB_CACHE, so repeated runs do not download again), extracted with
`dpkg-deb -x` into one tree without any package database (the test is
about recognising binaries), and scanned with `fwvet scan --format json`.
Documentation is kept: manuals, change logs and message catalogues name
many past versions of their program, and fwvet must not take those
mentions for copies.  Each package's
upstream version is its `dpkg-deb -f PKG Version` without epoch, Debian
revision and repack suffix (+dfsg, +ds).

When Debian's archive cannot be reached the test says so and checks
nothing; any other failure to fetch is a failure.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile

import fwvtest as T

ARCH = "arm64"

# Debian package -> component name (data/signatures.txt).
PACKAGES = {
    "libc6": "glibc",
    "busybox": "busybox",
    "libssl3": "openssl",
    "openssh-server": "openssh",
    "dropbear-bin": "dropbear",
    "libcurl4": "libcurl",
    "zlib1g": "zlib",
    "liblzma5": "xz",
    "libzstd1": "zstd",
    "liblz4-1": "lz4",
    "libexpat1": "expat",
    "libxml2": "libxml2",
    "libpng16-16": "libpng",
    "libjpeg62-turbo": "libjpeg-turbo",
    "libpcap0.8": "libpcap",
    "dnsmasq-base": "dnsmasq",
    "lighttpd": "lighttpd",
}

NETWORK_ERRORS = ("Temporary failure resolving", "Could not resolve",
                  "Unable to connect", "Connection timed out",
                  "Network is unreachable", "No route to host",
                  "Could not connect", "Connection refused")


class Offline(Exception):
    """Debian's archive is not reachable from here."""


def upstream(version):
    """Debian package version -> the upstream version it packages."""
    v = re.sub(r"^[0-9]+:", "", version)
    if "-" in v:
        v = v[:v.rindex("-")]
    return re.sub(r"[.+~](dfsg|ds)[0-9]*.*$", "", v)


def cache_dir():
    base = os.environ.get("FWVET_DEB_CACHE")
    if not base:
        base = os.path.join(os.path.dirname(os.path.abspath(T.FWVET)),
                            "test-cache")
    d = os.path.join(base, "debian-" + ARCH)
    os.makedirs(d, exist_ok=True)
    return d


def apt(args, cwd=None):
    """Runs apt-get; an unreachable archive raises Offline, any other
    failure RuntimeError."""
    p = subprocess.run(["apt-get"] + args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       timeout=T.TIMEOUT)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    if p.returncode != 0:
        # A 404 is a stale package list, not a missing network.
        if any(e in out for e in NETWORK_ERRORS) and " 404 " not in out:
            raise Offline(out.strip()[-500:])
        raise RuntimeError("apt-get %s: %s" % (" ".join(args),
                                               out.strip()[-1500:]))


def update():
    """apt-get update; an index that fails (e.g. one architecture of the
    security archive) is not fatal: the download says whether the
    packages can be had."""
    try:
        apt(["update", "-qq"])
    except RuntimeError as ex:
        print("NOTE apt-get update reported errors: %s" % str(ex)[-300:])


def fetch(cache, download=True):
    """The .deb of every package, downloaded once into `cache`."""
    debs = {}
    missing = []
    for pkg in PACKAGES:
        found = [f for f in os.listdir(cache)
                 if f.startswith(pkg + "_") and f.endswith("_%s.deb" % ARCH)]
        if found:
            debs[pkg] = os.path.join(cache, sorted(found)[-1])
        else:
            missing.append(pkg)
    if not missing:
        return debs
    if not download:
        raise RuntimeError("apt-get download left out: " + " ".join(missing))
    archs = subprocess.run(["dpkg", "--print-foreign-architectures"],
                           stdout=subprocess.PIPE).stdout.decode().split()
    if ARCH not in archs:
        T.sh(["dpkg", "--add-architecture", ARCH],
             what="dpkg --add-architecture " + ARCH)
        update()
    try:
        apt(["download", "-qq"] + ["%s:%s" % (p, ARCH) for p in missing],
            cwd=cache)
    except RuntimeError:
        # An old package list may name versions the archive no longer
        # has: refresh it once.
        update()
        apt(["download", "-qq"] + ["%s:%s" % (p, ARCH) for p in missing],
            cwd=cache)
    return fetch(cache, download=False)


def main():
    s = T.Suite("components_debian")
    if not T.need_tools(s, "apt-get", "dpkg-deb"):
        s.finish()
    try:
        debs = fetch(cache_dir())
    except Offline as ex:
        print("NOTE Debian's archive is not reachable; nothing checked "
              "(%s)" % ex)
        s.finish()
    except RuntimeError as ex:
        s.check(False, "the packages are fetched", str(ex))
        s.finish()
    tmp = tempfile.mkdtemp(prefix="fwvet-debian-")
    try:
        root = os.path.join(tmp, "root")
        os.makedirs(root)
        want = {}
        for pkg, deb in sorted(debs.items()):
            T.sh(["dpkg-deb", "-x", deb, root], what="dpkg-deb -x " + deb)
            version = T.sh(["dpkg-deb", "-f", deb, "Version"]).decode()
            want[PACKAGES[pkg]] = upstream(version.strip())
        s.check(not os.path.exists(os.path.join(root, "var/lib/dpkg")),
                "the tree holds no package database")
        r = T.fwvet(s, "scan", "--format", "json", root)
        try:
            rep = json.loads(r.stdout)
        except ValueError as ex:
            s.check(False, "scan output is JSON", str(ex))
            s.finish()
        comps = rep.get("components", [])
        got = {}
        for c in comps:
            got.setdefault(c["name"], set()).add(c.get("version"))
        for name, version in sorted(want.items()):
            s.eq(sorted(got.get(name, set()), key=str), [version],
                 "%s: exactly upstream version %s" % (name, version))
        s.eq(sorted(set(got) - set(want)), [], "no unexpected product")
        for c in comps:
            s.check(str(c.get("cpe", "")).startswith("cpe:2.3:"),
                    "%s: has a CPE" % c["name"], c)
            s.check(all(l.get("method") != "package"
                        for l in c.get("locations", [])),
                    "%s: found in binaries, not a package database"
                    % c["name"], c)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
