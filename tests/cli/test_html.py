"""`fwvet scan --format html`: one self-contained page, checked statically
and in a real browser (Debian's chromium, headless).

- The planted image of test_planted.py: the page holds its data as JSON
  that matches the scan JSON; chromium renders the summary numbers, the
  finding rows (rule, severity, evidence), and filters them from the URL
  fragment (#filter=credential, #sev=critical, #files=...).
- Hostile names and evidence ("</script>", "<!--", "<img onerror>") stay
  text: no element is added to the page.
- No network: the page has a Content-Security-Policy that allows nothing
  to be fetched, no http(s) URL in a src/href attribute, and chromium's
  network log of the page shows no host a blank page does not also
  contact (chromium's own update and account checks, which the host
  resolver rule sends nowhere); a control page with a remote image shows
  the log would catch one.
- Big: a cpio.gz of 100,000 files with 10,000 findings (FWVET_HTML_BIG_FILES
  to change) renders with one page (200 rows) of each table in the DOM
  and filters; sizes and times are printed.
- `fwvet diff --format html` of two releases: verdict, reasons, counts
  and every finding with its state (fixed, new, persisting).
- A screenshot goes to <build dir>/test-artifacts/html-report.png.
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402
import test_planted  # noqa: E402

SEV = ["info", "low", "medium", "high", "critical"]
HOSTILE_NAME = "x<script>alert(1)<!--\"><img src=x onerror=alert(2)>"
HOSTILE_USER = "</script><img src=x onerror=alert(3)>"


def chromium_cmd(profile):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        return None
    return [exe, "--headless", "--no-sandbox", "--disable-gpu",
            "--user-data-dir=" + profile, "--no-first-run",
            "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--host-resolver-rules=MAP * ~NOTFOUND"]


class Browser:
    def __init__(self, s, tmp):
        self.s = s
        self.tmp = tmp
        self.profile = os.path.join(tmp, "profile")
        self.cmd = chromium_cmd(self.profile)

    def run(self, url, *extra):
        t = time.time()
        p = subprocess.run(self.cmd + list(extra) + [url],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=240)
        secs = time.time() - t
        self.s.check(p.returncode == 0, "chromium %s: exit 0" % url[-60:],
                     p.stderr.decode("utf-8", "replace")[-1500:])
        return p.stdout.decode("utf-8", "replace"), secs

    def dom(self, path, frag="", netlog=None):
        extra = ["--log-net-log=" + netlog] if netlog else []
        return self.run("file://" + path + frag, "--dump-dom", *extra)

    def hosts(self, path=None, log=None):
        """Hosts and URLs in chromium's network log while it loads path
        (or in a log already written)."""
        if not log:
            log = os.path.join(self.tmp, "net.json")
            self.dom(path, netlog=log)
        out = set()
        try:
            with open(log) as f:
                events = json.load(f).get("events", [])
        except ValueError:  # cut short: the log has no closing bracket
            with open(log) as f:
                text = f.read()
            return set(re.findall(r'"(?:url|host)":"([^"]*)"', text))
        for e in events:
            p = e.get("params") or {}
            for k in ("url", "host", "original_url"):
                v = p.get(k)
                if isinstance(v, str):
                    out.add(re.sub(r"[?#].*", "", v))
        return out


def summary(dom):
    return {m.group(1): int(m.group(2)) for m in re.finditer(
        r'id="sum-([a-z]+)"><div class="n">(\d+)<', dom)}


def shown(dom, table):
    m = re.search(r'id="count-%s" data-shown="(\d+)" data-total="(\d+)"'
                  % table, dom)
    return (int(m.group(1)), int(m.group(2))) if m else None


def rows(dom):
    """(rule, severity) of each finding row in the DOM."""
    return re.findall(r'<tr class="f" data-rule="([^"]*)" '
                      r'data-severity="([a-z]+)"', dom)


def page_data(s, html, what):
    m = re.search(r'<script id="fwvet-data" type="application/json">(.*?)'
                  r'</script>', html, re.S)
    if not s.check(m, what + ": data element present"):
        return None
    return json.loads(m.group(1))


def static_checks(s, html, what):
    s.check("Content-Security-Policy" in html and
            "default-src 'none'" in html, what + ": CSP allows no fetch")
    s.eq(len(re.findall(r"<script", html, re.I)), 2,
         what + ": two script elements (data, code), nothing injected")
    s.eq(html.lower().count("</script"), 2, what + ": two script ends")
    s.check("<!--" not in html, what + ": no comment opener anywhere")
    bad = re.findall(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*"""
                     r"""(?:https?:)?//""", html, re.I)
    s.eq(bad, [], what + ": no remote URL in an attribute")
    s.check(not re.search(r"<link|@import|url\(|<iframe|<object|<embed",
                          html, re.I),
            what + ": no stylesheet, import, frame or object")


