"""The text report of `fwvet scan`: a first screen (counts, the most
severe findings, components with known vulnerabilities, hardening
coverage) before the details, consistent with the JSON report; colour
only when asked for (or on a terminal without NO_COLOR).  The demo image
of tests/fixtures/mkfirmware.sh with the vulnerability fixtures, whose
dropbear record matches; the HTML page of the same scan carries the same
vulnerabilities.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402

SEV = ["info", "low", "medium", "high", "critical"]


def coverage(rep):
    judged = [f["elf"] for f in rep["files"]
              if f.get("elf") and f["elf"]["type"] in ("exec", "dyn")
              and not f["elf"]["static"]]
    exes = [e for e in judged if e["type"] == "exec" or e["pie"]]
    return ("NX %d/%d, PIE %d/%d executables, full RELRO %d/%d"
            % (sum(e["nx"] for e in judged), len(judged),
               sum(e["pie"] for e in exes), len(exes),
               sum(e["relro"] == "full" for e in judged), len(judged)))


def main():
    s = T.Suite("report_text")
    T.need_tools(s, "mksquashfs", "mkimage", "cc")
    with T.tempdir("text") as tmp:
        fw = os.path.join(tmp, "fw")
        T.sh(["sh", T.MKFIRMWARE, "demo", fw])
        img = os.path.join(fw, "router.bin")
        env = {"XDG_DATA_HOME": os.path.join(tmp, "xdg"), "NO_COLOR": ""}
        fx = os.path.join(T.SOURCE_DIR, "tests", "fixtures", "vuln")
        T.fwvet(s, "vulndb", "import", os.path.join(fx, "nvd-api.json"),
                os.path.join(fx, "osv-list.json"), env=env)
        rep = json.loads(T.fwvet(s, "scan", "-f", "json", img,
                                 env=env).stdout)
        text = T.fwvet(s, "scan", img, env=env).stdout
        head, sep, details = text.partition("\n-- details --\n")
        s.check(sep, "a details separator", text[:2000])
        for part in ("most severe findings:",
                     "components with known vulnerabilities:",
                     "hardening (dynamically linked executables and "
                     "libraries):"):
            s.check(part in head, "first screen has '%s'" % part, head)
        s.check(len(head.splitlines()) <= 40, "the first screen fits a "
                "screen (%d lines)" % len(head.splitlines()))
        for part in ("copy census", "components:", "engineering",
                     "containers and streams:", "\nfindings:\n"):
            s.check(part in details, "details have '%s'" % part)
        top = re.findall(r"^  (critical|high|medium) +(\S+) +(\S+)$", head,
                         re.M)
        sevs = [SEV.index(t[0]) for t in top]
        s.check(top and sevs == sorted(sevs, reverse=True),
                "most severe findings first", top)
        want = sorted((f["severity"], f["rule"]) for f in rep["findings"]
                      if f["severity"] in ("critical", "high"))
        s.eq(sorted((a, b) for a, b, _ in top
                    if a in ("critical", "high")), want,
             "every critical and high finding is on the first screen")
        vul = {}
        for v in rep["vulnerabilities"]:
            vul.setdefault((v["component"], v["version"]), []).append(v)
        s.check(vul, "the fixtures match a component")
        for (name, ver), vs in vul.items():
            worst = max(vs, key=lambda v: SEV.index(v["severity"])
                        if v["severity"] in SEV else -1)["severity"]
            line = r"^  %s +%s +%d known vulnerabilit(y|ies), worst %s$" % (
                re.escape(name), re.escape(ver), len(vs), worst)
            s.check(re.search(line, head, re.M), "vulnerable component %s %s"
                    % (name, ver), head)
        s.check(coverage(rep) in head, "hardening coverage as in the JSON",
                coverage(rep))
        s.check("\x1b" not in text, "no colour in a pipe")
        col = T.fwvet(s, "scan", "--color", img, env=env).stdout
        s.check("\x1b[1;31mcritical\x1b[0m" in col.partition("-- details")[0],
                "--color: severities coloured on the first screen")

        out = os.path.join(tmp, "r.html")
        T.fwvet(s, "scan", "-f", "html", "-o", out, img, env=env)
        with open(out) as f:
            m = re.search(r'type="application/json">(.*?)</script>', f.read(),
                          re.S)
        data = json.loads(m.group(1)) if m else {}
        s.eq(sorted(v[0] for v in data.get("vulnerabilities", [])),
             sorted(v["id"] for v in rep["vulnerabilities"]),
             "html: the vulnerabilities")
        s.eq(sorted((c[0], c[6]) for c in data.get("components", [])
                    if c[6]),
             sorted((n, len(vs)) for (n, _), vs in vul.items()),
             "html: components with their vulnerability counts")
    s.finish()


if __name__ == "__main__":
    main()
