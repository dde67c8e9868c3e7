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
# Sourced by jextract.sh and vm/build-guest-arm64.sh: a private apt configuration for Debian packages
# of another architecture (arm64) or release (trixie), so that their .debs can be downloaded and
# unpacked with dpkg-deb -x without touching this machine's package state (no dpkg
# --add-architecture, no change to /etc/apt or /var/lib/apt).
#
#   foreign_apt_init DIR ARCH [RELEASE]   lists for ARCH (and RELEASE, default: this machine's own
#                                         Debian release) in DIR; refreshed when older than a day
#   foreign_apt ARGS...                   apt-get / apt-cache with that configuration
#   foreign_download DEST PKG...          apt-get download PKG:ARCH into DEST (cached .debs kept)
#
# The package sources are this machine's own Debian entries (apt-get indextargets), with the release
# name replaced when another release is asked for: bookworm -> trixie, bookworm-updates ->
# trixie-updates, bookworm-security -> trixie-security.

foreign_apt_init() {
  local dir=$1 arch=$2 release=${3:-} own uri rel comp
  own=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [[ -n $own ]] || { echo "foreign-apt: no VERSION_CODENAME in /etc/os-release" >&2; return 1; }
  release=${release:-$own}
  FOREIGN_APT_DIR=$dir
  FOREIGN_APT_ARCH=$arch
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/etc/preferences.d"
  : >"$dir/status"
  {
    while IFS='|' read -r uri rel comp; do
      case "$rel" in
        "$own"|"$own"-updates|"$own"-security) echo "deb [arch=$arch] $uri ${rel/#$own/$release} $comp" ;;
      esac
    done < <(apt-get indextargets --format '$(REPO_URI)|$(RELEASE)|$(COMPONENT)' 'Created-By: Packages' | sort -u)
  } >"$dir/etc/sources.list.new"
  [[ -s $dir/etc/sources.list.new ]] ||
    { echo "foreign-apt: no Debian $own entries in this machine's apt sources" >&2; return 1; }
  cat >"$dir/apt.conf" <<EOF
Dir::State "$dir";
Dir::State::lists "$dir/lists";
Dir::State::status "$dir/status";
Dir::Cache "$dir/cache";
Dir::Etc::sourcelist "$dir/etc/sources.list";
Dir::Etc::sourceparts "-";
Dir::Etc::preferencesparts "$dir/etc/preferences.d";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
Acquire::Languages "none";
APT::Sandbox::User "root";
EOF
  # Refresh the lists when the sources changed or the lists are older than a day.
  if ! cmp -s "$dir/etc/sources.list.new" "$dir/etc/sources.list" ||
     [[ -z $(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 -print -quit) ]]; then
    mv "$dir/etc/sources.list.new" "$dir/etc/sources.list"
    APT_CONFIG=$dir/apt.conf apt-get update -qq >/dev/null ||
      { echo "foreign-apt: apt-get update for $release/$arch failed" >&2; return 1; }
  else
    rm -f "$dir/etc/sources.list.new"
  fi
}

foreign_apt() {
  local tool=$1; shift
  APT_CONFIG=$FOREIGN_APT_DIR/apt.conf "$tool" "$@"
}

# foreign_download DEST PKG[=VERSION]...: the .debs of ARCH into DEST; prints their paths.
foreign_download() {
  local dest=$1 p name ver f; shift
  mkdir -p "$dest"
  for p in "$@"; do
    name=${p%%=*}
    if [[ $p == *=* ]]; then ver=${p#*=}; else
      ver=$(foreign_apt apt-cache show --no-all-versions "$name:$FOREIGN_APT_ARCH" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
    fi
    [[ -n $ver ]] || { echo "foreign-apt: no $name for $FOREIGN_APT_ARCH" >&2; return 1; }
    f=$dest/${name}_${ver//:/%3a}_$FOREIGN_APT_ARCH.deb
    [[ -f ${f/_$FOREIGN_APT_ARCH.deb/_all.deb} ]] && f=${f/_$FOREIGN_APT_ARCH.deb/_all.deb}
    if [[ ! -f $f ]]; then
      (cd "$dest" && foreign_apt apt-get download -qq "$name:$FOREIGN_APT_ARCH=$ver" >/dev/null) ||
        { echo "foreign-apt: apt-get download $name:$FOREIGN_APT_ARCH=$ver failed" >&2; return 1; }
      [[ -f $f ]] || f=${f/_$FOREIGN_APT_ARCH.deb/_all.deb}
      [[ -f $f ]] || { echo "foreign-apt: $name $ver was downloaded but not as $f" >&2; return 1; }
    fi
    echo "$f"
  done
}
