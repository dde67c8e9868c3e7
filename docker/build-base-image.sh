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
# Builds the Docker base image of kaio's Linux test harness WITHOUT any image registry:
#
#   kaio-test-base:bookworm-jdk25 = Debian 12 "bookworm" (debootstrap --variant=minbase from the Debian
#   package mirror) + mkfs/mount tools (e2fsprogs xfsprogs btrfs-progs util-linux mount procps)
#   + the host's JDK (>= 22, normally Temurin 25) at /opt/jdk, JAVA_HOME=/opt/jdk, WORKDIR /kaio.
#
# The rootfs is streamed into `docker import` (no `docker build`, no `FROM`, so nothing can be pulled).
# docker/Dockerfile is the equivalent for machines that do have a registry (eclipse-temurin:25-jdk).
#
# Usage: docker/build-base-image.sh [--force]      (as root; idempotent: built once per machine)
#   --force    rebuild even if the image already exists (the old image is removed afterwards)
# Environment (all optional):
#   KAIO_JAVA_HOME         JDK to copy into the image (default: the newest JDK >= 22 found by
#                          scripts/find-jdk.sh, i.e. /usr/lib/jvm/*, ...)
#   KAIO_TEST_BASE_IMAGE   image tag (default kaio-test-base:bookworm-jdk25)
#   KAIO_DEBIAN_MIRROR     Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   KAIO_DOCKER            docker client to use (default /usr/bin/docker if present, else `docker`)
#   KAIO_DOCKERD_TIMEOUT   seconds to wait for a dockerd this script starts (default 60)
#   KAIO_TMPDIR            where the temporary rootfs goes (default /var/tmp; needs ~600 MB)
set -euo pipefail

IMAGE="${KAIO_TEST_BASE_IMAGE:-kaio-test-base:bookworm-jdk25}"
SUITE=bookworm
MIRROR="${KAIO_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES=(e2fsprogs xfsprogs btrfs-progs util-linux mount procps)
DOCKERD_TIMEOUT="${KAIO_DOCKERD_TIMEOUT:-60}"
LOCK_FILE=/var/lock/kaio-test-base.lock
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_DIR="$(dirname "$SCRIPT_DIR")"

say() { echo "build-base-image: $*"; }
die() { echo "build-base-image: ERROR: $*" >&2; exit 1; }

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (usage: $0 [--force])" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, dockerd)"
[ "$(uname -m)" = x86_64 ] || say "warning: $(uname -m) is not x86_64; kaio's bindings are x86_64's"
start=$SECONDS

# ---------------------------------------------------------------------------------------------------
# 1. Packages on the host: docker.io (engine 20.10 on Debian 12) and debootstrap.
# ---------------------------------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The docker client: /usr/bin/docker comes with docker.io and matches the 20.10 engine. (A newer
# client, e.g. /usr/local/bin/docker 28.x, also works: it negotiates the API down to 1.41.)
if [ -n "${KAIO_DOCKER:-}" ]; then
  DOCKER="$KAIO_DOCKER"
elif [ -x /usr/bin/docker ]; then
  DOCKER=/usr/bin/docker
else
  DOCKER="$(command -v docker)" || die "no docker client found (install docker.io)"
fi

# Serialise concurrent runs (two CI jobs must not both build). dockerd started below does not inherit fd 9.
exec 9>"$LOCK_FILE"
if ! flock -n 9; then
  say "another build-base-image.sh holds $LOCK_FILE; waiting for it (up to 15 min)"
  flock -w 900 9 || die "timed out waiting for $LOCK_FILE"
fi

TMP_BASE="${KAIO_TMPDIR:-/var/tmp}"
# Unmount whatever is left mounted under a tree (debootstrap mounts proc/sys in its target and leaves
# them if interrupted), then delete it without crossing into other filesystems.
remove_tree() {
  local m
  awk -v t="$1/" 'index($2, t) == 1 {print $2}' /proc/self/mounts | sort -r | while IFS= read -r m; do
    umount -l "$(printf '%b' "$m")" 2>/dev/null || true    # /proc/self/mounts writes ' ' as \040
  done
  rm -rf --one-file-system "$1"
}
# We hold the lock, so an earlier temporary tree is from a run that was killed (SIGKILL).
for stale in "$TMP_BASE"/kaio-test-base.??????; do
  [ -d "$stale" ] || continue
  say "removing $stale left by an interrupted run"; remove_tree "$stale"
