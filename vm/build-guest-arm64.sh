#!/usr/bin/env bash
#
# Copyright 2026 the kaio authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     https://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
#
# Builds (or reuses) the arm64 test guest: Debian's own arm64 kernel (linux-image-arm64 ->
# linux-image-6.1.0-*-arm64, bookworm), a small initramfs (busybox-static, the kernel modules it
# needs, and the shared libraries of the JVM), and a disk image holding Debian's arm64 JRE
# (openjdk-25-jre-headless from trixie: bookworm has no arm64 JDK >= 22, and this x86_64 host cannot
# jlink an arm64 runtime). Everything comes from Debian's packages, downloaded with a private apt
# configuration (scripts/foreign-apt.sh): this machine's package state is not touched. Booted by
# vm/run-guest-arm64.sh under qemu-system-aarch64 (TCG). See vm/README.md.
#
#   vm/build-guest-arm64.sh [--force] [--quiet]
#
# Environment (all optional):
#   KAIO_VM_CACHE          cache directory (default: vm/.cache)
#   KAIO_VM_KEEP_WORK=1    keep the scratch tree (.cache/work-arm64) after a build
#
# Outputs ($KAIO_VM_CACHE/guest-arm64/): Image (the kernel), initramfs.cpio, jdk.img (ext4, the JRE,
# mounted read-only at /opt/jdk), manifest.txt, stamp, quickstamp. Rebuilt only when an input changed (this
# script, vm/guest-arm64/*, the Debian package versions) or with --force.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${KAIO_VM_CACHE:-$HERE/.cache}
OUT=$CACHE/guest-arm64
FORCE=0
QUIET=0
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    --quiet) QUIET=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build-guest-arm64.sh: unknown argument: $a" >&2; exit 2 ;;
  esac
done
log() { [[ $QUIET == 1 ]] || echo "[build-guest-arm64] $*" >&2; }
die() { echo "[build-guest-arm64] ERROR: $*" >&2; exit 1; }
# shellcheck source=../scripts/foreign-apt.sh
. "$HERE/../scripts/foreign-apt.sh"

# Kernel modules the guest loads (dependencies come from modprobe --show-depends; built-in ones are skipped).
KMODS=(virtio_pci virtio_mmio virtio_blk virtio_rng 9p 9pnet 9pnet_virtio ext4 crc32c_generic)
# The JRE and the packages of the libraries java and libjvm.so link (checked with ld.so --list below).
JRE_PKG=openjdk-25-jre-headless
JRE_DIR=usr/lib/jvm/java-25-openjdk-arm64
TRIXIE_PKGS=("$JRE_PKG" libc6 libgcc-s1 libstdc++6 zlib1g)
# JRE libraries that must resolve (the others, e.g. AWT's, may need libraries the guest lacks).
CORE_LIBS='^(libjvm|libjava|libjimage|libnio|libnet|libzip|libverify|libmanagement|libmanagement_ext|libextnet|libsyslookup|libjsig)\.so$'

export DEBIAN_FRONTEND=noninteractive
PATH=$PATH:/usr/sbin:/sbin

