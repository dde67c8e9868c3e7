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
# Sourced by ./build and ./kaio: sets KAIO_JAVA_HOME to a JDK >= 22 (the newest found), or fails with
# a message saying what to install. Looks at KAIO_JAVA_HOME, JAVA_HOME, then the usual install places.
kaio_jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

kaio_find_jdk() {
  local best="" best_major=0 c m
  for c in "${KAIO_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/* "$HOME"/.sdkman/candidates/java/* \
           "$HOME"/.jdks/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* /usr/java/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    m=$(kaio_jdk_major "$c")
    [ -n "$m" ] && [ "$m" -ge 22 ] 2>/dev/null || continue
    if [ "$m" -gt "$best_major" ]; then best="$c"; best_major="$m"; fi
  done
  if [ -z "$best" ]; then
    echo "kaio: no JDK 22 or newer found (looked at \$KAIO_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm, ~/.sdkman, ~/.jdks, /opt)." >&2
    echo "kaio: install one (e.g. Temurin 25) or set KAIO_JAVA_HOME=/path/to/jdk" >&2
    return 1
  fi
  KAIO_JAVA_HOME="$(cd "$best" && pwd -P)"
  export KAIO_JAVA_HOME
}
