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
# Checks the kaio test base image on this machine (as root): java -version, then mkfs + mount +
# O_DIRECT dd for xfs, ext2, ext3, ext4 and btrfs on a loop device passed with --device, and a tmpfs
# mount, all with --cap-add SYS_ADMIN (not --privileged). The loop device and its backing file are
# removed on every exit path. Prints one line per check with its time; exits non-zero if any failed.
#
# Usage: docker/verify-base-image.sh          (after docker/build-base-image.sh)
# Environment: KAIO_TEST_BASE_IMAGE (default kaio-test-base:bookworm-jdk25), KAIO_DOCKER (client).
set -euo pipefail

IMAGE="${KAIO_TEST_BASE_IMAGE:-kaio-test-base:bookworm-jdk25}"
if [ -n "${KAIO_DOCKER:-}" ]; then DOCKER="$KAIO_DOCKER"
elif [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker
else DOCKER=docker; fi
[ "$(id -u)" -eq 0 ] || { echo "verify-base-image: must run as root (losetup)" >&2; exit 1; }
"$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1 \
  || { echo "verify-base-image: no image $IMAGE; run docker/build-base-image.sh first" >&2; exit 1; }

BACKING="$(mktemp /var/tmp/kaio-verify.XXXXXX.img)"
LOOP=""
cleanup() {
  local rc=$?
  if [ -n "$LOOP" ]; then losetup -d "$LOOP" || echo "verify-base-image: could not detach $LOOP" >&2; fi
  rm -f "$BACKING"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

truncate -s 512M "$BACKING"
[ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
LOOP="$(losetup -f --show "$BACKING")"
echo "verify-base-image: $IMAGE, loop device $LOOP (512 MiB, $BACKING) as /dev/xvdb"

failed=0
check() {   # check NAME DOCKER-RUN-ARGS... -- SHELL-COMMAND
  local name="$1" t0 t1 out rc=0; shift
  local args=(); while [ "$1" != -- ]; do args+=("$1"); shift; done; shift
  t0=$(date +%s%N)
  out="$("$DOCKER" run --rm "${args[@]}" "$IMAGE" sh -c "$1" 2>&1)" || rc=$?
  t1=$(date +%s%N)
  printf '%-8s %-4s %5d ms  %s\n' "$name" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" $(((t1 - t0) / 1000000)) \
    "$(printf '%s' "$out" | tail -n 1)"
  if [ $rc -ne 0 ]; then failed=1; printf '%s\n' "$out" | sed 's/^/    /'; fi
}
dev=(--cap-add SYS_ADMIN --device "$LOOP:/dev/xvdb")
io='mkdir -p /mnt/x && mount /dev/xvdb /mnt/x && dd if=/dev/zero of=/mnt/x/f bs=4k count=100 oflag=direct && umount /mnt/x'

check java -- 'java -version 2>&1 | head -n 1'
check xfs   "${dev[@]}" -- "mkfs.xfs -f -q /dev/xvdb && $io"
for fs in ext2 ext3 ext4; do check "$fs" "${dev[@]}" -- "mkfs.$fs -F -q /dev/xvdb && $io"; done
check btrfs "${dev[@]}" -- "mkfs.btrfs -f -q /dev/xvdb && $io"   # needs >= ~110 MiB
check tmpfs --cap-add SYS_ADMIN -- 'mkdir -p /mnt/t && mount -t tmpfs tmpfs /mnt/t && dd if=/dev/zero of=/mnt/t/f bs=4k count=100 && umount /mnt/t'

if [ "$failed" -ne 0 ]; then echo "verify-base-image: FAILED" >&2; exit 1; fi
echo "verify-base-image: all checks passed"