done

# ---------------------------------------------------------------------------------------------------
# 2. The Docker engine: start dockerd if nobody answers.
# ---------------------------------------------------------------------------------------------------
docker_up() { timeout 20 "$DOCKER" info >/dev/null 2>&1; }
if ! docker_up; then
  case "${DOCKER_HOST:-unix:///var/run/docker.sock}" in
    unix:///var/run/docker.sock|unix:///run/docker.sock) ;;
    *) die "DOCKER_HOST=$DOCKER_HOST does not answer ('$DOCKER info' fails); not starting a local dockerd" ;;
  esac
  if pgrep -x dockerd >/dev/null 2>&1; then
    say "dockerd is running but does not answer yet; waiting"
  elif [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && systemctl start docker 2>/dev/null; then
    say "started docker.service"
  else
    say "starting dockerd in the background (log: /var/log/dockerd.log)"
    # setsid + nohup: dockerd outlives this script (and a CI job's process group). It must not
    # inherit our lock (fd 9) or any pipe of a caller beyond stdio, or the caller would wait on it.
    (
      for fd in /proc/self/fd/*; do
        fd="${fd##*/}"; [ "$fd" -gt 2 ] && eval "exec $fd>&-"
      done
      exec setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null
    ) &
  fi
  waited=0
  until docker_up; do
    if [ "$waited" -ge "$DOCKERD_TIMEOUT" ]; then
      tail -n 20 /var/log/dockerd.log >&2 2>/dev/null || true
      die "the Docker engine did not answer '$DOCKER info' within ${DOCKERD_TIMEOUT}s (see /var/log/dockerd.log)"
    fi
    sleep 1; waited=$((waited + 1))
  done
  say "Docker engine up after ${waited}s"
fi

# ---------------------------------------------------------------------------------------------------
# 3. Cached? (built once per machine)
# ---------------------------------------------------------------------------------------------------
old_id=""
if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
  old_id="$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE")"
  if [ "$force" -eq 0 ]; then
    say "image $IMAGE already exists ($(
      "$DOCKER" image inspect -f '{{index .Config.Labels "dev.kaio.jdk.version"}}, built {{index .Config.Labels "org.opencontainers.image.created"}}' "$IMAGE"
    )); nothing to do (use --force to rebuild). Took $((SECONDS - start))s."
    exit 0
  fi
  say "--force: rebuilding $IMAGE (replacing ${old_id:7:12})"
fi

# ---------------------------------------------------------------------------------------------------
# 4. The JDK to copy: $KAIO_JAVA_HOME, else the newest JDK >= 22 (scripts/find-jdk.sh).
# ---------------------------------------------------------------------------------------------------
jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}
if [ -n "${KAIO_JAVA_HOME:-}" ]; then
  [ -x "$KAIO_JAVA_HOME/bin/java" ] || die "KAIO_JAVA_HOME=$KAIO_JAVA_HOME has no bin/java"
  JDK="$(cd "$KAIO_JAVA_HOME" && pwd -P)"
elif [ -f "$REPO_DIR/scripts/find-jdk.sh" ]; then
  # shellcheck source=/dev/null
  . "$REPO_DIR/scripts/find-jdk.sh"
  kaio_find_jdk || die "no JDK >= 22 found; set KAIO_JAVA_HOME"
  JDK="$KAIO_JAVA_HOME"
