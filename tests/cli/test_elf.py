"""Binary hardening through the command line (DESIGN.md, "JSON output"):
`fwvet scan --format json` gives files[].elf for every ELF file, with the
documented keys and types, none for other files, and the hardening.*
findings at the right fspath.  The ELF files are compiled at test time
with the host cc and packed in a tar.gz image.
"""

import json
import os
import sys
import tarfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402

ELF_KEYS = {"machine": str, "class": str, "endian": str, "static": bool,
            "stripped": bool, "nx": bool, "pie": bool, "relro": str,
            "canary": bool, "fortified": int, "fortifiable": int,
            "rpath": (str, type(None)), "runpath": (str, type(None)),
            "imports": list}

SRC = r"""
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  char b[64];
  strcpy(b, argc > 1 ? argv[1] : "x");
  printf("%s %d\n", b, argc);
  return 0;
}
"""

# fspath -> (cc flags, hardening rules expected for it)
PROGRAMS = {
    "/usr/bin/hard": ("-fstack-protector-all -fPIE -pie -Wl,-z,relro,-z,now",
                      set()),
    "/usr/bin/soft": ("-fno-stack-protector -fno-PIE -no-pie -Wl,-z,norelro "
                      "-Wl,--disable-new-dtags -Wl,-rpath,/tmp/lib",
                      {"hardening.no-canary", "hardening.no-pie",
                       "hardening.no-relro", "hardening.rpath"}),
    "/usr/lib/libx.so": ("-shared -fPIC -fstack-protector-all -Wl,-z,now",
                         set()),
}


def build(s, tmp):
    src = os.path.join(tmp, "p.c")
    with open(src, "w") as f:
        f.write(SRC)
    root = os.path.join(tmp, "root")
    for fspath, (flags, _) in PROGRAMS.items():
        out = root + fspath
        os.makedirs(os.path.dirname(out), exist_ok=True)
        T.sh(["sh", "-c", "cc -w %s -o '%s' '%s'" % (flags, out, src)],
             what="cc " + flags)
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    with open(os.path.join(root, "etc", "motd"), "w") as f:
        f.write("welcome\n")
    img = os.path.join(tmp, "fw.tar.gz")
    with tarfile.open(img, "w:gz") as t:
        for d in ("usr", "etc"):
            t.add(os.path.join(root, d), arcname=d)
    return img


def check_elf_object(s, fspath, e):
    for k, typ in ELF_KEYS.items():
        s.check(k in e and isinstance(e[k], typ),
                "%s: elf.%s present with type %s" % (fspath, k, typ), e)
    s.eq(e.get("machine"), "x86-64" if os.uname().machine == "x86_64"
         else e.get("machine"), "%s: machine" % fspath)
    s.check(e.get("relro") in ("none", "partial", "full"),
            "%s: relro is none|partial|full" % fspath, e)
    s.check(all(isinstance(i, str) for i in e.get("imports", [])),
            "%s: imports are strings" % fspath, e)
    s.eq(e.get("imports"), sorted(set(e.get("imports", []))),
         "%s: imports sorted and distinct" % fspath)


def main():
    s = T.Suite("test_elf")
    if not T.have("cc"):
        s.note("no host cc: nothing to compile, skipping")
        s.finish()
    with T.tempdir("elf") as tmp:
        img = build(s, tmp)
        r = T.fwvet(s, "scan", "--format", "json", img, what="scan json")
        try:
            js = json.loads(r.stdout)
        except ValueError as ex:
            s.check(False, "scan json parses", str(ex))
            s.finish()
        files = {f.get("fspath"): f for f in js.get("files", [])}
        for fspath in PROGRAMS:
            f = files.get(fspath)
            if not s.check(f is not None, "%s listed in files" % fspath):
                continue
            if s.check("elf" in f, "%s has files[].elf" % fspath, f):
                check_elf_object(s, fspath, f["elf"])
        s.check("elf" not in files.get("/etc/motd", {"elf": 1}),
                "/etc/motd (text) has no elf object")
        hard = files.get("/usr/bin/hard", {}).get("elf", {})
        s.eq((hard.get("pie"), hard.get("relro"), hard.get("canary"),
              hard.get("nx")), (True, "full", True, True),
             "/usr/bin/hard: pie, relro, canary, nx")
        soft = files.get("/usr/bin/soft", {}).get("elf", {})
        s.eq((soft.get("pie"), soft.get("relro"), soft.get("canary"),
              soft.get("rpath")), (False, "none", False, "/tmp/lib"),
             "/usr/bin/soft: pie, relro, canary, rpath")
        lib = files.get("/usr/lib/libx.so", {}).get("elf", {})
        s.eq((lib.get("pie"), lib.get("static")), (False, False),
             "/usr/lib/libx.so: a library is neither PIE nor static")
        for fspath, (_, want) in PROGRAMS.items():
            got = {f["rule"] for f in T.findings(js)
                   if f.get("fspath") == fspath
                   and f["rule"].startswith("hardening.")}
            s.eq(sorted(got), sorted(want), "%s: hardening findings" % fspath)
        rp = [f for f in T.findings(js, "hardening.rpath")]
        s.check(rp and rp[0].get("severity") == "medium"
                and "world-writable" in rp[0].get("message", "")
                and rp[0].get("evidence") == "RPATH=/tmp/lib",
                "rpath in /tmp: medium, says world-writable", rp)
        T.fwvet(s, "scan", "--fail-on", "low", img,
                what="--fail-on low with hardening findings", expect_rc=1)
    s.finish()


if __name__ == "__main__":
    main()