ensure_host_tools() {
  local missing=() pair cmd pkg
  for pair in qemu-system-aarch64:qemu-system-arm qemu-aarch64-static:qemu-user-static cpio:cpio \
              mkfs.ext4:e2fsprogs depmod:kmod modprobe:kmod dpkg-deb:dpkg sha256sum:coreutils; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    log "installing host tools: ${missing[*]}"
    [[ $(id -u) == 0 ]] || die "need root to apt-get install ${missing[*]}"
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
      { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
      die "apt-get install ${missing[*]} failed"
  fi
}
ensure_host_tools

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock-arm64"
flock -w 1800 9 || die "could not lock $CACHE/.lock-arm64"

# ---------------------------------------------------------------- package versions
# pkg=version of each, from one private apt configuration (one apt-cache call: each parses every list)
versions() {
  local out p v
  out=$(foreign_apt apt-cache show --no-all-versions "${@/%/:arm64}" 2>/dev/null |
        awk '/^Package:/ {p=$2} /^Version:/ {print p "=" $2}')
  for p in "$@"; do
    v=$(awk -F= -v p="$p" '$1 == p {print substr($0, length(p) + 2); exit}' <<<"$out")
    [[ -n $v ]] || die "no arm64 package $p in $FOREIGN_APT_DIR (apt-get update failed?)"
    echo "$p=$v"
  done
}
foreign_apt_init "$CACHE/apt-bookworm-arm64" arm64 || die "cannot set up apt for bookworm arm64"
foreign_apt_init "$CACHE/apt-trixie-arm64" arm64 trixie || die "cannot set up apt for trixie arm64"
# Fast path (apt-cache takes seconds per call here): same scripts and unchanged private package lists
# (they are refreshed once a day) => same package versions => nothing to do.
QUICK_HASH=$( { cat "$0" "$HERE/../scripts/foreign-apt.sh"; find "$HERE/guest-arm64" -type f | sort | xargs cat;
                echo "${KMODS[*]} ${TRIXIE_PKGS[*]}";
                stat -c '%n %s %Y' "$CACHE"/apt-{bookworm,trixie}-arm64/lists/*Packages* 2>/dev/null; } |
              sha256sum | cut -c1-32)
if [[ $FORCE == 0 && -f $OUT/quickstamp && $(cat "$OUT/quickstamp") == "$QUICK_HASH" ]] &&
   [[ -f $OUT/Image && -f $OUT/initramfs.cpio && -f $OUT/jdk.img ]]; then
  log "arm64 guest is up to date ($OUT)"
  exit 0
fi
foreign_apt_init "$CACHE/apt-bookworm-arm64" arm64
KPKG=$(foreign_apt apt-cache depends linux-image-arm64:arm64 2>/dev/null |
       awk '$1=="Depends:" && $2 ~ /^linux-image-6\.1\.[0-9]+-[0-9]+-arm64(:arm64)?$/ {sub(/:arm64$/, "", $2); print $2; exit}')
[[ -n $KPKG ]] || die "cannot find the linux-image-6.1.*-arm64 package that linux-image-arm64 depends on"
KVER=${KPKG#linux-image-}
BOOKWORM=$(versions "$KPKG" busybox-static)
foreign_apt_init "$CACHE/apt-trixie-arm64" arm64 trixie
TRIXIE=$(versions "${TRIXIE_PKGS[@]}")

INPUT_HASH=$( { cat "$0" "$HERE/../scripts/foreign-apt.sh"; find "$HERE/guest-arm64" -type f | sort | xargs cat;
                echo "$BOOKWORM $TRIXIE ${KMODS[*]}"; } | sha256sum | cut -c1-32)
if [[ $FORCE == 0 && -f $OUT/stamp && $(cat "$OUT/stamp") == "$INPUT_HASH" ]] &&
   [[ -f $OUT/Image && -f $OUT/initramfs.cpio && -f $OUT/jdk.img ]]; then
  echo "$QUICK_HASH" >"$OUT/quickstamp"
  log "arm64 guest is up to date ($OUT, kernel $KVER)"
  exit 0
fi
T0=$SECONDS
log "building arm64 guest (kernel $KVER, $(grep "^$JRE_PKG=" <<<"$TRIXIE")) in $OUT"

# ---------------------------------------------------------------- download and extract
WORK=$CACHE/work-arm64
rm -rf "$WORK"
mkdir -p "$WORK/kernel" "$WORK/bookworm" "$WORK/trixie" "$WORK/root"
trap '[[ ${KAIO_VM_KEEP_WORK:-0} == 1 ]] || rm -rf "$WORK"' EXIT
DEBS=$CACHE/debs-arm64
foreign_apt_init "$CACHE/apt-bookworm-arm64" arm64
for f in $(foreign_download "$DEBS" $BOOKWORM); do
  if [[ $(basename "$f") == "${KPKG}_"* ]]; then dpkg-deb -x "$f" "$WORK/kernel"; else dpkg-deb -x "$f" "$WORK/bookworm"; fi
done
foreign_apt_init "$CACHE/apt-trixie-arm64" arm64 trixie
for f in $(foreign_download "$DEBS" $TRIXIE); do dpkg-deb -x "$f" "$WORK/trixie"; done
# keep only the versions in use
keep=$(for pv in $BOOKWORM $TRIXIE; do p=${pv%%=*}; v=${pv#*=}; echo "${p}_${v//:/%3a}_"; done)
for f in "$DEBS"/*.deb; do
  grep -qF "$(basename "$f" | sed -E 's/(arm64|all)\.deb$//')" <<<"$keep" || rm -f "$f"
done

R=$WORK/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,lib/aarch64-linux-gnu,etc,proc,sys,dev,tmp,run,root,share,work,opt/jdk}
chmod 1777 "$R/tmp"

# ---------------------------------------------------------------- kernel + modules
KROOT=$WORK/kernel
IMAGE=$KROOT/boot/vmlinuz-$KVER
[[ -f $IMAGE ]] || die "no /boot/vmlinuz-$KVER in $KPKG"
# arm64 kernels are a plain Image (qemu boots it with -kernel); gunzip it if Debian compressed it.
if [[ $(head -c2 "$IMAGE" | od -An -tx1 | tr -d ' ') == 1f8b ]]; then gzip -dc "$IMAGE" >"$WORK/Image"; else cp "$IMAGE" "$WORK/Image"; fi
depmod -b "$KROOT" "$KVER"
declare -A KO=()
for m in "${KMODS[@]}"; do
  out=$(modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>&1) || die "modprobe --show-depends $m: $out"
  while read -r kind path _; do [[ $kind == insmod ]] && KO[$path]=1; done <<<"$out"
done
for path in "${!KO[@]}"; do
  rel=${path#"$KROOT"/}
  mkdir -p "$R/$(dirname "$rel")"
  cp "$path" "$R/$rel"
done
mkdir -p "$R/lib/modules/$KVER"
cp "$KROOT/lib/modules/$KVER"/modules.{builtin,builtin.modinfo,order} "$R/lib/modules/$KVER/"
depmod -b "$R" "$KVER"
log "  kernel $KVER, ${#KO[@]} modules"

# ---------------------------------------------------------------- busybox
cp "$WORK/bookworm/bin/busybox" "$R/bin/busybox"
for app in $(qemu-aarch64-static "$R/bin/busybox" --list); do
  [[ $app == busybox || -e $R/bin/$app ]] || ln -s busybox "$R/bin/$app"
done
ln -sf /bin/busybox "$R/sbin/modprobe"
mknod -m 600 "$R/dev/console" c 5 1
mknod -m 666 "$R/dev/null" c 1 3

# ---------------------------------------------------------------- the JRE and its libraries
T=$WORK/trixie
JH=$T/$JRE_DIR
[[ -x $JH/bin/java ]] || die "no $JRE_DIR/bin/java in $JRE_PKG"
# The JRE's conf files are absolute symlinks into /etc/java-25-openjdk: copy what they point to.
while IFS= read -r -d '' l; do
  t=$(readlink "$l")
  [[ $t == /* ]] || continue
  rm -f "$l"
  if [[ -f $T$t ]]; then cp "$T$t" "$l"; fi   # e.g. lib/security/cacerts (ca-certificates-java) is left out
done < <(find "$JH" -type l -print0)
LDSO=$T/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1
[[ -f $LDSO ]] || die "no ld-linux-aarch64.so.1 in trixie's libc6"
LIBPATH=$T/usr/lib/aarch64-linux-gnu:$JH/lib:$JH/lib/server
declare -A LIBS=()
# ldd-like, with Debian's own arm64 ld.so under qemu-user, restricted to the extracted packages
resolve_libs() {
  local f=$1 required=$2 out line name path
  if ! out=$(qemu-aarch64-static "$LDSO" --inhibit-cache --library-path "$LIBPATH" --list "$f" 2>&1) ||
     grep -q 'not found' <<<"$out"; then
    [[ $required == 1 ]] && die "ld.so --list $f: $out"
    return 0
  fi
  while read -r line; do
    case "$line" in
      *"=> "*)
        name=${line%% =>*}; path=${line#*=> }; path=${path% (*}
        [[ $path == "$T"/* ]] || die "$f: $name resolved outside the packages: $path"
        [[ $path == "$JH"/* || $name == */* ]] || LIBS[$name]=$path ;;   # (the loader itself: copied below)
    esac
  done <<<"$out"
}
resolve_libs "$JH/bin/java" 1
while IFS= read -r -d '' f; do
  if [[ $(basename "$f") =~ $CORE_LIBS ]]; then resolve_libs "$f" 1; else resolve_libs "$f" 0; fi
