"""Call-site counts on real ARM and MIPS binaries against an independent
count (DESIGN.md question 4, the engineering table).

Debian's armhf (Thumb-2) and mipsel busybox (tests/fixtures/elf-foreign.sh
fetches them; skipped when it has not) are scanned with `fwvet scan
--call-sites` and a --families file that puts each compared function in a
family of its own, so the JSON's engineering.call_sites rows are
per-function counts.  The independent count comes from LLVM's tools, not
from fwvet's decoder or ELF reader:
- mipsel: llvm-readelf -A names each global GOT entry (the $gp offset of
  every undefined symbol); llvm-objdump -d gives "lw $25, OFF(reg)"
  followed by "jalr $25" or "jr $25".  Must be equal.
- armhf: llvm-objdump disassembles .plt as A32 (each stub's "add r12, pc,
  ...; add r12, r12, ...; ldr pc, [r12, #...]!" gives its GOT slot, which
  llvm-readelf -r names) and .text as Thumb-2 (bl, blx, b.w to a stub).
  llvm-objdump's linear pass over a stripped Thumb file leaves the
  halfword grid after some literal pools and decodes at odd addresses for
  a while, missing the calls there; fwvet never leaves the grid.  So every
  call llvm-objdump finds must be counted by fwvet, and fwvet may count
  at most 3% more in all.
"""

import json
import os
import re
import shutil

import fwvtest as T

FUNCS = ["memcpy", "strcpy", "strcmp", "strlen", "strchr", "free",
         "memset", "strncmp", "malloc", "open64"]

STORES = {"sb", "sh", "sw", "swl", "swr", "swc1", "sdc1"}


def out(*args):
    return T.sh(list(args)).decode("utf-8", "replace")


def arm_independent(path):
    names = {}
    for m in re.finditer(r"^([0-9a-f]{8})\s+\S+\s+R_ARM_JUMP_SLOT\s+\S+\s+"
                         r"(\S+)", out("llvm-readelf", "-r", path), re.M):
        names[int(m.group(1), 16)] = m.group(2).split("@")[0]
    stubs, raw, ip, start = {}, {}, None, 0
    for line in out("llvm-objdump", "-d", "-j", ".plt", path).splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} ){4})\s*(\S+)\s*(.*)",
                     line)
        if not m:
            continue
        a, mn, ops = int(m.group(1), 16), m.group(3), m.group(4)
        raw[a] = m.group(2).split()
        imms = [int(x) for x in re.findall(r"#(-?\d+)", ops)]
        if mn == "add" and ops.startswith("r12, pc"):
            v = imms[0]
            if len(imms) > 1:  # "#imm8, #rotation"
                r = imms[1]
                v = ((v >> r) | (v << (32 - r))) & 0xffffffff
            ip, start = a + 8 + v, a
        elif mn == "add" and ops.startswith("r12, r12, #") and ip is not None:
            ip += imms[0]
        elif mn == "ldr" and ops.startswith("pc, [r12") and ip is not None:
            slot = ip + (imms[0] if imms else 0)
            if slot in names:
                stubs[start] = names[slot]
                if raw.get(start - 4, [])[:2] == ["78", "47"]:  # bx pc
                    stubs[start - 4] = names[slot]
            ip = None
    counts = {}
    dis = out("llvm-objdump", "-d", "--triple=thumbv7-linux-gnueabihf",
              "--no-show-raw-insn", "-j", ".init", "-j", ".text", "-j",
              ".fini", path)
    for m in re.finditer(r"^\s*[0-9a-f]+:\s+(?:bl|blx|b\.w)\s+0x([0-9a-f]+)",
                         dis, re.M):
        name = stubs.get(int(m.group(1), 16))
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts


def mips_independent(path):
    got, in_global = {}, False
    for line in out("llvm-readelf", "-A", path).splitlines():
        if "Global entries" in line:
            in_global = True
            continue
        f = line.split()
        if in_global and len(f) >= 7 and f[1].endswith("(gp)"):
            if f[5] == "UND":
                got[int(f[1][:-4])] = f[6]
        elif in_global and not line.strip():
            in_global = False
    counts, t9 = {}, None
    dis = out("llvm-objdump", "-d", "--no-show-raw-insn", "-j", ".init",
              "-j", ".text", "-j", ".fini", path)
    for line in dis.splitlines():
        m = re.match(r"\s*[0-9a-f]+:\s+(\S+)\s*([^<]*)", line)
        if not m:
            continue
        mn, ops = m.group(1), m.group(2).strip()
        lw = re.match(r"\$25, (-?\d+)\(\$\w+\)$", ops)
        if mn == "lw" and lw:
            t9 = got.get(int(lw.group(1)))
        elif mn in ("jalr", "jr") and ops in ("$25", "$ra, $25"):
            if t9:
                counts[t9] = counts.get(t9, 0) + 1
            t9 = None
        elif mn in ("jalr", "jr", "jal", "j", "bal"):
            t9 = None
        elif (mn not in STORES and not mn.startswith("b")
              and ops.startswith("$25,")):
            t9 = None
    return counts


def fwvet_counts(s, path, tmp):
    fam = os.path.join(tmp, "families.txt")
    with open(fam, "w") as f:
        for fn in FUNCS:
            f.write("cs_%s %s unsafe\n" % (fn, fn))
    r = T.fwvet(s, "scan", "--call-sites", "--families", fam, "--format",
                "json", path, what="scan --call-sites " + path)
    js = json.loads(r.stdout)
    rows = js.get("engineering", {}).get("call_sites", [])
    return {row["family"][3:]: row["unsafe_calls"] for row in rows
            if row["family"].startswith("cs_")}


def main():
    s = T.Suite("test_callsites_arch")
    fx = os.environ.get("FWVET_ELF_FIXTURES", "/tmp/fwvet-elf-foreign")
    script = os.path.join(T.SOURCE_DIR, "tests", "fixtures", "elf-foreign.sh")
    if T.run(["sh", script, fx]).rc != 0:
        s.note("Debian's archive is not reachable or apt cannot add "
               "architectures (%s): skipping" % script)
        s.finish()
    if not T.need_tools(s, "llvm-objdump", "llvm-readelf"):
        s.finish()
    with T.tempdir("csarch") as tmp:
        for arch, indep in (("mipsel", mips_independent),
                            ("armhf", arm_independent)):
            src = os.path.join(fx, arch, "busybox", "bin", "busybox")
            path = os.path.join(tmp, arch + "-busybox")
            shutil.copy(src, path)
            want = indep(path)
            got = fwvet_counts(s, path, tmp)
            for fn in FUNCS:
                w, g = want.get(fn, 0), got.get(fn, 0)
                if arch == "mipsel":
                    s.eq(g, w, "%s: calls to %s" % (arch, fn))
                else:
                    s.check(w <= g, "%s: calls to %s: fwvet %d, "
                            "llvm-objdump %d" % (arch, fn, g, w))
            tw = sum(want.get(fn, 0) for fn in FUNCS)
            tg = sum(got.get(fn, 0) for fn in FUNCS)
            s.check(tg <= tw * 103 // 100, "%s: fwvet counts %d calls, at "
                    "most 3%% more than llvm-objdump's %d" % (arch, tg, tw))
            s.check(tw > 500,
                    "%s: the independent count found calls" % arch, want)
            print("%s busybox: %s" % (arch, ", ".join(
                "%s %d/%d" % (fn, got.get(fn, 0), want.get(fn, 0))
                for fn in FUNCS)))
    s.finish()


if __name__ == "__main__":
    main()
