#!/bin/sh
# Benchmark: the component signature scan (one Hyperscan pass per file over
# every signature), in MB/s per core on uncompressed data, against YARA
# running the same patterns on the same files in the same run.
#
# usage: bench/signatures.sh BUILD_DIR
#
# Input: regular files (shared libraries and programs, i.e. real binary
# data) from /usr/lib and /usr/bin, up to BENCH_MAX_MB (default 400) MB.
# fwvet-sigbench (bench/sigbench.c) maps each file, touches its pages, then
# times the scan alone on one thread (CPU time).  The peer is `yara -p 1`
# with every string pattern of the signature database as one rule each
# (compiled first with yarac, so compiling is not timed); its CPU time
# includes reading the files.  The target is >= 1000 MB/s per core.
# Writes bench/results/signatures.txt.
set -eu

prog=bench/signatures.sh
die() {
  echo "$prog: $*" >&2
  exit 1
}
[ $# -eq 1 ] || die "usage: $prog BUILD_DIR"
here=$(cd "$(dirname "$0")" && pwd -P)
build=$(cd "$1" 2>/dev/null && pwd -P) || die "no build directory '$1'"
bench=$build/fwvet-sigbench
[ -x "$bench" ] || die "'$bench' is missing: build first"
max_mb=${BENCH_MAX_MB:-400}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

command -v yara >/dev/null 2>&1 || sh "$here/../scripts/bootstrap-bench"

# The input: regular files in path order, up to max_mb.
find /usr/lib /usr/bin -type f -size +16k -printf '%s %p\n' 2>/dev/null |
  sort -k2 | awk -v max=$((max_mb * 1024 * 1024)) \
  '{ if (sum + $1 <= max) { sum += $1; print $2 } }' >"$work/files"
mkdir "$work/tree"
n=0
while read -r f; do
  n=$((n + 1))
  ln -s "$f" "$work/tree/$n"
done <"$work/files"

"$bench" $(cat "$work/files") >"$work/fwvet.out"

# The same string patterns as YARA rules (YARA's regular expressions
# accept the dialect of data/signatures.txt).
"$bench" --dump-patterns | python3 -c '
import re, sys
for i, line in enumerate(sys.stdin):
    prod, pat = line.rstrip("\n").split("\t", 1)
    print("rule p%d_%s { strings: $a = /%s/ condition: $a }"
          % (i, re.sub("[^A-Za-z0-9_]", "_", prod), pat.replace("/", "\\/")))
' >"$work/rules.yar"
yarac "$work/rules.yar" "$work/rules.yarc" 2>"$work/yarac.err" ||
  die "yarac failed: $(head -5 "$work/yarac.err")"
bytes=$(awk '/^files:/ { gsub(",", ""); print $4 }' "$work/fwvet.out")
/usr/bin/time -f '%U %S' -o "$work/yara.time" \
  yara -C -r -p 1 "$work/rules.yarc" "$work/tree" >"$work/yara.out" \
  2>"$work/yara.err" || true
yara_cpu=$(awk '{ print $1 + $2 }' "$work/yara.time" | tail -1)
fw_mbs=$(awk '/^throughput:/ { print $2 }' "$work/fwvet.out")
yara_mbs=$(awk -v b="$bytes" -v t="$yara_cpu" \
  'BEGIN { printf "%.0f", (t > 0 ? b / 1e6 / t : 0) }')
ratio=$(awk -v a="$fw_mbs" -v b="$yara_mbs" \
  'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')

mkdir -p "$here/results"
{
  echo "# bench/signatures.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores"
  echo "# $(grep -c . "$work/files") files from /usr/lib and /usr/bin"
  cat "$work/fwvet.out"
  echo "yara (same patterns, -p 1): cpu seconds $yara_cpu," \
    "$yara_mbs MB/s per core, $(grep -c . "$work/yara.out") file/rule matches"
  echo "fwvet / yara throughput: ${ratio}x"
  echo "target: >= 1000 MB/s per core"
} | tee "$here/results/signatures.txt"
