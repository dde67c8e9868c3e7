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
# Boots the kaio arm64 test guest (built by vm/build-guest-arm64.sh) with qemu-system-aarch64 (TCG),
# shares SHARE_DIR with it over virtio-9p (guest path /share), waits until the guest powers off, and
# exits with the exit code of SHARE_DIR/run.sh as the guest wrote it to SHARE_DIR/exit-code. The
# same interface as vm/run-guest.sh (see vm/README.md), without NFS; the guest also has
#   /opt/jdk        Debian's arm64 JRE 25 (read-only ext4 disk)
#   /work           a fresh ext4 virtio disk (KAIO_VM_WORK_SIZE, default 1G; O_DIRECT works here)
#   /dev/kaio-raw   a fresh raw virtio disk (KAIO_VM_RAW_SIZE, default 64M) for block-device tests
# and writes SHARE_DIR/guest-machine.txt (uname -m: aarch64).
#
#   vm/run-guest-arm64.sh SHARE_DIR
#
# Environment (all optional):
#   KAIO_VM_TIMEOUT=900        seconds for the whole boot-run-poweroff (run.sh gets this minus 60)
#   KAIO_VM_CPUS=2             vCPUs
#   KAIO_VM_MEM=2560           guest RAM in MiB
#   KAIO_VM_LBS=512            logical/physical block size of the work and raw disks (512 or 4096)
#   KAIO_VM_TCG_THREAD=multi   multi: one host thread per vCPU; single: one for all (slower)
#   KAIO_VM_ARM_CPU=max,pauth-impdef=on   qemu -cpu model (plain max emulates pointer
#                              authentication with the architected algorithm: about 3x slower)
#   KAIO_VM_QUIET=0            1: do not stream the guest console to stderr
#   KAIO_VM_SKIP_BUILD=0       1: do not call build-guest-arm64.sh first (a no-op when cached)
#   KAIO_VM_CACHE              cache directory (default vm/.cache), as for build-guest-arm64.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${KAIO_VM_CACHE:-$HERE/.cache}
die() { echo "[run-guest-arm64] ERROR: $*" >&2; exit 2; }
log() { echo "[run-guest-arm64] $*" >&2; }

[[ $# == 1 ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
[[ -d $1 ]] || die "SHARE_DIR $1 is not a directory"
SHARE=$(cd "$1" && pwd -P)
[[ -f $SHARE/run.sh ]] || die "$SHARE/run.sh does not exist"

TIMEOUT=${KAIO_VM_TIMEOUT:-900}
CPUS=${KAIO_VM_CPUS:-2}
MEM=${KAIO_VM_MEM:-2560}
WORK_SIZE=${KAIO_VM_WORK_SIZE:-1G}
RAW_SIZE=${KAIO_VM_RAW_SIZE:-64M}
LBS=${KAIO_VM_LBS:-512}
TCG_THREAD=${KAIO_VM_TCG_THREAD:-multi}
CPU_MODEL=${KAIO_VM_ARM_CPU:-max,pauth-impdef=on}
QUIET=${KAIO_VM_QUIET:-0}
LOG=$SHARE/console.log
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -ge 60 ]] || die "KAIO_VM_TIMEOUT must be an integer >= 60"
[[ $CPUS =~ ^[1-8]$ ]] || die "KAIO_VM_CPUS must be 1 to 8"
[[ $SHARE != *,* ]] || die "SHARE_DIR must not contain a comma (qemu option syntax)"
GUEST_TIMEOUT=$((TIMEOUT - 60))

if [[ ${KAIO_VM_SKIP_BUILD:-0} != 1 ]]; then
  "$HERE/build-guest-arm64.sh" --quiet || die "build-guest-arm64.sh failed"
fi
G=$CACHE/guest-arm64
[[ -f $G/Image && -f $G/initramfs.cpio && -f $G/jdk.img ]] || die "no arm64 guest in $G (run vm/build-guest-arm64.sh)"

rm -f "$SHARE/exit-code" "$SHARE/run-timed-out" "$SHARE/guest-error.txt" "$SHARE/guest-kernel.txt" \
      "$SHARE/guest-machine.txt" "$SHARE/run.log" "$LOG"
TMP=$(mktemp -d /tmp/kaio-vm-arm64.XXXXXX)
QPID=
TPID=
TAG=run-guest-arm64
# shellcheck source=qemu-wait.sh
. "$HERE/qemu-wait.sh"
trap guest_cleanup EXIT
trap 'exit 130' INT TERM

# Fresh disks for every run: ext4 (inode tables initialised now, not in the guest) and a raw one.
truncate -s "$WORK_SIZE" "$TMP/work.img"
mkfs.ext4 -q -F -b 4096 -L kaio-work -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$TMP/work.img" ||
  die "mkfs.ext4 failed"
truncate -s "$RAW_SIZE" "$TMP/raw.img"

disk() { # FILE SERIAL [readonly]
  local ro=${3:+,readonly=on}
  echo -drive "file=$1,if=none,id=$2,format=raw,cache=unsafe$ro" \
       -device "virtio-blk-pci,drive=$2,serial=$2,logical_block_size=$LBS,physical_block_size=$LBS"
}
START=$(date +%s.%N)
log "booting arm64 guest (TCG $TCG_THREAD, -cpu $CPU_MODEL, $CPUS vCPU, ${MEM} MiB, timeout ${TIMEOUT}s); console: $LOG"
# shellcheck disable=SC2046
timeout -k 10 "$TIMEOUT" qemu-system-aarch64 \
  -machine virt -accel "tcg,thread=$TCG_THREAD" -cpu "$CPU_MODEL" -smp "$CPUS" -m "$MEM" \
  -nodefaults -display none -monitor none -no-reboot -nic none \
  -serial "file:$LOG" \
  -kernel "$G/Image" -initrd "$G/initramfs.cpio" \
  -append "console=ttyAMA0 quiet loglevel=4 panic=-1 kaio.timeout=$GUEST_TIMEOUT" \
  $(disk "$G/jdk.img" kaio-jdk ro) $(disk "$TMP/work.img" kaio-work) $(disk "$TMP/raw.img" kaio-raw) \
  -fsdev "local,id=share,path=$SHARE,security_model=none" \
  -device virtio-9p-pci,fsdev=share,mount_tag=share \
  -device virtio-rng-pci \
  </dev/null &
QPID=$!
wait_for_guest
