#!/bin/sh
# Benchmark: binary hardening of every file of a tree, `fwvet scan` against
# `checksec --dir` (checksec 2.6, scripts/bootstrap-bench), same tree, same
# run; prints both wall times and the ratio (the target is 50x).
#
# usage: bench/elf_hardening.sh BUILD_DIR [TREE]
# Without TREE, a tree is made in BUILD_DIR/bench-elf from the host's
# /usr/bin and /usr/sbin plus, when tests/fixtures/elf-foreign.sh can
# fetch them, Debian's busybox for armhf, arm64, mipsel, s390x and i386.
# fwvet does more than checksec here (every analyser, hashing, the JSON
# report), so the ratio is a lower bound for the ELF part alone.
set -eu

prog=bench/elf_hardening.sh
die() {
  echo "$prog: $*" >&2
  exit 1
}
[ $# -ge 1 ] || die "usage: $prog BUILD_DIR [TREE]"
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(dirname "$here")
build=$(cd "$1" && pwd -P) || die "no build directory '$1'"
fwvet=$build/fwvet
[ -x "$fwvet" ] || die "'$fwvet' is missing: build first"
command -v checksec >/dev/null ||
  die "checksec is missing: run scripts/bootstrap-bench"

if [ $# -ge 2 ]; then
  tree=$(cd "$2" && pwd -P) || die "no tree '$2'"
else
  tree=$build/bench-elf
  if [ ! -d "$tree" ]; then
    mkdir -p "$tree/host"
    cp -p /usr/bin/* /usr/sbin/* "$tree/host/" 2>/dev/null || true
    fx=$build/bench-elf-foreign
    if sh "$repo/tests/fixtures/elf-foreign.sh" "$fx"; then
      for a in "$fx"/*/; do
        [ -d "$a/busybox" ] || continue
        cp -rp "$a" "$tree/$(basename "$a")"
      done
    else
      echo "$prog: foreign binaries not reachable; host files only" >&2
    fi
  fi
fi

now() { date +%s.%N; }
nelf=$(find "$tree" -type f -exec sh -c \
  'head -c4 "$1" | grep -q "ELF" && echo' _ {} \; | wc -l)

t0=$(now)
"$fwvet" scan --format json "$tree" >"$build/bench-elf.fwvet.json"
t1=$(now)
checksec --dir="$tree" --output=json \
  >"$build/bench-elf.checksec.json" 2>/dev/null
t2=$(now)

awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$nelf" -v tree="$tree" 'BEGIN {
  f = b - a; k = c - b;
  printf "tree: %s (%d ELF files)\n", tree, n;
  printf "fwvet scan:     %8.2f s\n", f;
  printf "checksec --dir: %8.2f s\n", k;
  printf "ratio:          %8.1fx (target 50x)\n", (f > 0 ? k / f : 0);
}'

# Field-by-field agreement on the same files (intended differences are
# explained in tests/cli/test_elf_checksec.py).
python3 - "$build/bench-elf.fwvet.json" "$build/bench-elf.checksec.json" \
  "$tree" <<'PY'
import collections, json, sys
f = json.load(open(sys.argv[1]))
c = json.load(open(sys.argv[2]))
root = sys.argv[3].rstrip("/")
yn = lambda b: "yes" if b else "no"
diff = collections.Counter()
first = {}
n = 0
for x in f["files"]:
    e = x.get("elf")
    k = c.get(root + x["fspath"]) if e else None
    if not k:
        continue
    n += 1
    pairs = [("relro", {"none": "no"}.get(e["relro"], e["relro"]),
              k["relro"]),
             ("nx", yn(e["nx"]), k["nx"]),
             ("symbols", yn(not e["stripped"]), k["symbols"]),
             ("pie", "dso" if e["type"] == "dyn" and not e["pie"]
              else yn(e["pie"]), k["pie"])]
    if not e["static"]:
        pairs += [("canary", yn(e["canary"]), k["canary"]),
                  ("rpath", yn(e["rpath"] is not None), k["rpath"]),
                  ("runpath", yn(e["runpath"] is not None), k["runpath"]),
                  ("fortified", str(e["fortified"]), k["fortified"]),
                  ("fortify-able", str(e["fortified"] + e["fortifiable"]),
                   k["fortify-able"])]
    for name, a, b in pairs:
        if a != b:
            diff[name] += 1
            first.setdefault(name, "%s: fwvet %s, checksec %s"
                             % (x["fspath"], a, b))
print("compared with checksec: %d ELF files" % n)
for name in sorted(diff):
    print("  %-12s %4d differ, e.g. %s" % (name, diff[name], first[name]))
if not diff:
    print("  no field differs")
PY
