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
# Regenerates the jextract bindings in src/main/java/dev/kaio/internal/linux from
# native-headers/kaio_linux.h, for every architecture kaio supports (x86_64, aarch64), with the same
# header and include list. The output is committed; run this only when the header or the include
# list below changes, then run the tests (LayoutTest compares every layout and constant with gcc,
# for each architecture).
#
# What it writes:
#   LinuxH, LinuxH$shared, the struct classes   what is the same on every architecture
#   LinuxX86_64, LinuxAarch64 (+ $shared)        only the constants whose values differ
# Hand-written code reaches the second kind only through dev.kaio.internal.sys.ArchConstants.
# It fails if a struct layout differs between the architectures (kaio shares one set of struct
# classes), and says which constants differ.
#
# The architecture of this machine is generated from its own headers; the other one with clang's
# --target and a --sysroot of Debian's headers for it (linux-libc-dev and libc6-dev of that
# architecture, downloaded with a private apt configuration: scripts/foreign-apt.sh; cached in
# $KAIO_JEXTRACT_CACHE, default ~/.cache/kaio-jextract).
#
# jextract is not shipped with the JDK and is in no package registry: build it from
# https://github.com/openjdk/jextract (branch master matches JDK 25) and put it on PATH, or point
# JEXTRACT at its launcher.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd -P)

JEXTRACT="${JEXTRACT:-$(command -v jextract || true)}"
if [[ -z "$JEXTRACT" || ! -x "$JEXTRACT" ]]; then
  echo "jextract.sh: no jextract found; set JEXTRACT=/path/to/jextract or put jextract on PATH" >&2
  exit 1
fi
die() { echo "jextract.sh: $*" >&2; exit 1; }

PKG=dev.kaio.internal.linux
OUT=src/main/java
DIR="$OUT/${PKG//.//}"
HEADER=native-headers/kaio_linux.h
CACHE=${KAIO_JEXTRACT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaio-jextract}

# kaio's name for the architecture | Debian's | clang's target | the class of its constants
ARCHES=(
  "x86_64|amd64|x86_64-linux-gnu|LinuxX86_64"
  "aarch64|arm64|aarch64-linux-gnu|LinuxAarch64"
)

