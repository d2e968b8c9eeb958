"""files[].elf compared field by field with checksec 2.6 (Debian's
`checksec`, scripts/bootstrap-bench) on the same files: programs compiled
here with flags that flip each property, the host's /usr/bin/ls and
libelf, and, when tests/fixtures/elf-foreign.sh has fetched them (see
FWVET_ELF_FIXTURES, default /tmp/fwvet-elf-foreign), Debian's busybox for
armhf, arm64, mipsel, s390x and i386.  Without checksec the test notes it
and passes.

Spelling: checksec's relro "no" is fwvet's "none"; its yes/no are
fwvet's booleans.

Intended differences, not counted as failures:
- pie: checksec says "dso" for a shared library; fwvet says false (a
  library is not a PIE executable; docs/rules.md).
- fortify-able: checksec counts the imported names that have a _chk
  variant in the host's libc, fortified or not; fwvet's `fortified` +
  `fortifiable` is the same count, judged against glibc's fixed _chk
  table instead of the host libc (checksec would be wrong for a uClibc
  or musl image).  Compared as a sum, on glibc binaries only.  checksec
  also matches names with leading underscores stripped, so it counts
  glibc's internal `__mempcpy`, `__stpcpy` and `_longjmp` imports as
  fortifiable; fwvet does not (no _FORTIFY_SOURCE macro turns them into
  _chk calls).  On the host's /usr/bin and /usr/sbin (1319 ELF files,
  bench/elf_hardening.sh) that is the only disagreement: 9 files.
- symbols: checksec's "symbols" is "yes" when .symtab has entries;
  fwvet's `stripped` is "no .symtab section".  Compared as negation.
- static files: checksec reads canary and FORTIFY from any symbol
  table; fwvet from imports (and .symtab for static files), so for
  static files only relro, nx and pie are compared.
"""

import json
import os
import shutil
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402

SRC = r"""
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  char b[64];
  strcpy(b, argc > 1 ? argv[1] : "x");
  memcpy(b + 8, argv[0], strlen(argv[0]) % 32);
  printf("%s %d\n", b, argc);
  return 0;
}
"""

BUILDS = {
    "hard": "-fstack-protector-all -fPIE -pie -Wl,-z,relro,-z,now",
    "soft": "-fno-stack-protector -fno-PIE -no-pie -Wl,-z,norelro",
    "partial": "-fstack-protector-strong -Wl,-z,relro,-z,lazy",
    "execstack": "-z execstack",
    "rpath": "-Wl,--disable-new-dtags -Wl,-rpath,/tmp/lib",
    "runpath": "-Wl,--enable-new-dtags -Wl,-rpath,/opt/lib",
    "static": "-static",
    "stripped": "-s",
    "fortify": "-O2 -D_FORTIFY_SOURCE=2",
    "lib.so": "-shared -fPIC",
}


def yn(b):
    return "yes" if b else "no"


def compare(s, name, e, c):
    """One file: fwvet's elf object `e` against checksec's record `c`."""
    static = e["static"]
    s.eq({"none": "no"}.get(e["relro"], e["relro"]), c["relro"],
         "%s: relro" % name)
    s.eq(yn(e["nx"]), c["nx"], "%s: nx" % name)
    want_pie = c["pie"]
    if want_pie == "dso":
        s.check(not e["pie"] and e["type"] == "dyn",
                "%s: a library (checksec 'dso') is not a PIE" % name, e)
    else:
        s.eq(yn(e["pie"]), want_pie, "%s: pie" % name)
    if static:
        return
    s.eq(yn(e["canary"]), c["canary"], "%s: canary" % name)
    s.eq(yn(e["rpath"] is not None), c["rpath"], "%s: rpath" % name)
    s.eq(yn(e["runpath"] is not None), c["runpath"], "%s: runpath" % name)
    s.eq(str(e["fortified"]), c["fortified"], "%s: fortified" % name)
    if e["machine"] in ("x86-64", "x86", "arm", "aarch64", "mips",
                        "s390x"):
        s.eq(str(e["fortified"] + e["fortifiable"]), c["fortify-able"],
             "%s: fortified + fortifiable = checksec fortify-able" % name)


def main():
    s = T.Suite("test_elf_checksec")
    if not T.have("checksec") or not T.have("cc"):
        s.note("checksec or cc missing (scripts/bootstrap-bench): skipped")
        s.finish()
    with T.tempdir("elfcs") as tmp:
        root = os.path.join(tmp, "root")
        os.makedirs(root)
        src = os.path.join(tmp, "p.c")
        with open(src, "w") as f:
            f.write(SRC)
        for name, flags in BUILDS.items():
            T.sh(["sh", "-c", "cc -w %s -o '%s/%s' '%s'"
                  % (flags, root, name, src)], what="cc " + flags)
        for host in ("/usr/bin/ls",
                     "/usr/lib/x86_64-linux-gnu/libelf.so.1"):
            if os.path.exists(host):
                shutil.copy(host, root)
        fx = os.environ.get("FWVET_ELF_FIXTURES", "/tmp/fwvet-elf-foreign")
        if os.path.exists(os.path.join(fx, "done")):
            for arch in sorted(os.listdir(fx)):
                for pkg in ("busybox", "busybox-static"):
                    p = os.path.join(fx, arch, pkg, "bin", "busybox")
                    if os.path.exists(p):
                        shutil.copy(p, os.path.join(root, "%s-%s"
                                                    % (arch, pkg)))
        else:
            s.note("no foreign fixtures in %s (tests/fixtures/"
                   "elf-foreign.sh): host binaries only" % fx)
        r = T.fwvet(s, "scan", "--format", "json", root, what="scan json")
        js = json.loads(r.stdout)
        elf = {f["fspath"]: f["elf"] for f in js["files"] if "elf" in f}
        cs = T.run(["checksec", "--dir=" + root, "--output=json"])
        cj = json.loads(cs.stdout)
        for fspath, e in sorted(elf.items()):
            c = cj.get(root + fspath)
            if not s.check(c is not None, "checksec has %s" % fspath):
                continue
            compare(s, fspath, e, c)
        s.check(len(elf) >= len(BUILDS), "every build has an elf object",
                sorted(elf))
    s.finish()


if __name__ == "__main__":
    main()
