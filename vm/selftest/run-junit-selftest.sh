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
# Runs a small JUnit 5 test (selftest/junit/NfsSmokeTest.java) inside the NFS guest with the
# Launcher-API runner selftest/JUnitMain.java and the JUnit jars from ~/.m2 (versions below).
#
#   vm/selftest/run-junit-selftest.sh [SHARE_DIR]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JDK=${KAIO_VM_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
M2=${M2_REPO:-$HOME/.m2/repository}
JUPITER=${JUNIT_JUPITER_VERSION:-5.11.4}
PLATFORM=${JUNIT_PLATFORM_VERSION:-1.11.4}
SHARE=${1:-$(mktemp -d /tmp/kaio-vm-junit.XXXXXX)}
mkdir -p "$SHARE/cp" "$SHARE/classes"
for j in org/junit/jupiter/junit-jupiter-api/$JUPITER org/junit/jupiter/junit-jupiter-engine/$JUPITER \
         org/junit/platform/junit-platform-commons/$PLATFORM org/junit/platform/junit-platform-engine/$PLATFORM \
         org/junit/platform/junit-platform-launcher/$PLATFORM org/opentest4j/opentest4j/1.3.0 \
         org/apiguardian/apiguardian-api/1.1.2; do
  jar=$(ls "$M2/$j"/*.jar 2>/dev/null | grep -v -- '-sources.jar' | head -1) || true
  [[ -n $jar ]] || { echo "missing $M2/$j (run mvn once to fetch it)" >&2; exit 2; }
  cp "$jar" "$SHARE/cp/"
done
"$JDK/bin/javac" --release 25 -cp "$SHARE/cp/*" -d "$SHARE/classes" "$HERE/JUnitMain.java" "$HERE/junit/NfsSmokeTest.java"
cat >"$SHARE/run.sh" <<'EOF'
time java -XX:TieredStopAtLevel=1 -cp '/share/cp/*:/share/classes' JUnitMain --class NfsSmokeTest
EOF
echo "[junit-selftest] SHARE_DIR=$SHARE" >&2
exec "$HERE/../run-guest.sh" "$SHARE"