def matches(f, word):
    """The page's filter: the word in the row's text, any column."""
    where = f["path"] + (":%d" % f["line"] if f.get("line") else "") + \
        (" @0x%x" % f["offset"] if f.get("offset") is not None else "")
    text = "\x01".join([f["severity"], f["rule"], where, f["message"],
                        f.get("evidence") or ""]).lower()
    return word in text


def planted(s, tmp, br, art):
    img = test_planted.build(s, tmp)
    r = T.fwvet(s, "scan", "--format", "json", img, expect_rc=None)
    rep = json.loads(r.stdout)
    out = os.path.join(tmp, "planted.html")
    T.fwvet(s, "scan", "--format", "html", "-o", out, img, expect_rc=None)
    with open(out, encoding="utf-8") as f:
        html = f.read()
    static_checks(s, html, "planted")
    data = page_data(s, html, "planted")
    fnd = rep["findings"]
    if data:
        s.eq([(x[0], SEV[x[1]], x[2], x[8]) for x in data["findings"]],
             [(f["rule"], f["severity"], f["path"], f["fingerprint"])
              for f in fnd], "page data: the scan's findings")
        s.eq(len(data["files"]), len(rep["files"]), "page data: every node")
        s.eq(len(data["binaries"]),
             sum(1 for f in rep["files"] if f.get("elf")),
             "page data: every ELF file")
    if not br.cmd:
        return
    report_log = os.path.join(tmp, "report-net.json")
    dom, secs = br.dom(out, netlog=report_log)
    sm = summary(dom)
    want = {"findings": len(fnd)}
    for sev in SEV:
        want[sev] = sum(1 for f in fnd if f["severity"] == sev)
    want["files"] = sum(1 for f in rep["files"] if f["kind"] == "file")
    want["nodes"] = len(rep["files"])
    want["components"] = len(rep["components"])
    want["binaries"] = sum(1 for f in rep["files"] if f.get("elf"))
    want["vulnerabilities"] = len(rep["vulnerabilities"])
    s.eq({k: sm.get(k) for k in want}, want, "rendered summary numbers")
    got = rows(dom)
    s.eq(len(got), len(fnd), "a row per finding")
    s.check(("account.empty-password", "critical") in got,
            "the empty-password finding is a critical row")
    ev = [f["evidence"] for f in fnd if f["rule"] == "account.empty-password"]
    s.check(ev and ">%s<" % ev[0] in dom, "its evidence is rendered", ev)
    s.check("<svg" in dom and "<rect" in dom, "charts drawn as inline SVG")
    s.check("hardening coverage" in dom.lower() and "NX" in dom,
            "hardening chart")

    dom, _ = br.dom(out, "#filter=credential")
    want_n = sum(1 for f in fnd if matches(f, "credential"))
    s.eq(shown(dom, "findings"), (want_n, len(fnd)),
         "#filter=credential: count shown")
    got = rows(dom)
    s.eq(len(got), want_n, "#filter=credential: rows in the DOM")
    s.check(want_n and all("credential" in r for r, _ in got),
            "#filter=credential: only credential rows", got)
    dom, _ = br.dom(out, "#sev=critical&files=%2Fetc%2Fshadow")
    got = rows(dom)
    s.check(got and all(sv == "critical" for _, sv in got) and
            len(got) == want["critical"], "#sev=critical: critical rows only",
            got)
    n = sum(1 for f in rep["files"] if "/etc/shadow" in f["path"])
    s.eq((shown(dom, "files") or (0,))[0], n, "#files=/etc/shadow filters "
         "the tree")

    # Network: a blank page's hosts are chromium's own; the report adds
    # none; a page with a remote image is caught.
    blank = os.path.join(tmp, "blank.html")
    probe = os.path.join(tmp, "probe.html")
    with open(blank, "w") as f:
        f.write("<!DOCTYPE html><title>blank</title><p>blank</p>")
    with open(probe, "w") as f:
        f.write('<!DOCTYPE html><img src="http://fwvet-probe.invalid/p.png">')
    base = br.hosts(blank)
    s.check(any("fwvet-probe.invalid" in h for h in br.hosts(probe)),
            "control: the network log shows a remote image")
    extra = sorted(h for h in br.hosts(log=report_log) - base
                   if not h.startswith("file:"))
    s.eq(extra, [], "no network request from the report")

    shot = os.path.join(art, "html-report.png")
    br.run("file://" + out, "--screenshot=" + shot, "--window-size=1280,2000")
    s.check(os.path.exists(shot) and os.path.getsize(shot) > 10000,
            "screenshot saved: " + shot)