done < <(find "$JH/lib" -name '*.so' -print0)
for name in "${!LIBS[@]}"; do cp -L "${LIBS[$name]}" "$R/lib/aarch64-linux-gnu/$name"; done
cp -L "$LDSO" "$R/lib/ld-linux-aarch64.so.1"
printf '/lib/aarch64-linux-gnu\n' >"$R/etc/ld.so.conf"
log "  JRE $(grep "^$JRE_PKG=" <<<"$TRIXIE" | cut -d= -f2), ${#LIBS[@]} shared libraries"

# Check that this JRE starts with exactly these libraries (under qemu-user: no AIO there, but java runs).
mkdir -p "$R/opt/jdk"
JV=$(qemu-aarch64-static -L "$R" "$JH/bin/java" -Xshare:auto -version 2>&1) || die "java -version fails with the guest's libraries: $JV"

# ---------------------------------------------------------------- /etc, /init
cat >"$R/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
printf '127.0.0.1\tlocalhost kaio-guest-arm64\n' >"$R/etc/hosts"
ln -sf /proc/self/mounts "$R/etc/mtab"
install -m 0755 "$HERE/guest-arm64/init" "$R/init"

# ---------------------------------------------------------------- outputs
NEW=$CACHE/guest-arm64.new
rm -rf "$NEW"; mkdir -p "$NEW"
(cd "$R" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
  cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) >"$NEW/initramfs.cpio"
