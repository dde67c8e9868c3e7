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
# Builds (or reuses) a small bootable Linux guest for NFS tests: Debian's own kernel
# (linux-image-amd64 -> linux-image-6.1.0-*-amd64), an initramfs made only from Debian packages
# (busybox-static, rpcbind, nfs-common, nfs-kernel-server and the shared libraries they need) plus
# a jlink'd runtime of the host JDK. See vm/README.md.
#
#   vm/build-guest.sh [--force] [--quiet]
#
# Environment (all optional):
#   KAIO_VM_CACHE          cache directory (default: vm/.cache)
#   KAIO_VM_JDK            JDK used for jlink (default: /usr/lib/jvm/temurin-25-jdk-amd64)
#   KAIO_VM_JAVA_MODULES   comma-separated modules for the guest runtime (default: see below)
#   KAIO_VM_KEEP_WORK=1    keep the scratch tree (.cache/work) after a build
#
# Outputs ($KAIO_VM_CACHE/guest/): vmlinuz (bzImage), vmlinux (same kernel, uncompressed ELF for
# qemu's PVH boot), initramfs.cpio (uncompressed), manifest.txt, stamp.
# Rebuilds only when an input changed (this script, vm/guest/*, Debian package versions, JDK
# release, module lists) or with --force.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${KAIO_VM_CACHE:-$HERE/.cache}
JDK=${KAIO_VM_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA_MODULES=${KAIO_VM_JAVA_MODULES:-java.base,java.compiler,java.instrument,java.logging,java.management,java.naming,java.scripting,java.sql,java.xml,jdk.attach,jdk.jfr,jdk.management,jdk.management.jfr,jdk.unsupported,jdk.zipfs}
FORCE=0
QUIET=0
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    --quiet) QUIET=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "build-guest.sh: unknown argument: $a" >&2; exit 2 ;;
  esac
done

log() { [[ $QUIET == 1 ]] || echo "[build-guest] $*" >&2; }
die() { echo "[build-guest] ERROR: $*" >&2; exit 1; }

# Kernel modules the guest loads at boot (dependencies and soft dependencies are added from the
# kernel's own modules.dep / modinfo via `modprobe --show-depends`).
KMODS=(virtio_pci virtio_blk virtio_rng virtio_console 9p 9pnet 9pnet_virtio ext4 loop
       sunrpc grace lockd auth_rpcgss nfs_acl nfs nfsv3 nfsv4 nfsd
       crc32c_generic crc32c_intel crc32_pclmul libcrc32c)
# NFS userspace programs taken from the Debian packages (path inside the package).
NFS_BINS=(/sbin/rpcbind /usr/bin/rpcinfo /sbin/rpc.statd /sbin/sm-notify /sbin/mount.nfs
          /sbin/showmount /usr/sbin/exportfs /usr/sbin/rpc.mountd /usr/sbin/rpc.nfsd
          /usr/sbin/nfsstat /usr/sbin/nfsconf)
# Debian packages whose files (not only libraries) go into the guest.
TOP_PKGS=(busybox-static rpcbind nfs-common nfs-kernel-server netbase libtirpc-common libc6 zlib1g)
# Never download these (alternatives of a dependency that would shadow the real library).
EXCLUDE_PKGS='^(libelogind0)$'

export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- host tools
ensure_host_tools() {
  local missing=() pair cmd pkg
  for pair in qemu-system-x86_64:qemu-system-x86 cpio:cpio mkfs.ext4:e2fsprogs depmod:kmod \
              modprobe:kmod xz:xz-utils dpkg-deb:dpkg ldconfig:libc-bin sha256sum:coreutils; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    if ! command -v "$cmd" >/dev/null 2>&1 && [[ ! -x /sbin/$cmd && ! -x /usr/sbin/$cmd ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]})); then
    log "installing host tools: ${missing[*]}"
    [[ $(id -u) == 0 ]] || die "need root to apt-get install ${missing[*]}"
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
      { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
      die "apt-get install ${missing[*]} failed"
  fi
  [[ -x $JDK/bin/jlink ]] || die "no jlink in KAIO_VM_JDK=$JDK"
}
PATH=$PATH:/usr/sbin:/sbin
ensure_host_tools

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock -w 1800 9 || die "could not lock $CACHE/.lock"

