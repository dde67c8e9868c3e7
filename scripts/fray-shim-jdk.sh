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
# Makes the JDK that Fray's Maven plugin (prepare-fray) turns into its instrumented JDK.
#   scripts/fray-shim-jdk.sh OUT_DIR
# Run by the build (pom.xml, profile "fray") before prepare-fray, which is given OUT_DIR as
# <originalJdkPath>.
#
# Why a shim: prepare-fray runs "$JDK/bin/jlink ... --add-modules=ALL-MODULE-PATH
# --module-path=$JDK/jmods". Temurin 25 ships no jmods/ (JEP 493: jlink links from the run-time image
# instead), so that command fails, and without <originalJdkPath> the plugin would download a JDK
# instead (no network here but Maven Central). OUT_DIR links everything of a local JDK 25 except
# bin/jlink, a wrapper that drops the --module-path of the missing jmods/ and names the modules
# instead of ALL-MODULE-PATH: all of the JDK's modules but jdk.jlink and jdk.jpackage, which a
# run-time-image link may not include. Where jmods/ exists the real jlink runs unchanged.
# Fray 0.9.2 only accepts a JDK 25 (it checks `java -version`).
set -euo pipefail
out=${1:?usage: scripts/fray-shim-jdk.sh OUT_DIR}
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/find-jdk.sh"

if [ "$(uname -m)" != x86_64 ]; then
  # prepare-fray fetches fray-jvmti-<os>-<arch>; for 0.9.2 only fray-jvmti-linux-x8664 is published here
  echo "fray-shim-jdk: the Fray tests need x86_64 (Fray 0.9.2's JVMTI library, fray-jvmti-linux-x8664); this is $(uname -m)." >&2
  echo "fray-shim-jdk: build without them: ./build verify -Dkaio.fray.skip" >&2
  exit 1
fi

jdk=""
for c in "${KAIO_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/* "$HOME"/.sdkman/candidates/java/* \
         "$HOME"/.jdks/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* /usr/java/*; do
  [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -x "$c/bin/jlink" ] || continue
  if [ "$(kaio_jdk_major "$c")" = 25 ]; then jdk="$(cd "$c" && pwd -P)"; break; fi
done
if [ -z "$jdk" ]; then
  echo "fray-shim-jdk: Fray 0.9.2 needs a JDK 25 with jlink (looked at \$KAIO_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm, ~/.sdkman, ~/.jdks, /opt)." >&2
  echo "fray-shim-jdk: install one (e.g. Temurin 25), or build without the Fray tests: ./build verify -Dkaio.fray.skip" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/bin"
for f in "$jdk"/*; do
  [ "$(basename "$f")" = bin ] || ln -s "$f" "$out/"
done
for f in "$jdk"/bin/*; do
  [ "$(basename "$f")" = jlink ] || ln -s "$f" "$out/bin/"
done

if [ -d "$jdk/jmods" ]; then
  ln -s "$jdk/bin/jlink" "$out/bin/jlink"
else
  modules=$("$jdk/bin/java" --list-modules | sed 's/@.*//' | grep -vx -e jdk.jlink -e jdk.jpackage | paste -sd, -)
  cat > "$out/bin/jlink" <<EOF
#!/usr/bin/env bash
# Written by scripts/fray-shim-jdk.sh: jlink of $jdk without its missing jmods/.
args=()
for a in "\$@"; do
  case "\$a" in
    --module-path=*/jmods) ;;
    --add-modules=ALL-MODULE-PATH) args+=("--add-modules=$modules") ;;
    *) args+=("\$a") ;;
  esac
done
exec "$jdk/bin/jlink" "\${args[@]}"
EOF
  chmod +x "$out/bin/jlink"
fi
echo "fray-shim-jdk: $out -> $jdk"