def hostile(s, tmp, br):
    d = os.path.join(tmp, "hostile")
    os.makedirs(os.path.join(d, "etc"))
    with open(os.path.join(d, "etc", HOSTILE_NAME), "w") as f:
        f.write("%s::0:0:x:/root:/bin/sh\n" % HOSTILE_USER)
    out = os.path.join(tmp, "hostile.html")
    T.fwvet(s, "scan", "--format", "html", "-o", out, d, expect_rc=None)
    with open(out, encoding="utf-8") as f:
        html = f.read()
    static_checks(s, html, "hostile")
    data = page_data(s, html, "hostile")
    ev = [x[7] for x in (data or {}).get("findings", [])]
    s.check(any(HOSTILE_USER in (e or "") for e in ev),
            "hostile: the evidence holds the hostile text", ev)
    names = [x[1] for x in (data or {}).get("files", [])]
    s.check(any(n.endswith(HOSTILE_NAME) for n in names),
            "hostile: the name is kept", names)
    if not br.cmd:
        return
    dom, _ = br.dom(out)
    s.check("<img" not in dom, "hostile: no img element in the DOM")
    s.eq(len(re.findall(r"<script", dom)), 2, "hostile: no script injected")
    s.check("&lt;/script&gt;&lt;img src=x onerror=alert(3)&gt;" in dom,
            "hostile: evidence shown as text")
    dom, _ = br.dom(out, "#files=" + "alert(1)")
    s.eq((shown(dom, "files") or (0,))[0], 1, "hostile: file row found")


def cpio_newc(entries):
    """A cpio archive (newc) of regular files [(name, bytes)]."""
    out = []
    for ino, (name, data) in enumerate(entries + [("TRAILER!!!", b"")], 1):
        nb = name.encode() + b"\0"
        mode = 0o100644 if data or name != "TRAILER!!!" else 0
        hdr = b"070701" + b"".join(b"%08X" % v for v in (
            ino, mode, 0, 0, 1, 1591185600, len(data), 0, 0, 0, 0,
            len(nb), 0))
        out.append(hdr + nb + b"\0" * ((-(len(hdr) + len(nb))) % 4))
        out.append(data + b"\0" * ((-len(data)) % 4))
    return b"".join(out)


def diff(s, tmp, br):
    """`fwvet diff --format html` of two releases: the verdict, its
    reasons and each finding with its state."""
    rel = {}
    for n, text in (("1", "root::0:0::/root:/bin/sh\n"
                          "guest::100:100::/:/bin/sh\n"),
                    ("2", "root::0:0::/root:/bin/sh\n"
                          "toor:x:0:0::/root:/bin/sh\n")):
        rel[n] = os.path.join(tmp, "rel" + n)
        os.makedirs(os.path.join(rel[n], "etc"))
        with open(os.path.join(rel[n], "etc", "passwd"), "w") as f:
            f.write(text)
    js = json.loads(T.fwvet(s, "diff", "-f", "json", rel["1"], rel["2"],
                            expect_rc=None).stdout)
    out = os.path.join(tmp, "diff.html")
    T.fwvet(s, "diff", "-f", "html", "-o", out, rel["1"], rel["2"],
            expect_rc=None)
    with open(out, encoding="utf-8") as f:
        html = f.read()
    static_checks(s, html, "diff")
    if not br.cmd:
        return
    dom, _ = br.dom(out)
    m = re.search(r'id="verdict">([^<]*)<', dom)
    s.eq(m and m.group(1), js["verdict"], "diff: the verdict")
    s.eq(re.findall(r"<li>([^<]*)</li>", dom),
         [r.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
          for r in js["reasons"]], "diff: the reasons")
    sm = summary(dom)
    want = {k: len(js["findings"][k]) for k in ("fixed", "new", "persisting")}
    s.eq({k: sm.get(k) for k in want}, want, "diff: counts")
    states = re.findall(r'data-rule="([^"]*)" data-severity="[a-z]+" '
                        r'data-state="([a-z]+)"', dom)
    s.eq(sorted(states), [("account.empty-password", "fixed"),
                          ("account.empty-password", "persisting"),
                          ("account.uid0", "new")], "diff: finding states")
    dom, _ = br.dom(out, "#filter=new")
    s.eq(re.findall(r'data-state="([a-z]+)"', dom), ["new"],
         "diff: #filter=new")