# Exactly what the engine uses: structs, and constants. No functions: every call kaio makes is linked
# by hand in dev.kaio.internal.sys, because jextract cannot add captureCallState("errno").
STRUCTS=(iocb io_event iovec statx statx_timestamp kaio_aio_ring flock timespec pollfd)
CONSTANTS=(
  # <linux/aio_abi.h>
  IOCB_CMD_PREAD IOCB_CMD_PWRITE IOCB_CMD_FSYNC IOCB_CMD_FDSYNC IOCB_CMD_POLL IOCB_CMD_NOOP
  IOCB_CMD_PREADV IOCB_CMD_PWRITEV IOCB_FLAG_RESFD IOCB_FLAG_IOPRIO
  # <linux/fs.h>
  RWF_HIPRI RWF_DSYNC RWF_SYNC RWF_NOWAIT RWF_APPEND RWF_SUPPORTED
  BLKSSZGET BLKPBSZGET BLKGETSIZE64 BLKIOMIN BLKIOOPT
  # <linux/ioprio.h>
  IOPRIO_CLASS_NONE IOPRIO_CLASS_RT IOPRIO_CLASS_BE IOPRIO_CLASS_IDLE IOPRIO_CLASS_SHIFT
  # <asm/unistd.h> via <sys/syscall.h>
  __NR_io_setup __NR_io_destroy __NR_io_submit __NR_io_getevents __NR_io_cancel __NR_io_pgetevents
  # <fcntl.h>, <sys/stat.h>, <linux/stat.h>
  O_RDONLY O_WRONLY O_RDWR O_CREAT O_EXCL O_TRUNC O_APPEND O_DIRECT O_DSYNC O_SYNC O_CLOEXEC
  O_NONBLOCK O_NOATIME O_NOFOLLOW O_DIRECTORY AT_FDCWD AT_EMPTY_PATH AT_STATX_SYNC_AS_STAT
  F_OFD_SETLK F_OFD_SETLKW F_OFD_GETLK F_RDLCK F_WRLCK F_UNLCK SEEK_SET
  LOCK_SH LOCK_EX LOCK_NB LOCK_UN
  S_IFMT S_IFREG S_IFDIR S_IFBLK
  STATX_TYPE STATX_MODE STATX_SIZE STATX_BASIC_STATS STATX_DIOALIGN
  # <sys/eventfd.h>, <poll.h>, <limits.h>
  EFD_CLOEXEC EFD_NONBLOCK EFD_SEMAPHORE
  POLLIN POLLPRI POLLOUT POLLERR POLLHUP POLLRDNORM
  IOV_MAX
  # <errno.h>
  EPERM ENOENT EINTR EIO ENXIO EBADF EAGAIN ENOMEM EACCES EFAULT EBUSY EEXIST ENODEV ENOTDIR
  EISDIR EINVAL ENFILE EMFILE ENOTTY EFBIG ENOSPC ESPIPE EROFS ENOSYS EOPNOTSUPP ECANCELED
  EINPROGRESS EALREADY ETIMEDOUT EDQUOT EOVERFLOW ENOTBLK EXDEV ENOLCK EWOULDBLOCK
  # kaio_linux.h (KAIO-OWN)
  KAIO_AIO_RING_MAGIC KAIO_AIO_RING_COMPAT_FEATURES KAIO_AIO_RING_INCOMPAT_FEATURES
)
ALL_CONSTANTS=()
for c in "${CONSTANTS[@]}"; do [[ "$c" == \#* ]] || ALL_CONSTANTS+=("$c"); done

TMP=$(mktemp -d /tmp/kaio-jextract.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# clang flags for one architecture: its target, and a sysroot of Debian's headers unless it is
# this machine's own architecture (jextract reads them from compile_flags.txt in its working dir).
HOST_ARCH=$(uname -m)
clang_flags() {
  local name=$1 deb=$2 target=$3 sysroot
  echo "--target=$target"
  [[ $name == "$HOST_ARCH" ]] && return 0
  sysroot=$CACHE/sysroot-$deb
  if [[ ! -f $sysroot/.complete ]]; then
    echo "jextract.sh: fetching Debian's $deb headers (linux-libc-dev, libc6-dev) into $sysroot" >&2
    # shellcheck source=scripts/foreign-apt.sh
    . "$ROOT/scripts/foreign-apt.sh"
    foreign_apt_init "$CACHE/apt-$deb" "$deb" >&2
    rm -rf "$sysroot"; mkdir -p "$sysroot"
    local f
    for f in $(foreign_download "$CACHE/debs-$deb" linux-libc-dev libc6-dev); do
      dpkg-deb -x "$f" "$sysroot"
      echo "jextract.sh:   $(basename "$f")" >&2
    done
    touch "$sysroot/.complete"
  fi
  echo "--sysroot=$sysroot"
}

# run_jextract ARCH_ENTRY OUTDIR HEADER_CLASS INCLUDE_STRUCTS(0|1) CONSTANT...
run_jextract() {
  local entry=$1 out=$2 cls=$3 structs=$4; shift 4
  local name deb target _ work args=() s c
  IFS='|' read -r name deb target _ <<<"$entry"
  work=$TMP/work-$name
  mkdir -p "$work" "$out"
  clang_flags "$name" "$deb" "$target" >"$work/compile_flags.txt"
  args=(--output "$out" --target-package "$PKG" --header-class-name "$cls")
  if [[ $structs == 1 ]]; then for s in "${STRUCTS[@]}"; do args+=(--include-struct "$s"); done; fi
  for c in "$@"; do args+=(--include-constant "$c"); done
  (cd "$work" && "$JEXTRACT" "${args[@]}" "$ROOT/$HEADER")
}

# name=value of every constant in a generated header class
constant_values() {
  sed -nE 's/^ *private static final (int|long) ([A-Za-z_0-9]+) = (.*);$/\2=\3/p' "$1" | sort
}

# 1. Everything for every architecture: which constants differ?
for entry in "${ARCHES[@]}"; do
  name=${entry%%|*}
  run_jextract "$entry" "$TMP/full-$name" LinuxH 1 "${ALL_CONSTANTS[@]}"
  constant_values "$TMP/full-$name/${PKG//.//}/LinuxH.java" >"$TMP/values-$name"
  [[ $(wc -l <"$TMP/values-$name") == "${#ALL_CONSTANTS[@]}" ]] ||
    die "$name: jextract produced $(wc -l <"$TMP/values-$name") of ${#ALL_CONSTANTS[@]} constants"
done
first=${ARCHES[0]%%|*}
declare -A DIFFERS=()
for entry in "${ARCHES[@]:1}"; do
  name=${entry%%|*}
  while IFS='=' read -r c _; do DIFFERS[$c]=1; done < <(comm -3 "$TMP/values-$first" "$TMP/values-$name" | sed 's/^\t//')
done
ARCH_CONSTANTS=(); SHARED_CONSTANTS=()
for c in "${ALL_CONSTANTS[@]}"; do
  if [[ -n ${DIFFERS[$c]:-} ]]; then ARCH_CONSTANTS+=("$c"); else SHARED_CONSTANTS+=("$c"); fi
done

# 2. The shared part (structs and equal constants) must come out identical for every architecture.
for entry in "${ARCHES[@]}"; do
  name=${entry%%|*}
  run_jextract "$entry" "$TMP/shared-$name" LinuxH 1 "${SHARED_CONSTANTS[@]}"
done
for entry in "${ARCHES[@]:1}"; do
  name=${entry%%|*}
  if ! diff -r -u "$TMP/shared-$first" "$TMP/shared-$name" >"$TMP/shared.diff"; then
    cat "$TMP/shared.diff" >&2
    die "the struct layouts (or shared classes) of $first and $name differ (diff above): kaio shares one set of struct classes, so this needs a per-architecture layout first"
  fi
done

# 3. Write: the shared classes, then each architecture's own constants.
rm -rf "$DIR"
mkdir -p "$DIR"
cp "$TMP/shared-$first/${PKG//.//}"/*.java "$DIR/"
for entry in "${ARCHES[@]}"; do
  IFS='|' read -r name _ _ cls <<<"$entry"
  run_jextract "$entry" "$TMP/arch-$name" "$cls" 0 "${ARCH_CONSTANTS[@]}"
  cp "$TMP/arch-$name/${PKG//.//}"/*.java "$DIR/"
done

# Mark every generated file so that tools (and people) leave it alone.
for f in "$DIR"/*.java; do
  { echo "// GENERATED by jextract.sh from $HEADER - do not edit; run ./jextract.sh to regenerate."
    cat "$f"; } > "$f.tmp" && mv "$f.tmp" "$f"
done
cat > "$DIR/package-info.java" <<'JAVA'
// GENERATED by jextract.sh - do not edit; run ./jextract.sh to regenerate.
/**
 * GENERATED by jextract from native-headers/kaio_linux.h, once per architecture: the layouts of
 * struct iocb, io_event, iovec, statx, flock, timespec and the kernel's aio ring header, and the
 * constants kaio uses. {@code LinuxH} and the struct classes are the same on x86_64 and aarch64;
 * {@code LinuxX86_64} and {@code LinuxAarch64} hold the constants that differ (system call numbers,
 * some open flags), which the rest of kaio reads only through
 * {@code dev.kaio.internal.sys.ArchConstants}. Not exported by the dev.kaio module; LayoutTest checks
 * every layout and constant against gcc for each architecture.
 */
package dev.kaio.internal.linux;
JAVA
echo "jextract.sh: regenerated $(ls "$DIR"/*.java | wc -l) files in $DIR with $("$JEXTRACT" --version 2>&1 | head -1)"
echo "jextract.sh: ${#SHARED_CONSTANTS[@]} constants shared; per architecture (${#ARCH_CONSTANTS[@]}):"
for c in "${ARCH_CONSTANTS[@]}"; do
  line="  $c"
  for entry in "${ARCHES[@]}"; do
    name=${entry%%|*}
    line+=" $name=$(sed -n "s/^$c=//p" "$TMP/values-$name")"
  done
  echo "$line"
done
