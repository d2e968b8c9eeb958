"""fwvet scan --rules FILE.yar: user YARA rules on a squashfs image.

A root file system with a text and a binary file planted for two rule
files is packed with mksquashfs at test time; `fwvet scan --rules` must
report each match as yara.<rule> at its fspath and offset, with severity
and message from the rule's meta; rule files that do not compile or do
not exist stop the command with exit status 2 before anything is scanned.
"""

import json
import os

import fwvtest as T

RULES_A = """\
rule token_leak {
  meta:
    description = "a vendor API token is shipped"
    severity = "high"
    reference = "internal-42"
  strings:
    $t = "VENDOR_TOKEN_"
  condition:
    $t
}

rule never_there {
  strings:
    $n = "this string is in no file"
  condition:
    $n
}
"""

RULES_B = """\
rule bin_magic {
  strings:
    $m = { DE AD BE EF 42 }
  condition:
    $m
}
"""

# Quadratic in the file size: never finishes within a second on 200 KB.
RULES_SLOW = """\
rule slow {
  condition:
    for all i in (0..filesize) : (
      for all j in (0..filesize) : (uint8(i) != 0xff or uint8(j) != 0xfe))
}
"""

# The second line of the condition refers to a string that does not exist:
# libyara reports the line that closes the condition.
RULES_BAD = """\
rule broken {
  strings:
    $a = "x"
  condition:
    $a and $b
}
"""

CONF = b"# app\nurl=https://example.com\napi=VENDOR_TOKEN_abc123\n"
TOOL = b"\x7fBIN\x00\x00\x00\x00\xde\xad\xbe\xef\x42\x00rest"


def build(tmp):
    root = os.path.join(tmp, "rootfs")
    for rel, data in (("etc/app.conf", CONF), ("usr/bin/tool", TOOL),
                      ("etc/motd", b"welcome\n")):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    img = os.path.join(tmp, "root.sqfs")
    T.sh(["mksquashfs", root, img, "-noappend", "-all-root", "-quiet",
          "-comp", "xz"], what="mksquashfs")
    rules = {}
    for name, text in (("a.yar", RULES_A), ("b.yar", RULES_B),
                       ("bad.yar", RULES_BAD), ("slow.yar", RULES_SLOW)):
        rules[name] = os.path.join(tmp, name)
        with open(rules[name], "w") as f:
            f.write(text)
    return img, rules


def yara_findings(s, r, what):
    try:
        report = json.loads(r.stdout)
    except ValueError:
        s.check(False, what + ": output is JSON", r.describe())
        return {}
    got = {}
    for f in report.get("findings", []):
        # Every file node is matched, the image itself too: mksquashfs
        # stores small fragments uncompressed, so the raw image (fspath
        # "") may match as well; only the files inside are compared.
        if f["rule"].startswith("yara.") and f["fspath"].startswith("/"):
            got[(f["rule"], f["fspath"])] = f
    return got


def main():
    s = T.Suite("yara")
    if not T.need_tools(s, "mksquashfs"):
        s.finish()
    with T.tempdir("yara") as tmp:
        img, rules = build(tmp)

        # One rule file: the text match, with meta copied.
        r = T.fwvet(s, "scan", "--format", "json", "--rules", rules["a.yar"],
                    img)
        got = yara_findings(s, r, "one --rules")
        s.eq(sorted(got), [("yara.token_leak", "/etc/app.conf")],
             "one --rules: yara findings")
        f = got.get(("yara.token_leak", "/etc/app.conf"), {})
        s.eq(f.get("severity"), "high", "severity from meta")
        s.eq(f.get("message"), "a vendor API token is shipped",
             "message from meta description")
        s.eq(f.get("offset"), CONF.index(b"VENDOR_TOKEN_"), "offset")
        s.eq(f.get("evidence"),
             'token_leak $t="VENDOR_TOKEN_"; '
             'description=a vendor API token is shipped; severity=high; '
             'reference=internal-42', "evidence: name, string, meta")

        # Several --rules: both files' rules apply; default severity.
        r = T.fwvet(s, "scan", "--format", "json", "--rules", rules["a.yar"],
                    "--rules", rules["b.yar"], img)
        got = yara_findings(s, r, "two --rules")
        s.eq(sorted(got), [("yara.bin_magic", "/usr/bin/tool"),
                           ("yara.token_leak", "/etc/app.conf")],
             "two --rules: yara findings")
        f = got.get(("yara.bin_magic", "/usr/bin/tool"), {})
        s.eq(f.get("severity"), "medium", "no meta: medium")
        s.eq(f.get("message"), "matches YARA rule 'bin_magic'",
             "no meta: default message")
        s.eq(f.get("offset"), TOOL.index(b"\xde\xad"), "binary offset")
        s.eq(f.get("evidence"), 'bin_magic $m="\\xde\\xad\\xbe\\xefB"',
             "binary evidence escaped")

        # Text output and --fail-on see the findings too.
        r = T.fwvet(s, "scan", "--rules", rules["a.yar"], "--fail-on",
                    "high", img, expect_rc=1)
        s.check("yara.token_leak" in r.stdout, "text report names the rule",
                r.stdout[-2000:])

        # Without --rules: no yara findings.
        r = T.fwvet(s, "scan", "--format", "json", img)
        s.eq(sorted(yara_findings(s, r, "no --rules")), [],
             "no --rules: no yara findings")

        # A rule set too slow for a file: unpack.limit, and the scan goes
        # on.
        slow = os.path.join(tmp, "slowroot")
        os.makedirs(slow)
        with open(os.path.join(slow, "big"), "wb") as f:
            f.write(b"\0" * 200000)
        r = T.fwvet(s, "scan", "--format", "json", "--max-seconds", "1",
                    "--rules", rules["slow.yar"], slow)
        try:
            lim = [(f["rule"], f["fspath"], f["evidence"])
                   for f in json.loads(r.stdout).get("findings", [])]
        except ValueError:
            lim = r.describe()
        s.eq(lim, [("unpack.limit", "/big", "yara-seconds")],
             "slow rules: time limit finding")

        # A rule file that does not compile: exit 2, FILE:LINE: error.
        r = T.fwvet(s, "scan", "--rules", rules["a.yar"], "--rules",
                    rules["bad.yar"], img, expect_rc=2)
        s.eq(r.stderr, 'fwvet: %s:6: undefined string "$b"\n'
             % rules["bad.yar"], "bad rule file: message")
        s.eq(r.stdout, "", "bad rule file: nothing scanned")

        missing = os.path.join(tmp, "missing.yar")
        r = T.fwvet(s, "scan", "--rules", missing, img, expect_rc=2)
        s.eq(r.stderr, "fwvet: %s: %s\n"
             % (missing, os.strerror(2)), "missing rule file: message")

        out = os.path.join(tmp, "report.json")
        r = T.fwvet(s, "scan", "--rules", rules["bad.yar"], "-o", out, img,
                    expect_rc=2)
        s.check(not os.path.exists(out), "bad rule file: no report written")

        T.fwvet(s, "scan", "--rules", expect_rc=2)
        r = T.fwvet(s, "ls", "--rules", rules["a.yar"], img, expect_rc=2)
        s.check("unknown option '--rules'" in r.stderr,
                "ls does not take --rules", r.describe())

        r = T.fwvet(s, "scan", "--help")
        s.check("--rules FILE.yar" in r.stdout, "scan --help names --rules")
    s.finish()


if __name__ == "__main__":
    main()
