#!/bin/sh
# Benchmark: fwvet extract against binwalk -Me on the same router image,
# in the same run.
#
# usage: bench/run.sh BUILD_DIR      (what `make bench` runs)
#
# 1. downloads real Debian packages of a foreign architecture (mipsel, else
#    armhf) with `apt-get download` and unpacks them with `dpkg-deb -x`
#    into a root filesystem.  apt only sees a foreign architecture's
#    packages once dpkg knows it, so this may run
#    `dpkg --add-architecture mipsel && apt-get update` (as root; it adds
#    the architecture to dpkg's list and installs nothing);
# 2. builds a router image from it with tests/fixtures/mkfirmware.sh;
# 3. installs binwalk if missing (scripts/bootstrap-bench);
# 4. times `fwvet extract IMG -C d1` and `binwalk -Me -C d2 IMG` three
#    times each (median wall time, CPU time, peak RSS), counts what each
#    extracted, and writes the table to bench/results/.
#
# Environment: BENCH_ARCH (mipsel), BENCH_RUNS (3), BENCH_WORK
# (BUILD_DIR/bench), BENCH_PACKAGES (the package list below).
set -eu

prog=bench/run.sh
die() {
  echo "$prog: $*" >&2
  exit 1
}

[ $# -eq 1 ] || die "usage: $prog BUILD_DIR"
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(dirname "$here")
build=$(cd "$1" 2>/dev/null && pwd -P) || die "no build directory '$1'"
fwvet=$build/fwvet
[ -x "$fwvet" ] || die "'$fwvet' is missing: build first (make build)"
work=${BENCH_WORK:-$build/bench}
runs=${BENCH_RUNS:-3}
results=$here/results
SUDO=${SUDO:-}
if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
  need_root="yes"
else
  need_root=""
fi

PACKAGES=${BENCH_PACKAGES:-"busybox dropbear-bin libc6 libssl3 openssl
curl libcurl4 lighttpd zlib1g libtomcrypt1 libtommath1 libgmp10 libzstd1
libnghttp2-14 libpcre2-8-0 libcrypt1 libbrotli1 libidn2-0 libssh2-1
libpsl5 libunistring2 libxxhash0 liblzma5 libbz2-1.0"}

mkdir -p "$work" "$results"

# --- 1. packages --------------------------------------------------------

# apt-cache answers for a foreign architecture only after it was added.
arch_known() {
  apt-cache show "busybox:$1" >/dev/null 2>&1
}

add_arch() {
  a=$1
  if arch_known "$a"; then
    return 0
  fi
  if [ -n "$need_root" ]; then
    echo "$prog: apt does not list $a packages and this is not root;" \
      "run as root or with SUDO=sudo" >&2
    return 1
  fi
  echo "$prog: adding dpkg architecture $a and updating apt's lists" \
    "(dpkg --add-architecture $a && apt-get update)"
  $SUDO dpkg --add-architecture "$a" || return 1
  $SUDO apt-get update -qq || {
    echo "$prog: apt-get update failed: is the Debian archive" \
      "reachable?" >&2
    return 1
  }
  arch_known "$a"
}

# Downloads $PACKAGES for arch $1 into $work/debs-$1; fails when busybox
# or libc6 could not be had (nothing worth benchmarking without them).
download() {
  a=$1
  dir=$work/debs-$a
  mkdir -p "$dir"
  failed=""
  for p in $PACKAGES; do
    if ls "$dir/${p}_"*"_$a.deb" >/dev/null 2>&1 ||
      ls "$dir/${p}_"*"_all.deb" >/dev/null 2>&1; then
      continue
    fi
    if ! (cd "$dir" && apt-get download -q "$p:$a" >/dev/null 2>"$dir/.err"); then
      echo "$prog: could not download $p:$a: $(tail -n 1 "$dir/.err")" >&2
      failed="$failed $p"
    fi
  done
  rm -f "$dir/.err"
  for p in busybox libc6; do
    case " $failed " in
    *" $p "*) return 1 ;;
    esac
  done
  [ -z "$failed" ] || echo "$prog: going on without:$failed"
  return 0
}

arch=""
for a in ${BENCH_ARCH:-mipsel armhf}; do
  if add_arch "$a" && download "$a"; then
    arch=$a
    break
  fi
  echo "$prog: no usable $a packages; trying the next architecture" >&2
done
[ -n "$arch" ] || die "could not download the packages for any" \
  "architecture (see the messages above)"

rootfs=$work/rootfs-$arch
# Rebuilt when missing or made from another package list.
if [ "$(cat "$rootfs.complete" 2>/dev/null)" != "$PACKAGES" ]; then
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  for deb in "$work/debs-$arch"/*.deb; do
    dpkg-deb -x "$deb" "$rootfs" || die "dpkg-deb -x $deb failed"
  done
  # What makes it a router: a busybox userland in the usual places.
  if [ -x "$rootfs/bin/busybox" ]; then
    for a in sh ls cat mount; do
      [ -e "$rootfs/bin/$a" ] || [ -L "$rootfs/bin/$a" ] ||
        ln -s busybox "$rootfs/bin/$a"
    done
  fi
  printf '%s\n' "$PACKAGES" >"$rootfs.complete"
fi

# --- 2. the image -------------------------------------------------------

fw=$work/fw-$arch
sh "$repo/tests/fixtures/mkfirmware.sh" router "$fw" "$rootfs" ||
  die "building the image failed"
img=$fw/router.bin
src_files=$(find "$rootfs/" -type f | wc -l)

# --- 3. binwalk -----------------------------------------------------------

if ! command -v binwalk >/dev/null 2>&1; then
  sh "$repo/scripts/bootstrap-bench" || die "installing binwalk failed"
fi
binwalk_version=$(binwalk 2>&1 | sed -n 's/^Binwalk v//p' | head -n 1)
set -- binwalk -Me
if [ "$(id -u)" -eq 0 ]; then
  set -- "$@" --run-as=root # binwalk 2.3 refuses to extract as root
fi
binwalk_cmd="$*"

# --- 4. timing ------------------------------------------------------------

cd "$work"
: >measure.log
cat "$img" >/dev/null # the image in the page cache for both

# median of the numbers on stdin
median() {
  sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Counts regular files below $1; with "fs", only those the squashfs
# itself holds (not what either tool carved out of its files, which goes
# into *.extracted directories).
count_files() {
  if [ ! -d "$1" ]; then
    echo 0
  elif [ "${2:-}" = fs ]; then
    find "$1" -type d -name '*.extracted' -prune -o -type f -print | wc -l
  else
    find "$1" -type f | wc -l
  fi
}

run_tool() { # NAME OUTDIR CMD...
  name=$1
  out=$2
  shift 2
  : >"$work/$name.times"
  i=1
  while [ "$i" -le "$runs" ]; do
    rm -rf "$out"
    line=$(python3 "$here/measure.py" "$@") ||
      die "measuring $name failed"
    rc=${line##* }
    [ "$rc" -eq 0 ] || echo "$prog: $name exited with status $rc" \
      "(see $work/measure.log)" >&2
    echo "$line" >>"$work/$name.times"
    echo "  $name run $i: $line (wall s, cpu s, peak KiB, status)"
    i=$((i + 1))
  done
}

echo "$prog: image $img ($(wc -c <"$img") bytes, $src_files files," \
  "$arch)"
echo "$prog: fwvet extract, $runs runs"
run_tool fwvet "$work/d1" "$fwvet" extract "$img" -C "$work/d1"
echo "$prog: $binwalk_cmd, $runs runs"
run_tool binwalk "$work/d2" "$@" -C "$work/d2" "$img"

stats() { # NAME -> "wall cpu rss_mib"
  w=$(awk '{ print $1 }' "$work/$1.times" | median)
  c=$(awk '{ print $2 }' "$work/$1.times" | median)
  r=$(awk '{ print $3 }' "$work/$1.times" | sort -n | tail -n 1)
  echo "$w $c $(awk -v k="$r" 'BEGIN { printf "%.1f", k / 1024 }')"
}
# shellcheck disable=SC2046 # three numbers, split on purpose
set -- $(stats fwvet)
fw_wall=$1 fw_cpu=$2 fw_rss=$3
# shellcheck disable=SC2046
set -- $(stats binwalk)
bw_wall=$1 bw_cpu=$2 bw_rss=$3

fw_root=$work/d1/squashfs@0x200000
bw_root=$(find "$work/d2" -type d -name squashfs-root | head -n 1)
fw_all=$(count_files "$work/d1")
bw_all=$(count_files "$work/d2")
fw_fs=$(count_files "$fw_root" fs)
bw_fs=$(count_files "${bw_root:-/nonexistent}" fs)
# Same content as the source?  diff -r compares file contents and symlink
# targets; the tools' carving directories are left out.
same() { # EXTRACTED_ROOT EXCLUDE
  if [ ! -d "$1" ]; then
    echo "not extracted"
    return
  fi
  n=$(diff -r --no-dereference -x "$2" "$1" "$rootfs" 2>&1 | wc -l)
  if [ "$n" -eq 0 ]; then
    echo "identical to the source"
  else
    echo "$n differences from the source (diff -r --no-dereference)"
  fi
}
fw_same=$(same "$fw_root" '*.extracted')
bw_same=$(same "${bw_root:-/nonexistent}" '_*.extracted')
ratio=$(awk -v a="$bw_wall" -v b="$fw_wall" \
  'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')
cpu_ratio=$(awk -v a="$bw_cpu" -v b="$fw_cpu" \
  'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')

result=$results/bench-$arch.txt
{
  echo "fwvet extract vs binwalk -Me ($(date -u +%Y-%m-%d), $(nproc) cores," \
    "median of $runs runs)"
  echo "image: router.bin, $(wc -c <"$img") bytes: uImage + squashfs (xz)" \
    "of $src_files files from Debian 12 $arch packages"
  echo "fwvet $("$fwvet" --version | sed 's/^fwvet //'), binwalk" \
    "$binwalk_version ($binwalk_cmd)"
  echo
  printf '%-8s %10s %10s %14s %12s %16s\n' tool "wall s" "cpu s" \
    "peak RSS MiB" "files out" "squashfs files"
  printf '%-8s %10s %10s %14s %12s %16s\n' fwvet "$fw_wall" "$fw_cpu" \
    "$fw_rss" "$fw_all" "$fw_fs"
  printf '%-8s %10s %10s %14s %12s %16s\n' binwalk "$bw_wall" "$bw_cpu" \
    "$bw_rss" "$bw_all" "$bw_fs"
  echo
  echo "speed ratio binwalk/fwvet: ${ratio}x wall, ${cpu_ratio}x cpu"
  echo "regular files in the source root filesystem: $src_files"
  if [ "$fw_fs" -eq "$src_files" ] && [ "$bw_fs" -eq "$src_files" ]; then
    echo "both extracted every file of the squashfs"
  else
    echo "squashfs files extracted: fwvet $fw_fs, binwalk $bw_fs" \
      "(expected $src_files)"
  fi
  echo "squashfs tree: fwvet $fw_same; binwalk $bw_same"
  echo "'files out' counts everything written, carved content included" \
    "(fwvet: <file>.extracted/, binwalk: _<file>.extracted/)"
} >"$result"
echo
cat "$result"
echo
echo "$prog: results written to $result"
