"""`fwvet scan --format sarif`: SARIF 2.1.0 against the official schema.

The image of test_planted.py (one planted case of every rule) is scanned
as JSON and as SARIF: the SARIF log must validate against
tests/schemas/sarif-schema-2.1.0.json (with Debian 12's python3-jsonschema
4.10 as with newer ones), hold one result per finding with the same rule,
level (critical/high error, medium warning, low/info note), message,
location (the provenance path as a relative URI that decodes back to it),
region and fingerprint, and describe every rule it uses with the text of
docs/rules.md.  A YARA rule and a file name full of URI-reserved bytes
are added on the way.  `fwvet diff --format sarif` of two releases:
the same schema, and baselineState new / unchanged / absent.
"""

import json
import os
import re
import sys
import tempfile
import shutil
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402
import test_planted  # noqa: E402

LEVEL = {"critical": "error", "high": "error", "medium": "warning",
         "low": "note", "info": "note"}
# Bytes a URI reference may hold as they are (RFC 3986 unreserved, the
# path separator and '@', which fwvet keeps for "squashfs@0x200000").
URI_OK = re.compile(r"^(?:[A-Za-z0-9\-._~/@]|%[0-9A-F]{2})*$")
ODD_NAME = "odd name #1 %41?x=y&z;[v]:\u00e9"


def validate(s, doc, what):
    import warnings
    import jsonschema
    warnings.simplefilter("ignore", DeprecationWarning)
    with open(os.path.join(T.SOURCE_DIR, "tests", "schemas",
                           "sarif-schema-2.1.0.json")) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema,
                                              jsonschema.Draft4Validator)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    s.check(not errors, what + ": valid SARIF 2.1.0",
            "\n".join("%s at %s" % (e.message[:200], list(e.path))
                      for e in errors[:10]))


def rule_sections():
    """{rule id: the first words of its docs/rules.md section}."""
    out = {}
    cur = None
    with open(os.path.join(T.SOURCE_DIR, "docs", "rules.md")) as f:
        for ln in f:
            m = re.match(r"^## `([^`]+)`$", ln.rstrip("\n"))
            if m:
                cur = m.group(1)
            elif ln.startswith("#"):
                cur = None
            elif cur and ln.startswith("**What:**") and cur not in out:
                out[cur] = ln.rstrip("\n")
    return out