cp "$WORK/Image" "$NEW/Image"
# the JRE on its own ext4 image (read-only in the guest): keeps the initramfs small, so boot is fast
size_mb=$(( $(du -sm "$JH" | cut -f1) * 12 / 10 + 32 ))
mkfs.ext4 -q -F -L kaio-jdk -d "$JH" -E root_owner=0:0 "$NEW/jdk.img" "${size_mb}M" >/dev/null || die "mkfs.ext4 -d of the JRE failed"
{
  echo "built: $(date -u +%FT%TZ)"
  echo "kernel: $KVER"
  echo "java: $(head -1 <<<"$JV")"
  echo "kernel modules: $(cd "$R/lib/modules/$KVER" && find . -name '*.ko*' | sed 's,.*/,,; s,\.ko.*$,,' | sort | tr '\n' ' ')"
  echo "libraries: $(printf '%s\n' "${!LIBS[@]}" | sort | tr '\n' ' ')"
  echo "packages (bookworm arm64):"; sed 's/^/  /' <<<"$BOOKWORM"
  echo "packages (trixie arm64):"; sed 's/^/  /' <<<"$TRIXIE"
  echo "initramfs bytes: $(stat -c %s "$NEW/initramfs.cpio"), jdk.img bytes: $(stat -c %s "$NEW/jdk.img")"
} >"$NEW/manifest.txt"
echo "$INPUT_HASH" >"$NEW/stamp"
echo "$QUICK_HASH" >"$NEW/quickstamp"
rm -rf "$OUT"; mv "$NEW" "$OUT"
log "done in $((SECONDS - T0)) s: $OUT ($(du -sh "$OUT/initramfs.cpio" | cut -f1) initramfs, $(du -sh "$OUT/jdk.img" | cut -f1) jdk.img)"
