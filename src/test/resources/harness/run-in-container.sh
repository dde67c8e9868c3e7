#!/bin/bash
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
# Runs inside the test container (DockerHarnessIT): formats and mounts each filesystem on the loop
# device passed in, runs the in-container test classes and kaio's file tests on it with the JUnit
# console launcher, and leaves JUnit XML reports and matrix-*.tsv in /kaio/reports.
#   KAIO_FILESYSTEMS="ext2:/dev/kaio-ext2 ... tmpfs:none"   KAIO_BLOCKDEV=/dev/kaio-raw
# In a container whose seccomp profile refuses io_setup, KAIO_UNAVAILABLE=EPERM|ENOSYS (the errno it
# answers) runs only the fallback test, AioUnavailableInContainerTest.
set -u
CP="/kaio/classes:/kaio/test-classes:/kaio/cp/*"
# each launcher is killed after 900 s (timeout below); the fork watchdog dumps the threads and ends it before
# jqwik keeps its database of failed cases under target/ (junit-platform.properties), which does not exist here
JAVA=(java --enable-native-access=ALL-UNNAMED -Xss1m -Dkaio.test.forkTimeoutSeconds=870 -Djqwik.database=/tmp/jqwik-database)
REPORTS=/kaio/reports
mkdir -p "$REPORTS"
rc=0

launch() { # name, then launcher arguments
  local name="$1"; shift
  echo "=== $name"
  timeout 900 "${JAVA[@]}" "$@" -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner \
    --details=summary --disable-ansi-colors --reports-dir "$REPORTS/$name" ${KAIO_SELECT:-} 2>&1 | tail -25
  local status=${PIPESTATUS[0]}
  echo "=== $name: exit $status"
  [ "$status" = 0 ] || rc=1
}

if [ -n "${KAIO_UNAVAILABLE:-}" ]; then
  KAIO_SELECT="--select-class dev.kaio.harness.AioUnavailableInContainerTest" launch "unavailable-$KAIO_UNAVAILABLE" \
    -Dkaio.expect.unavailable="$KAIO_UNAVAILABLE"
fi

for spec in ${KAIO_FILESYSTEMS:-}; do
  fs="${spec%%:*}"
  dev="${spec#*:}"
  mnt="/mnt/$fs"
  mkdir -p "$mnt"
  case "$fs" in
    tmpfs) mount -t tmpfs -o size=768m tmpfs "$mnt" ;;
    ext2|ext3|ext4) mkfs."$fs" -q -F "$dev" && mount "$dev" "$mnt" ;;
    xfs) mkfs.xfs -q -f "$dev" && mount "$dev" "$mnt" ;;
    btrfs) mkfs.btrfs -q -f "$dev" >/dev/null 2>&1 && mount "$dev" "$mnt" ;;
    *) false ;;
  esac || { echo "=== $fs: could not make or mount the filesystem on $dev"; rc=1; continue; }
  mkdir -p "$mnt/work"
  echo "=== $fs: $(findmnt -no SOURCE,FSTYPE,OPTIONS "$mnt")"
  select=(--select-class dev.kaio.harness.FilesystemMatrixTest)
  if [ "$fs" != tmpfs ]; then
    # kaio's own file tests, on this filesystem (they refuse tmpfs: they want real block I/O)
    select+=(--select-class dev.kaio.AioFileTest --select-class dev.kaio.engine.AioQueueTest
             --select-class dev.kaio.reliability.ModelPropertyTest)
  fi
  KAIO_SELECT="${select[*]}" launch "$fs" -Dkaio.test.workdir="$mnt/work" -Dkaio.matrix.mounts="$fs=$mnt" \
    -Dkaio.matrix.report="$REPORTS/matrix-$fs.tsv"
  umount "$mnt" || rc=1
done

if [ -n "${KAIO_BLOCKDEV:-}" ]; then
  KAIO_SELECT="--select-class dev.kaio.harness.BlockDeviceInContainerTest" launch blockdev \
    -Dkaio.blockdev="$KAIO_BLOCKDEV" -Dkaio.matrix.report="$REPORTS/matrix-blockdev.tsv"
fi

uname -r > "$REPORTS/kernel.txt"
tar -C "$REPORTS" -cf /kaio/reports.tar .
exit $rc
