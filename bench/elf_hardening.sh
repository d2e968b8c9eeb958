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
command -v checksec >/dev/null || die "checksec is missing: run scripts/bootstrap-bench"

if [ $# -ge 2 ]; then
  tree=$2
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
checksec --dir="$tree" --output=json >"$build/bench-elf.checksec.json" 2>/dev/null
t2=$(now)

awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$nelf" -v tree="$tree" 'BEGIN {
  f = b - a; k = c - b;
  printf "tree: %s (%d ELF files)\n", tree, n;
  printf "fwvet scan:     %8.2f s\n", f;
  printf "checksec --dir: %8.2f s\n", k;
  printf "ratio:          %8.1fx (target 50x)\n", (f > 0 ? k / f : 0);
}'
