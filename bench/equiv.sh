#!/bin/sh
# Benchmark: `fwvet equiv` against diffoscope on the same pair of trees, in
# the same run; prints both wall times, the ratio (the target is 20x) and
# how far the per-file verdicts agree.
#
# usage: bench/equiv.sh BUILD_DIR
#
# The trees (made once in BUILD_DIR/bench-equiv): `ref` holds 300 ELF
# programs copied from the host's /usr/bin (20 KiB..400 KiB each); `cand`
# is a copy in which
#   20 files have a new GNU build-id             (equivalent: build-id)
#   20 files have a .gnu_debuglink added         (equivalent: debuglink,
#                                                 section headers)
#   10 files have one .text byte changed         (different)
#   10 files have one .rodata byte changed       (different, if .rodata)
# and the rest are identical.  diffoscope (Debian's diffoscope-minimal,
# scripts/bootstrap-bench) runs with --exclude-directory-metadata=recursive
# and a 300 s timeout.  diffoscope has no notion of "equivalent": every
# byte difference is a difference to it, so files fwvet calls equivalent
# are listed with the parts diffoscope showed for them.
set -eu

prog=bench/equiv.sh
die() {
  echo "$prog: $*" >&2
  exit 1
}
[ $# -eq 1 ] || die "usage: $prog BUILD_DIR"
build=$(cd "$1" 2>/dev/null && pwd -P) || die "no build directory '$1'"
fwvet=$build/fwvet
[ -x "$fwvet" ] || die "'$fwvet' is missing: build first"
command -v diffoscope >/dev/null ||
  die "diffoscope is missing: run scripts/bootstrap-bench"
command -v objcopy >/dev/null || die "objcopy (binutils) is missing"

work=$build/bench-equiv
ref=$work/ref
cand=$work/cand
if [ ! -d "$cand" ]; then
  rm -rf "$work"
  mkdir -p "$ref" "$cand"
  python3 - "$ref" "$cand" <<'EOF'
import os, shutil, struct, subprocess, sys
ref, cand = sys.argv[1], sys.argv[2]
picked = []
for name in sorted(os.listdir("/usr/bin")):
    p = os.path.join("/usr/bin", name)
    if os.path.islink(p) or not os.path.isfile(p):
        continue
    size = os.path.getsize(p)
    if not 20 << 10 <= size <= 400 << 10:
        continue
    with open(p, "rb") as f:
        if f.read(4) != b"\x7fELF":
            continue
    picked.append(name)
    if len(picked) == 300:
        break
for name in picked:
    shutil.copy(os.path.join("/usr/bin", name), os.path.join(ref, name))
    shutil.copy(os.path.join("/usr/bin", name), os.path.join(cand, name))

def sections(path):
    out = subprocess.run(["readelf", "-SW", path], stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    secs = {}
    for line in out.splitlines():
        if "]" not in line or line.strip().startswith("[Nr]"):
            continue
        f = line.split("]", 1)[1].split()
        if len(f) >= 5:
            secs[f[0]] = (int(f[3], 16), int(f[4], 16))
    return secs

def poke(path, off, xor):
    with open(path, "r+b") as f:
        f.seek(off)
        b = f.read(1)
        f.seek(off)
        f.write(bytes([b[0] ^ xor]))

want = {"build-id": 20, "debuglink": 20, "text": 10, "rodata": 10}
plan = []
for name in picked:
    p = os.path.join(cand, name)
    secs = sections(p)
    for kind in ("build-id", "debuglink", "text", "rodata"):
        if not want[kind]:
            continue
        if kind == "build-id" and ".note.gnu.build-id" in secs:
            off, size = secs[".note.gnu.build-id"]
            poke(p, off + size - 1, 0x5a)   # last byte of the id
        elif kind == "debuglink" and ".gnu_debuglink" not in secs:
            dbg = os.path.join(os.path.dirname(cand), name + ".debug")
            open(dbg, "wb").close()
            subprocess.run(["objcopy", "--add-gnu-debuglink=" + dbg, p,
                            p + ".t"], check=True)
            os.replace(p + ".t", p)
            os.unlink(dbg)
        elif kind in ("text", "rodata") and "." + kind in secs:
            off, size = secs["." + kind]
            poke(p, off + size // 2, 0x01)
        else:
            continue
        want[kind] -= 1
        plan.append("%s %s" % (name, kind))
        break
with open(os.path.join(os.path.dirname(ref), "plan.txt"), "w") as f:
    f.write("\n".join(plan) + "\n")
EOF
fi

now() { date +%s.%N; }
nfiles=$(find "$ref" -type f | wc -l)

t0=$(now)
"$fwvet" equiv --format json "$ref" "$cand" >"$work/fwvet.json" || true
t1=$(now)
timeout 300 diffoscope --exclude-directory-metadata=recursive \
  --json "$work/diffoscope.json" "$ref" "$cand" >/dev/null 2>&1 || true
t2=$(now)

python3 - "$work" "$t0" "$t1" "$t2" "$nfiles" <<'EOF'
import json, os, sys
work, t0, t1, t2, n = sys.argv[1], *map(float, sys.argv[2:5]), sys.argv[5]
f, d = t1 - t0, t2 - t1
fw = json.load(open(os.path.join(work, "fwvet.json")))
try:
    ds = json.load(open(os.path.join(work, "diffoscope.json")))
except (OSError, ValueError):
    ds = {}
plan = dict(l.split() for l in open(os.path.join(work, "plan.txt"))
            if l.strip())
fv = {}
for p in fw["pairs"]:
    if p["reference"]["kind"] == "file" and p["fspath"].count("/") == 1:
        fv[p["fspath"][1:]] = p["verdict"]
shown = {}
for det in ds.get("details", []):
    name = os.path.basename(det.get("source1", ""))
    srcs = sorted({x.get("source1", "") for x in det.get("details", [])})
    shown[name] = srcs
print("trees: %s files each (%s)" % (n, work))
print("fwvet equiv: %.2f s   diffoscope: %.2f s   ratio: %.0fx"
      % (f, d, d / f if f > 0 else 0))
agree = expected = bad = 0
lines = []
for name, v in sorted(fv.items()):
    dsdiff = name in shown
    if (v == "identical") == (not dsdiff) and v != "equivalent":
        agree += 1
    elif v == "equivalent" and dsdiff:
        expected += 1
        lines.append("  %-24s fwvet equivalent (%s); diffoscope shows: %s"
                     % (name, plan.get(name, "?"), "; ".join(shown[name])))
    else:
        bad += 1
        lines.append("  %-24s DISAGREE: fwvet %s, diffoscope %s (%s)"
                     % (name, v, "differs" if dsdiff else "no difference",
                        plan.get(name, "unchanged")))
print("verdicts: %d agree (identical/different), %d equivalent by fwvet "
      "where diffoscope reports byte differences, %d disagree"
      % (agree, expected, bad))
print("fwvet overall: %s; planned changes: %d" % (fw["verdict"], len(plan)))
print("\n".join(lines))
EOF