OUT=$CACHE/guest
JDK_ID=$(sha256sum "$JDK/release" | cut -c1-16)
have_outputs() { [[ -f $OUT/stamp && -f $OUT/vmlinuz && -f $OUT/vmlinux && -f $OUT/initramfs.cpio ]]; }
# Fast path (apt-cache takes seconds here): same scripts, JDK, module lists and unchanged apt
# package lists/sources => same package versions => nothing to do.
QUICK_HASH=$( { cat "$0"; find "$HERE/guest" -type f | sort | xargs cat; echo "$JDK $JDK_ID $JAVA_MODULES";
                echo "${KMODS[*]} ${NFS_BINS[*]}";
                stat -c '%n %s %Y' /var/lib/apt/lists/*Packages* /etc/apt/sources.list* \
                  /etc/apt/sources.list.d/* /etc/apt/preferences* 2>/dev/null; } | sha256sum | cut -c1-32)
if [[ $FORCE == 0 ]] && have_outputs && [[ -f $OUT/quickstamp && $(cat "$OUT/quickstamp") == "$QUICK_HASH" ]]; then
  log "guest is up to date ($OUT)"
  exit 0
fi

# ---------------------------------------------------------------- package set and versions
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
       awk '$1=="Depends:" && $2 ~ /^linux-image-6\.1\.[0-9]+-[0-9]+-amd64$/ {print $2; exit}')
[[ -n $KPKG ]] || die "cannot find the linux-image-6.1.*-amd64 package that linux-image-amd64 depends on (apt-get update?)"
KVER=${KPKG#linux-image-}

# Closure of Depends/PreDepends of the top packages, restricted to shared-library packages (the
# programs need only their libraries, not perl/python/adduser/... which they also depend on).
mapfile -t LIBPKGS < <(apt-cache depends --recurse --no-recommends --no-suggests --no-enhances \
    --no-breaks --no-replaces --no-conflicts "${TOP_PKGS[@]}" 2>/dev/null |
  awk '/^[a-z0-9]/ {print $1}' | grep -E '^lib' | grep -vE -- '-(perl|java)$|^libpython|^libperl' |
  grep -vE "$EXCLUDE_PKGS" | sort -u)
ALLPKGS=("$KPKG" "${TOP_PKGS[@]}" "${LIBPKGS[@]}")
mapfile -t ALLPKGS < <(printf '%s\n' "${ALLPKGS[@]}" | sort -u)

# pkg=version=arch for each (candidate versions of the configured apt sources).
PKGVERS=$(apt-cache show --no-all-versions "${ALLPKGS[@]}" 2>/dev/null |
  awk '/^Package:/{p=$2} /^Version:/{v=$2} /^Architecture:/{a=$2} /^$/{ if (p!="") print p"="v"="a; p=""}
       END{ if (p!="") print p"="v"="a }' | sort -u) || true
missing=$(comm -23 <(printf '%s\n' "${ALLPKGS[@]}") <(sed 's/=.*//' <<<"$PKGVERS" | sort -u))
[[ -z $missing ]] || die "apt-cache show does not know: $missing (apt-get update?)"

INPUT_HASH=$( { cat "$0"; find "$HERE/guest" -type f | sort | xargs cat; echo "$PKGVERS";
                echo "$JDK $JDK_ID $JAVA_MODULES"; echo "${KMODS[*]} ${NFS_BINS[*]}"; } | sha256sum | cut -c1-32)

if [[ $FORCE == 0 ]] && have_outputs && [[ $(cat "$OUT/stamp") == "$INPUT_HASH" ]]; then
  echo "$QUICK_HASH" >"$OUT/quickstamp"
  log "guest is up to date ($OUT, kernel $KVER)"
  exit 0
fi
T0=$SECONDS
log "building guest (kernel $KVER) in $OUT"

# ---------------------------------------------------------------- download .debs (cached)
DEBS=$CACHE/debs
mkdir -p "$DEBS"
chown _apt: "$DEBS" 2>/dev/null || true   # lets apt download sandboxed (no warning)
deb_file() { local p=${1%%=*} r=${1#*=}; local v=${r%%=*} a=${r#*=}; echo "$DEBS/${p}_${v//:/%3a}_${a}.deb"; }
need=()
while read -r pva; do
  [[ -f $(deb_file "$pva") ]] || need+=("${pva%=*}")
done <<<"$PKGVERS"
if ((${#need[@]})); then
  log "apt-get download ${#need[@]} package(s)"
  (cd "$DEBS" && apt-get download -q "${need[@]}" >/dev/null) ||
    die "apt-get download failed (stale package lists? try apt-get update): ${need[*]}"
fi
while read -r pva; do [[ -f $(deb_file "$pva") ]] || die "missing $(deb_file "$pva") after download"; done <<<"$PKGVERS"
# Drop stale versions of our packages (keeps the cache small).
for f in "$DEBS"/*.deb; do
  keep=0
  while read -r pva; do [[ $f == "$(deb_file "$pva")" ]] && { keep=1; break; }; done <<<"$PKGVERS"
  [[ $keep == 1 ]] || rm -f "$f"
done

# ---------------------------------------------------------------- scratch tree
WORK=$CACHE/work
rm -rf "$WORK"
mkdir -p "$WORK/pkg" "$WORK/kernel" "$WORK/root"
trap '[[ ${KAIO_VM_KEEP_WORK:-0} == 1 ]] || rm -rf "$WORK"' EXIT

log "extracting packages"
while read -r pva; do
  p=${pva%%=*}
  if [[ $p == "$KPKG" ]]; then
    dpkg-deb -x "$(deb_file "$pva")" "$WORK/kernel"
  else
    dpkg-deb -x "$(deb_file "$pva")" "$WORK/pkg"
  fi
done <<<"$PKGVERS"

R=$WORK/root
P=$WORK/pkg
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,lib/x86_64-linux-gnu,lib64,etc,proc,sys,dev,tmp,run,root,share,export,mnt/nfs3,mnt/nfs4,opt}
mkdir -p "$R"/var/lib/nfs/{sm,sm.bak,rpc_pipefs,v4recovery} "$R/var/tmp" "$R/var/run"
chmod 1777 "$R/tmp" "$R/var/tmp"

# ---------------------------------------------------------------- kernel + modules
KROOT=$WORK/kernel
cp "$KROOT/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
# The uncompressed ELF vmlinux (the kernel has CONFIG_PVH=y) lets qemu boot it directly through the
# PVH entry point: no firmware real-mode boot and no in-guest xz decompression (~2.5 s less per boot
# under TCG). The bzImage's payload is one xz stream.
extract_vmlinux() {
  local off
  for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | cut -d: -f1); do
    { tail -c +$((off + 1)) "$1" | xz -dc --single-stream >"$2"; } 2>/dev/null || true
    [[ $(head -c4 "$2" | od -An -c | tr -d ' ') == 177ELF ]] && return 0
  done
  return 1
}
extract_vmlinux "$WORK/vmlinuz" "$WORK/vmlinux" || die "cannot extract vmlinux from vmlinuz-$KVER"
log "resolving kernel modules with depmod/modprobe --show-depends"
depmod -b "$KROOT" "$KVER"
declare -A KO=()
for m in "${KMODS[@]}"; do
  out=$(modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>&1) || die "modprobe --show-depends $m: $out"
  while read -r kind path _; do
    [[ $kind == insmod ]] && KO[$path]=1
  done <<<"$out"
done
for path in "${!KO[@]}"; do
  rel=${path#"$KROOT"/}
  mkdir -p "$R/$(dirname "$rel")"
  cp "$path" "$R/$rel"
done
cp "$KROOT/lib/modules/$KVER"/modules.{builtin,builtin.modinfo,order} "$R/lib/modules/$KVER/"
depmod -b "$R" "$KVER"
log "  ${#KO[@]} modules"

# ---------------------------------------------------------------- busybox
cp "$P/bin/busybox" "$R/bin/busybox"
for app in $("$R/bin/busybox" --list); do
  [[ $app == busybox ]] && continue
  [[ -e $R/bin/$app ]] || ln -s busybox "$R/bin/$app"
done
ln -sf /bin/busybox "$R/sbin/modprobe"   # the kernel's request_module() helper path
mknod -m 600 "$R/dev/console" c 5 1
mknod -m 666 "$R/dev/null" c 1 3

# ---------------------------------------------------------------- NFS programs + libraries
LDSO=$P/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
[[ -x $LDSO ]] || die "no ld.so in libc6 package"
LIBPATH=$P/lib/x86_64-linux-gnu:$P/usr/lib/x86_64-linux-gnu
declare -A LIBS=()
# ldd-like resolution with Debian's own ld.so restricted to the extracted packages; a library
# that is not in the extracted packages (found on the host or not at all) is an error.
resolve_libs() {
  local f=$1 out line name path
  out=$("$LDSO" --inhibit-cache --library-path "$LIBPATH:$JRT/lib:$JRT/lib/server" --list "$f" 2>&1) || die "ld.so --list $f failed: $out"
  while read -r line; do
    case "$line" in
      *"=> not found"*) die "$f needs ${line%% *} which is not in the extracted packages" ;;
      *"=> "*)
        name=${line%% =>*}; path=${line#*=> }; path=${path% (*}
        [[ $path == "$P"/* || $path == "$JRT"/* ]] || die "$f: $name resolved outside the packages: $path"
        [[ $path == "$JRT"/* || $name == */* ]] || LIBS[$name]=$path ;;
    esac
  done <<<"$out"
}
JRT=/nonexistent
for b in "${NFS_BINS[@]}"; do
  [[ -f $P$b ]] || die "$b not found in the NFS packages"
  mkdir -p "$R$(dirname "$b")"
  cp -a "$P$b" "$R$b"
  resolve_libs "$P$b"
done
for l in mount.nfs4 umount.nfs umount.nfs4; do ln -sf mount.nfs "$R/sbin/$l"; done

# ---------------------------------------------------------------- JDK runtime (jlink, cached)
JLINK_KEY=$(echo "$JDK_ID $JAVA_MODULES" | sha256sum | cut -c1-16)
JRT=$CACHE/jdk-$JLINK_KEY
if [[ ! -x $JRT/bin/java ]]; then
  log "jlink: $JAVA_MODULES"
  rm -rf "$CACHE"/jdk-* "$JRT.tmp"
  "$JDK/bin/jlink" --add-modules "$JAVA_MODULES" --strip-debug --no-man-pages --no-header-files \
    --generate-cds-archive --output "$JRT.tmp" >/dev/null
  # only used with heaps > 32 GB (no compressed oops); the guest has less RAM
  rm -f "$JRT.tmp/lib/server/classes_nocoops.jsa"
  mv "$JRT.tmp" "$JRT"
fi
while IFS= read -r -d '' f; do
  if [[ $(head -c4 "$f" | od -An -c | tr -d ' ') == 177ELF ]]; then resolve_libs "$f"; fi
done < <(find "$JRT" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0)
cp -a "$JRT" "$R/opt/jdk"

# copy the resolved libraries (real files under their SONAME) and the dynamic loader
for name in "${!LIBS[@]}"; do
  cp -L "${LIBS[$name]}" "$R/lib/x86_64-linux-gnu/$name"
done
cp -L "$LDSO" "$R/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
ln -sf /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$R/lib64/ld-linux-x86-64.so.2"
log "  ${#LIBS[@]} shared libraries"

# ---------------------------------------------------------------- /etc
cp "$P/etc/netconfig" "$R/etc/netconfig"                       # libtirpc-common
for f in services protocols rpc; do cp "$P/etc/$f" "$R/etc/$f"; done   # netbase
cat >"$R/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
_rpc:x:100:65534::/run/rpcbind:/usr/sbin/nologin
statd:x:101:65534::/var/lib/nfs:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$R/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nprotocols: files\nservices: files\nrpc: files\n' >"$R/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost kaio-guest\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$R/etc/hosts"
echo kaio-guest >"$R/etc/hostname"
ln -sf /proc/self/mounts "$R/etc/mtab"
printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' >"$R/etc/ld.so.conf"
: >"$R/etc/exports"   # written by /init
cat >"$R/etc/nfs.conf" <<'EOF'
[nfsd]
threads=8
[mountd]
manage-gids=n
EOF
ldconfig -r "$R"

# ---------------------------------------------------------------- guest scripts
install -m 0755 "$HERE/guest/init" "$R/init"
for f in "$HERE"/guest/bin/*; do install -m 0755 "$f" "$R/usr/local/bin/$(basename "$f")"; done

# ---------------------------------------------------------------- verify inside the tree
log "verifying dynamic linking inside the guest tree (chroot)"
for b in "${NFS_BINS[@]}" /opt/jdk/bin/java /opt/jdk/lib/server/libjvm.so; do
  out=$(chroot "$R" /lib64/ld-linux-x86-64.so.2 --list "$b" 2>&1) || die "in guest tree: ld.so --list $b: $out"
  grep -q 'not found' <<<"$out" && die "in guest tree: $b: $out"
done
# (explicit loader: $ORIGIN needs /proc/self/exe, which the chroot lacks)
chroot "$R" /lib64/ld-linux-x86-64.so.2 /opt/jdk/bin/java -version >/dev/null 2>&1 || die "java -version fails inside the guest tree"

# ---------------------------------------------------------------- initramfs
log "writing initramfs"
NEW=$CACHE/guest.new
rm -rf "$NEW"; mkdir -p "$NEW"
(cd "$R" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
  cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) >"$NEW/initramfs.cpio"
cp "$WORK/vmlinuz" "$WORK/vmlinux" "$NEW/"
{
  echo "built: $(date -u +%FT%TZ)"
  echo "kernel: $KVER"
  echo "jdk: $JDK ($(grep JAVA_RUNTIME_VERSION "$JDK/release" | cut -d'"' -f2))"
  echo "java modules: $JAVA_MODULES"
  echo "kernel modules: $(cd "$R/lib/modules/$KVER" && find . -name '*.ko' | sed 's,.*/,,; s,\.ko$,,' | sort | tr '\n' ' ')"
  echo "libraries: $(printf '%s\n' "${!LIBS[@]}" | sort | tr '\n' ' ')"
  echo "packages:"; sed 's/^/  /' <<<"$PKGVERS"
  echo "initramfs bytes: $(stat -c %s "$NEW/initramfs.cpio")"
} >"$NEW/manifest.txt"
echo "$INPUT_HASH" >"$NEW/stamp"
echo "$QUICK_HASH" >"$NEW/quickstamp"
rm -rf "$OUT"; mv "$NEW" "$OUT"
log "done in $((SECONDS - T0)) s: $OUT ($(du -sh "$OUT/initramfs.cpio" | cut -f1) initramfs)"