def check_results(s, sarif, report):
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    s.eq(driver.get("name"), "fwvet", "driver name")
    s.eq(driver.get("version"), report["tool"]["version"], "driver version")
    rules = driver.get("rules", [])
    results = run.get("results", [])
    findings = report["findings"]
    s.eq(len(results), len(findings), "one result per finding")
    by_fp = {}
    for f in findings:
        by_fp.setdefault(f["fingerprint"], []).append(f)
    ids = [r["id"] for r in rules]
    s.eq(len(ids), len(set(ids)), "each rule described once")
    for res in results:
        fp = res.get("partialFingerprints", {}).get("fwvet/v1")
        cands = [f for f in by_fp.get(fp, []) if f["rule"] == res["ruleId"]]
        if not s.check(cands, "result %s has a finding with its "
                       "fingerprint" % res.get("ruleId"), res):
            continue
        f = cands[0]
        lbl = "%s %s" % (f["rule"], f["fspath"])
        s.eq(res.get("level"), LEVEL[f["severity"]], lbl + ": level")
        s.eq(res.get("properties", {}).get("severity"), f["severity"],
             lbl + ": fwvet severity kept")
        s.eq(res.get("message", {}).get("text"), f["message"],
             lbl + ": message")
        s.eq(res.get("properties", {}).get("evidence"), f.get("evidence"),
             lbl + ": evidence")
        idx = res.get("ruleIndex")
        s.check(isinstance(idx, int) and 0 <= idx < len(rules) and
                rules[idx]["id"] == f["rule"], lbl + ": ruleIndex", res)
        loc = res["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        s.check(URI_OK.match(uri), lbl + ": URI is escaped", uri)
        s.eq(urllib.parse.unquote(uri, errors="strict"), f["path"],
             lbl + ": URI decodes to the provenance path")
        region = loc.get("region", {})
        s.eq(region.get("startLine"), f.get("line"), lbl + ": startLine")
        s.eq(region.get("byteOffset"), f.get("offset"), lbl + ": byteOffset")
        s.check("baselineState" not in res, lbl + ": no baselineState "
                "outside diff")
    return rules, results


def check_rules(s, rules):
    sections = rule_sections()
    for r in rules:
        rid = r["id"]
        doc = "yara.<rule>" if rid.startswith("yara.") else rid
        lbl = "rule " + rid
        s.check(r.get("shortDescription", {}).get("text"),
                lbl + ": shortDescription")
        s.check(r.get("fullDescription", {}).get("text"),
                lbl + ": fullDescription")
        md = r.get("help", {}).get("markdown", "")
        s.check(doc in sections and md.startswith(sections[doc]),
                lbl + ": help is its section of docs/rules.md", md[:200])
        s.check("**" not in r.get("help", {}).get("text", "**"),
                lbl + ": help text is plain")
        s.check(r.get("defaultConfiguration", {}).get("level") in
                ("error", "warning", "note"), lbl + ": default level")


def main():
    s = T.Suite("sarif")
    T.need_tools(s, "mksquashfs", "mkimage", "openssl", "ssh-keygen", "cc")
    tmp = tempfile.mkdtemp(prefix="fwvet-sarif-")
    try:
        img = test_planted.build(s, tmp)
        yar = os.path.join(tmp, "r.yar")
        with open(yar, "w") as f:
            f.write('rule planted_marker { meta: severity = "high" '
                    'strings: $a = "root:" condition: $a }\n')
        r = T.fwvet(s, "scan", "--format", "json", "--rules", yar, img,
                    expect_rc=None)
        report = json.loads(r.stdout)
        r = T.fwvet(s, "scan", "--format", "sarif", "--rules", yar, img,
                    expect_rc=None)
        try:
            sarif = json.loads(r.stdout)
        except ValueError as ex:
            s.check(False, "SARIF output is JSON", str(ex))
            s.finish()
        validate(s, sarif, "planted image")
        rules, results = check_results(s, sarif, report)
        check_rules(s, rules)
        used = {f["rule"] for f in report["findings"]}
        s.check(len(used) >= 15, "the planted image covers many rules (%d)"
                % len(used))
        s.check("yara.planted_marker" in used and
                any(x["id"] == "yara.planted_marker" and
                    x["defaultConfiguration"]["level"] == "warning"
                    for x in rules), "a YARA rule is described")
        for sev in ("critical", "medium", "low"):
            s.check(any(f["severity"] == sev for f in report["findings"]),
                    "planted image has a %s finding" % sev)

        # A directory with a file name made of URI-reserved bytes.
        d = os.path.join(tmp, "odd")
        os.makedirs(os.path.join(d, "etc"))
        with open(os.path.join(d, "etc", ODD_NAME), "w") as f:
            f.write("root::0:0:root:/root:/bin/sh\n")
        r = T.fwvet(s, "scan", "--format", "json", d, expect_rc=None)
        report = json.loads(r.stdout)
        r = T.fwvet(s, "scan", "-f", "sarif", "-o",
                    os.path.join(tmp, "odd.sarif"), d, expect_rc=None)
        with open(os.path.join(tmp, "odd.sarif")) as f:
            sarif = json.load(f)
        validate(s, sarif, "odd file name")
        check_results(s, sarif, report)
        uris = [x["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"] for x in sarif["runs"][0]["results"]]
        s.check(any("odd%20name%20%231%20%2541%3Fx%3Dy%26z%3B%5Bv%5D%3A"
                    "%C3%A9" in u for u in uris), "reserved bytes escaped",
                uris)

        # fwvet diff: baselineState new / unchanged / absent.
        rel = {}
        for n, text in (("1", "root::0:0::/root:/bin/sh\n"
                              "guest::100:100::/:/bin/sh\n"),
                        ("2", "root::0:0::/root:/bin/sh\n"
                              "toor:x:0:0::/root:/bin/sh\n")):
            rel[n] = os.path.join(tmp, "rel" + n)
            os.makedirs(os.path.join(rel[n], "etc"))
            with open(os.path.join(rel[n], "etc", "passwd"), "w") as f:
                f.write(text)
        r = T.fwvet(s, "diff", "-f", "sarif", rel["1"], rel["2"],
                    expect_rc=None)
        try:
            sarif = json.loads(r.stdout)
        except ValueError:
            s.check(False, "diff SARIF is JSON", r.describe())
            sarif = {"runs": [{"results": []}]}
        validate(s, sarif, "diff")
        got = sorted((x["ruleId"], x.get("baselineState"),
                      x["properties"].get("evidence"))
                     for x in sarif["runs"][0]["results"])
        s.eq(got, [("account.empty-password", "absent", "guest::"),
                   ("account.empty-password", "unchanged", "root::"),
                   ("account.uid0", "new", "toor:uid=0")],
             "diff: baselineState of each finding")
        s.check(sarif["runs"][0].get("properties", {}).get("verdict"),
                "diff: the verdict in the run's properties")

        # Several inputs are refused.
        r = T.fwvet(s, "scan", "-f", "sarif", img, img, expect_rc=2)
        s.check("one input" in r.stderr, "sarif: one input", r.stderr)
        r = T.fwvet(s, "ls", "-f", "sarif", img, expect_rc=2)
        s.check("scan only" in r.stderr, "ls: no sarif", r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
