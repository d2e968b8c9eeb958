#!/bin/sh
# Benchmark and cross-check: `fwvet audit-src` against flawfinder on the
# same C/C++ trees, per function of the families and in wall time.
#
# usage: bench/audit_src.sh BUILD_DIR [TREE|PACKAGE]...
# Without trees, Debian source packages (lz4, busybox by default) are
# fetched into BUILD_DIR/bench-src with a private apt configuration
# (deb-src of bookworm; the system's apt sources are not touched).
# flawfinder (Debian package flawfinder) reads files as UTF-8 and stops
# at the first that is not, so it is given a copy of the tree in which
# such files are converted from Latin-1; fwvet reads the original.
# Prints, per tree, one line per function: fwvet's count, flawfinder's
# hit count and the difference (see docs in the note of issue 4 for the
# classes of differences).
set -eu

prog=bench/audit_src.sh
die() {
  echo "$prog: $*" >&2
  exit 1
}
[ $# -ge 1 ] || die "usage: $prog BUILD_DIR [TREE|PACKAGE]..."
build=$(cd "$1" && pwd -P) || die "no build directory '$1'"
shift
fwvet=$build/fwvet
[ -x "$fwvet" ] || die "'$fwvet' is missing: build first"
command -v flawfinder >/dev/null ||
  die "flawfinder is missing: apt-get install flawfinder"
work=$build/bench-src
mkdir -p "$work"
[ $# -ge 1 ] || set -- lz4 busybox

fetch() { # PACKAGE -> prints the extracted directory
  apt=$work/apt
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  echo "deb-src http://deb.debian.org/debian bookworm main" \
    >"$apt/sources.list"
  set -- -o Dir::Etc::SourceList="$apt/sources.list" \
    -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt/lists" \
    -o Dir::Cache="$apt/cache" -o Debug::NoLocking=1
  [ -n "$(ls "$apt/lists" 2>/dev/null | grep Sources || true)" ] ||
    apt-get "$@" update >/dev/null 2>&1 || return 1
  (cd "$work" && apt-get "$@" source --download-only "$pkg" \
    >/dev/null 2>&1) || return 1
  dsc=$(ls "$work/${pkg}"_*.dsc | head -n 1)
  dir=$(cd "$work" && dpkg-source --no-check -x "$dsc" 2>/dev/null |
    sed -n 's/.*extracting .* in //p' | tail -n 1)
  [ -n "$dir" ] && echo "$work/$dir"
}

for arg in "$@"; do
  if [ -d "$arg" ]; then
    tree=$(cd "$arg" && pwd -P)
  else
    pkg=$arg
    tree=$(ls -d "$work/$pkg"-[0-9]*/ 2>/dev/null | head -n 1 || true)
    tree=${tree%/}
    [ -n "$tree" ] || tree=$(fetch) ||
      { echo "$prog: $pkg: cannot fetch the source (no network?): skipped" >&2
        continue; }
  fi
  utf=$work/utf8-$(basename "$tree")
  rm -rf "$utf"
  cp -a "$tree" "$utf"
  find "$utf" -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' \
    -o -name '*.cpp' -o -name '*.cxx' -o -name '*.hpp' -o -name '*.hh' \
    -o -name '*.inl' \) | while read -r f; do
    iconv -f utf-8 -t utf-8 "$f" >/dev/null 2>&1 ||
      { iconv -f latin1 -t utf-8 "$f" >"$f.u" && mv "$f.u" "$f"; }
  done
  t0=$(date +%s.%N)
  "$fwvet" audit-src --format json "$tree" >"$work/fwvet.json"
  t1=$(date +%s.%N)
  flawfinder --csv --minlevel=0 --quiet --dataonly "$utf" \
    >"$work/flawfinder.csv" 2>"$work/flawfinder.err" || true
  t2=$(date +%s.%N)
  python3 - "$tree" "$work/fwvet.json" "$work/flawfinder.csv" \
    "$t0" "$t1" "$t2" <<'PY'
import csv, json, sys
tree, fj, fc, t0, t1, t2 = sys.argv[1:]
fw = json.load(open(fj))["functions"]
ff = {}
with open(fc, newline="") as f:
    for row in csv.DictReader(f):
        ff[row["Name"]] = ff.get(row["Name"], 0) + 1
names = sorted(set(fw) | (set(ff) & set(fw)) |
               {n for n in ff if n in fw or n.rstrip("_s") in fw})
print("%s: fwvet %.2f s, flawfinder %.2f s (%.0fx)" % (
    tree, float(t1) - float(t0), float(t2) - float(t1),
    (float(t2) - float(t1)) / max(float(t1) - float(t0), 1e-3)))
print("  %-18s %8s %10s %6s" % ("function", "fwvet", "flawfinder", "diff"))
for n in names:
    a, b = fw.get(n, 0), ff.get(n, 0)
    print("  %-18s %8d %10d %+6d" % (n, a, b, a - b))
others = sorted((n, c) for n, c in ff.items() if n not in fw)
print("  flawfinder names not in fwvet's counts: %s" % ", ".join(
    "%s=%d" % x for x in others[:40]))
PY
done