else
  JDK="" best=0
  for c in /usr/lib/jvm/*; do
    [ -x "$c/bin/java" ] || continue
    m="$(jdk_major "$c")"
    if [ -n "$m" ] && [ "$m" -ge 22 ] && [ "$m" -gt "$best" ]; then JDK="$(cd "$c" && pwd -P)"; best="$m"; fi
  done
  [ -n "$JDK" ] || die "no JDK >= 22 under /usr/lib/jvm; set KAIO_JAVA_HOME"
fi
major="$(jdk_major "$JDK")"
if [ -z "$major" ] || [ "$major" -lt 22 ]; then die "$JDK is Java ${major:-?}; kaio needs >= 22"; fi
jdk_release() { sed -n "s/^$1=\"\(.*\)\"$/\1/p" "$JDK/release" 2>/dev/null; }
if [ "$(jdk_release LIBC)" = musl ]; then die "$JDK is a musl (Alpine) build; the image is glibc (Debian)"; fi
JDK_VERSION="$(jdk_release JAVA_RUNTIME_VERSION)"
[ -n "$JDK_VERSION" ] || JDK_VERSION="$("$JDK/bin/java" -version 2>&1 | awk -F'"' 'NR==1{print $2}')"
JDK_IMPL="$(jdk_release IMPLEMENTOR_VERSION)"; JDK_IMPL="${JDK_IMPL:-$(jdk_release IMPLEMENTOR)}"
say "JDK: $JDK (Java $major, ${JDK_IMPL:+$JDK_IMPL, }$JDK_VERSION)"

# ---------------------------------------------------------------------------------------------------
# 5. The rootfs, in a temporary directory removed on every exit path.
# ---------------------------------------------------------------------------------------------------
TMP="$(mktemp -d "$TMP_BASE/kaio-test-base.XXXXXX")"
child=""
# Stops a process and all its descendants (debootstrap -> chroot -> dpkg ...), which share our
# process group: freeze them all first so none can spawn more, then terminate.
tree_pids() { local c; echo "$1"; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree_pids "$c"; done; }
stop_tree() {
  local pids _
  pids="$(tree_pids "$1")"
  # shellcheck disable=SC2086
  { kill -STOP $pids; kill -TERM $pids; kill -CONT $pids; } 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$1" 2>/dev/null || return 0; sleep 1; done
  # shellcheck disable=SC2046
  kill -KILL $(tree_pids "$1") 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then   # an interrupted debootstrap
    stop_tree "$child"
    wait "$child" 2>/dev/null || true
  fi
  remove_tree "$TMP"
  [ "$rc" -eq 0 ] || echo "build-base-image: FAILED after $((SECONDS - start))s (temporary files removed)" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ROOTFS="$TMP/rootfs"

say "debootstrap --variant=minbase $SUITE from $MIRROR (+ ${PACKAGES[*]})"
t0=$SECONDS
include="$(IFS=,; echo "${PACKAGES[*]}")"
# In the background and waited for with `wait`, which a signal interrupts (bash runs a trap only
# after a foreground command ends), so INT/TERM stop debootstrap and its children at once.
debootstrap --variant=minbase --include="$include" "$SUITE" "$ROOTFS" "$MIRROR" \
  >"$TMP/debootstrap.log" 2>&1 </dev/null &
child=$!
if ! wait "$child"; then
  child=""
  tail -n 30 "$TMP/debootstrap.log" >&2
  [ -f "$ROOTFS/debootstrap/debootstrap.log" ] && tail -n 30 "$ROOTFS/debootstrap/debootstrap.log" >&2
  die "debootstrap failed"
fi
child=""
say "debootstrap done in $((SECONDS - t0))s"

# Slim down: package caches and lists, docs (copyright files kept), man pages, message translations.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/lib/apt/lists/* \
       "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/usr/share/locale/* \
       "$ROOTFS"/var/log/*.log "$ROOTFS"/debootstrap
find "$ROOTFS/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
find "$ROOTFS/usr/share/doc" -type d -empty -delete 2>/dev/null || true
cat >"$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
EOF
# Docker bind-mounts these; do not ship the build host's.
: >"$ROOTFS/etc/resolv.conf"
echo kaio-test >"$ROOTFS/etc/hostname"

# The JDK at /opt/jdk, without sources, jmods, man pages and demos.
say "copying the JDK to /opt/jdk"
mkdir -p "$ROOTFS/opt/jdk"
tar -C "$JDK" --exclude=./lib/src.zip --exclude=./jmods --exclude=./man --exclude=./demo --exclude=./sample \
    -cf - . | tar -C "$ROOTFS/opt/jdk" -xf -
# Absolute symlinks (e.g. Debian-packaged JDKs' lib/security/cacerts -> /etc/ssl/certs/java/cacerts)
# would dangle in the image: replace them by the files they point to.
while IFS= read -r -d '' link; do
  rel="${link#"$ROOTFS/opt/jdk/"}"
  if [ -e "$JDK/$rel" ]; then
    rm -f "$link"; cp -aL "$JDK/$rel" "$link"
  else
    say "warning: dropping dangling symlink /opt/jdk/$rel"; rm -f "$link"
  fi
done < <(find "$ROOTFS/opt/jdk" -type l -lname '/*' -print0)
# Login shells (bash -l) reset PATH from /etc/profile; keep the JDK on it there too.
cat >"$ROOTFS/etc/profile.d/kaio-jdk.sh" <<'EOF'
export JAVA_HOME=/opt/jdk
case ":$PATH:" in *":$JAVA_HOME/bin:"*) ;; *) PATH="$JAVA_HOME/bin:$PATH" ;; esac
export PATH
EOF
mkdir -p "$ROOTFS/kaio"

# ---------------------------------------------------------------------------------------------------
# 6. Into Docker: `docker import` of the rootfs tar (no Dockerfile, no FROM, nothing to pull).
# ---------------------------------------------------------------------------------------------------
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "docker import -> $IMAGE"
t0=$SECONDS
# /dev /proc /sys are provided by the runtime: ship them empty.
tar -C "$ROOTFS" --numeric-owner --xattrs --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . \
  | "$DOCKER" import \
      --change 'ENV JAVA_HOME=/opt/jdk' \
      --change 'ENV PATH=/opt/jdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change 'WORKDIR /kaio' \
      --change 'CMD ["/bin/bash"]' \
      --change "LABEL org.opencontainers.image.title=\"kaio-test-base\"" \
      --change "LABEL org.opencontainers.image.description=\"Debian $SUITE minbase + mkfs tools + JDK $major for kaio's Testcontainers harness (built offline by docker/build-base-image.sh)\"" \
      --change "LABEL org.opencontainers.image.created=\"$created\"" \
      --change "LABEL dev.kaio.jdk.version=\"$JDK_VERSION\"" \
      --change "LABEL dev.kaio.jdk.implementor=\"${JDK_IMPL:-unknown}\"" \
      --change "LABEL dev.kaio.jdk.source=\"$JDK\"" \
      --change "LABEL dev.kaio.debian.suite=\"$SUITE\"" \
      --message "kaio-test-base: debootstrap $SUITE + ${PACKAGES[*]} + $JDK" \
      - "$IMAGE" >/dev/null
say "imported in $((SECONDS - t0))s"

# ---------------------------------------------------------------------------------------------------
# 7. Smoke test; an image that fails it is removed again.
# ---------------------------------------------------------------------------------------------------
if ! out="$("$DOCKER" run --rm --network none "$IMAGE" sh -c \
      'java -version 2>&1 && mkfs.xfs -V && mkfs.btrfs --version && mke2fs -V 2>&1 | head -n 1 && mount --version' 2>&1)"; then
  echo "$out" >&2
  "$DOCKER" image rm -f "$IMAGE" >/dev/null 2>&1 || true
  die "smoke test of $IMAGE failed (image removed)"
fi
while IFS= read -r line; do echo "  | $line"; done <<<"$out"

new_id="$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE")"
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  "$DOCKER" image rm "$old_id" >/dev/null 2>&1 || say "note: the previous image ${old_id:7:12} is still in use; not removed"
fi
size="$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")"
say "built $IMAGE (${new_id:7:12}, $((size / 1024 / 1024)) MiB) in $((SECONDS - start))s"