def big(s, tmp, br):
    nfiles = int(os.environ.get("FWVET_HTML_BIG_FILES", "100000"))
    nfind = nfiles // 10
    root = os.path.join(tmp, "big.cpio.gz")
    # nfind/10 passwd-format files of 10 empty-password accounts each
    # (account.empty-password: one finding per line), the rest small
    # text files; in a cpio.gz, much faster to make than a tree.
    entries = []
    for i in range(nfind // 10):
        entries.append(("etc/accounts/g%03d/passwd.%d" % (i // 500, i),
                        "".join("u%d_%d::%d:100::/home/u:/bin/sh\n"
                                % (i, k, 1000 + k)
                                for k in range(10)).encode()))
    for i in range(nfiles - nfind // 10):
        entries.append(("usr/share/d%03d/s%02d/f%d.txt"
                        % (i // 1000, (i // 50) % 20, i),
                        b"data file %d\n" % i))
    with gzip.open(root, "wb", compresslevel=1) as f:
        f.write(cpio_newc(entries))
    out = os.path.join(tmp, "big.html")
    t = time.time()
    T.fwvet(s, "scan", "--format", "html", "-o", out, root, expect_rc=None)
    scan_secs = time.time() - t
    size = os.path.getsize(out)
    print("big: %d files, %d findings: scan+html %.1f s, page %.1f MB"
          % (nfiles, nfind, scan_secs, size / 1e6))
    if not br.cmd:
        return
    dom, secs = br.dom(out, "#files=f%d.txt" % (nfiles // 2))
    ms = re.search(r'data-render-ms="(\d+)"', dom)
    print("big: chromium load+render+dump %.1f s, script %s ms"
          % (secs, ms.group(1) if ms else "?"))
    sm = summary(dom)
    s.eq(sm.get("findings"), nfind, "big: summary: findings")
    s.check(nfiles <= sm.get("files", 0) <= nfiles + 2,
            "big: summary: files (%s; the cpio and its stream too)"
            % sm.get("files"))
    s.eq(len(rows(dom)), 200, "big: one page of findings in the DOM")
    ntr = dom.count("<tr")
    s.check(ntr < 500, "big: the DOM stays small (%d table rows)" % ntr)
    s.eq((shown(dom, "files") or (0,))[0], 1, "big: filter finds one file")


def timed(what, fn, *args):
    t = time.time()
    fn(*args)
    print("time %s: %.1f s" % (what, time.time() - t))


def main():
    s = T.Suite("html")
    T.need_tools(s, "mksquashfs", "mkimage", "openssl", "ssh-keygen", "cc")
    tmp = tempfile.mkdtemp(prefix="fwvet-html-")
    art = os.path.join(os.path.dirname(os.path.abspath(T.FWVET)),
                       "test-artifacts")
    os.makedirs(art, exist_ok=True)
    try:
        br = Browser(s, tmp)
        if not s.check(br.cmd, "chromium is installed (scripts/bootstrap); "
                       "without it only the static checks run"):
            br.cmd = None
        timed("planted", planted, s, tmp, br, art)
        timed("hostile", hostile, s, tmp, br)
        timed("diff", diff, s, tmp, br)
        timed("big", big, s, tmp, br)
        r = T.fwvet(s, "scan", "-f", "html", tmp, tmp, expect_rc=2)
        s.check("one input" in r.stderr, "html: one input", r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
