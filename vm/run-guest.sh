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
# Boots the kaio NFS test guest (built by vm/build-guest.sh) with qemu, shares SHARE_DIR with it
# over virtio-9p (guest path /share), waits until the guest powers off, and exits with the exit
# code of SHARE_DIR/run.sh as the guest wrote it to SHARE_DIR/exit-code. See vm/README.md.
#
#   vm/run-guest.sh SHARE_DIR
#
# In SHARE_DIR:   run.sh (required; run by the guest's busybox sh with cwd /share)
# Out SHARE_DIR:  exit-code, guest-kernel.txt, run.log (run.sh's output), console.log (serial
#                 console), guest-error.txt (only if the guest's setup failed), run-timed-out (only
#                 if run.sh hit its timeout), files run.sh writes
#
# Environment (all optional):
#   KAIO_VM_TIMEOUT=900      seconds for the whole boot-run-poweroff (run.sh gets this minus 60)
#   KAIO_VM_CPUS=2           vCPUs (at most 2 on this machine)
#   KAIO_VM_MEM=2560         guest RAM in MiB
#   KAIO_VM_EXPORT_SIZE=1G   size of the ext4 export disk (sparse file, fresh for every run)
#   KAIO_VM_EXPORT_LBS=512   logical/physical block size of the export disk (512 or 4096)
#   KAIO_VM_NFS3_OPTS=vers=3 / KAIO_VM_NFS4_OPTS=vers=4.2   mount options of /mnt/nfs3 and /mnt/nfs4
#   KAIO_VM_ACCEL=tcg        tcg (default; works) or kvm (does not boot on this machine type, see README)
#   KAIO_VM_TCG_THREAD=single  single: one host thread runs all vCPUs (default; reliable for JIT'd
#                            Java code). multi: one host thread per vCPU, ~1.7x faster Java, but the
#                            guest JVM crashed in ~1 of 30-50 runs (SIGILL/SIGSEGV in code HotSpot
#                            was patching: QEMU MTTCG cross-modifying-code race). See README.
#   KAIO_VM_CPU=max,pku=off  qemu -cpu model
#   KAIO_VM_QUIET=0          1: do not stream the guest console to stderr
#   KAIO_VM_CONSOLE_LOG      console log path (default SHARE_DIR/console.log)
#   KAIO_VM_KERNEL=vmlinux   vmlinux (PVH boot, default) or vmlinuz (bzImage via SeaBIOS)
#   KAIO_VM_SKIP_BUILD=0     1: do not call build-guest.sh first (it is a ~1 s no-op when cached)
#   KAIO_VM_CACHE            cache directory (default vm/.cache), as for build-guest.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${KAIO_VM_CACHE:-$HERE/.cache}
die() { echo "[run-guest] ERROR: $*" >&2; exit 2; }
log() { echo "[run-guest] $*" >&2; }

[[ $# == 1 ]] || { sed -n '2,9p' "$0" >&2; exit 2; }
[[ -d $1 ]] || die "SHARE_DIR $1 is not a directory"
SHARE=$(cd "$1" && pwd -P)
[[ -f $SHARE/run.sh ]] || die "$SHARE/run.sh does not exist"

TIMEOUT=${KAIO_VM_TIMEOUT:-900}
CPUS=${KAIO_VM_CPUS:-2}
MEM=${KAIO_VM_MEM:-2560}
EXPORT_SIZE=${KAIO_VM_EXPORT_SIZE:-1G}
EXPORT_LBS=${KAIO_VM_EXPORT_LBS:-512}
NFS3_OPTS=${KAIO_VM_NFS3_OPTS:-vers=3}
NFS4_OPTS=${KAIO_VM_NFS4_OPTS:-vers=4.2}
ACCEL=${KAIO_VM_ACCEL:-tcg}
CPU_MODEL=${KAIO_VM_CPU:-max,pku=off}
TCG_THREAD=${KAIO_VM_TCG_THREAD:-single}
QUIET=${KAIO_VM_QUIET:-0}
LOG=${KAIO_VM_CONSOLE_LOG:-$SHARE/console.log}
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -ge 60 ]] || die "KAIO_VM_TIMEOUT must be an integer >= 60"
[[ $CPUS =~ ^[12]$ ]] || die "KAIO_VM_CPUS must be 1 or 2"
[[ $NFS3_OPTS$NFS4_OPTS != *[[:space:]]* ]] || die "NFS mount options must not contain spaces"
[[ $SHARE$LOG != *,* ]] || die "SHARE_DIR and the console log path must not contain a comma (qemu option syntax)"
GUEST_TIMEOUT=$((TIMEOUT - 60))

if [[ ${KAIO_VM_SKIP_BUILD:-0} != 1 ]]; then
  "$HERE/build-guest.sh" --quiet || die "build-guest.sh failed"
fi
G=$CACHE/guest
[[ -f $G/vmlinux && -f $G/initramfs.cpio ]] || die "no guest in $G (run vm/build-guest.sh)"
# vmlinux: PVH direct boot (faster); KAIO_VM_KERNEL=vmlinuz boots the bzImage through SeaBIOS.
KERNEL=$G/${KAIO_VM_KERNEL:-vmlinux}

case "$ACCEL" in
  tcg) ACCEL_ARGS=(-accel "tcg,thread=$TCG_THREAD" -cpu "$CPU_MODEL") ;;
  kvm) ACCEL_ARGS=(-accel kvm -cpu "$CPU_MODEL") ;;
  *) die "KAIO_VM_ACCEL must be tcg or kvm" ;;
esac

rm -f "$SHARE/exit-code" "$SHARE/run-timed-out" "$SHARE/guest-error.txt" "$SHARE/guest-kernel.txt" "$SHARE/run.log" "$LOG"
TMP=$(mktemp -d /tmp/kaio-vm.XXXXXX)
QPID=
TPID=
TAG=run-guest
# shellcheck source=qemu-wait.sh
. "$HERE/qemu-wait.sh"
trap guest_cleanup EXIT
trap 'exit 130' INT TERM

# Fresh ext4 export disk for every run (sparse; inode tables initialised now, not in the guest).
truncate -s "$EXPORT_SIZE" "$TMP/export.img"
mkfs.ext4 -q -F -b 4096 -L kaio-export -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$TMP/export.img" ||
  die "mkfs.ext4 failed"

START=$(date +%s.%N)
log "booting guest ($ACCEL, $CPUS vCPU, ${MEM} MiB, timeout ${TIMEOUT}s); console: $LOG"
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
  -machine q35 "${ACCEL_ARGS[@]}" -smp "$CPUS" -m "$MEM" \
  -nodefaults -display none -monitor none -no-reboot -nic none \
  -serial "file:$LOG" \
  -kernel "$KERNEL" -initrd "$G/initramfs.cpio" \
  -append "console=ttyS0 quiet loglevel=4 panic=-1 kaio.timeout=$GUEST_TIMEOUT kaio.nfs3opts=$NFS3_OPTS kaio.nfs4opts=$NFS4_OPTS" \
  -drive "file=$TMP/export.img,if=none,id=export,format=raw,cache=unsafe" \
  -device "virtio-blk-pci,drive=export,logical_block_size=$EXPORT_LBS,physical_block_size=$EXPORT_LBS" \
  -fsdev "local,id=share,path=$SHARE,security_model=none" \
  -device virtio-9p-pci,fsdev=share,mount_tag=share \
  -device virtio-rng-pci \
  </dev/null &
QPID=$!
wait_for_guest
