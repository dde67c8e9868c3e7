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
# End-to-end self-test of the NFS guest: compiles AioSmoke.java on the host into SHARE_DIR, writes a
# run.sh that prints the guest kernel and NFS mounts, runs `java -version`, does O_DIRECT Linux AIO
# on /mnt/nfs3 and /mnt/nfs4, remounts both with nfs-remount and verifies the data again.
#
#   vm/selftest/run-selftest.sh [SHARE_DIR]      (default: a new /tmp/kaio-vm-selftest.XXXXXX)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JDK=${KAIO_VM_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
SHARE=${1:-$(mktemp -d /tmp/kaio-vm-selftest.XXXXXX)}
mkdir -p "$SHARE/classes"
"$JDK/bin/javac" --release 25 -d "$SHARE/classes" "$HERE/AioSmoke.java"
cat >"$SHARE/run.sh" <<'EOF'
set -e
echo "== uname -r: $(uname -r)"
echo "== NFS mounts"
mount | grep -E ' type nfs4? '
echo "== java -version"
time java -version
J="java --enable-native-access=ALL-UNNAMED -cp /share/classes AioSmoke"
echo "== O_DIRECT AIO write + read on NFS v3 and v4.2"
time $J write /mnt/nfs3 /mnt/nfs4
echo "== statx of the server's local ext4 files"
$J statx /export /export/nfs3/aio-smoke.bin
echo "== nfs-remount"
time nfs-remount
mount | grep -E ' type nfs4? ' | cut -d' ' -f1-5
echo "== O_DIRECT AIO read after remount"
time $J verify /mnt/nfs3 /mnt/nfs4
echo "== on the server's ext4"
ls -l /export/nfs3 /export/nfs4
echo "SELFTEST PASSED"
EOF
echo "[selftest] SHARE_DIR=$SHARE" >&2
exec "$HERE/../run-guest.sh" "$SHARE"
