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
# Copies what the last runs measured into README.md, between its <!-- NAME:begin --> / <!-- NAME:end -->
# markers, so that the README's tables are the harnesses' output, not hand-typed:
#   support-matrix  target/support-matrix.md          (DockerHarnessIT, ./build verify)
#   nfs-matrix      target/nfs-matrix.md              (NfsGuestIT, ./build verify)
#   aarch64-matrix  target/aarch64-matrix.md          (Aarch64GuestIT, ./build verify)
#   reliability     target/reliability-summary.txt    (the library's reliability tests, ./build verify)
#                   + tools/target/reliability-summary.txt   (SoakTest, in the tool's module)
#   performance     bench/results/latest.md           (bench/compare.sh)
# The first three come only from a passing `./build verify` of a commit: ./build records such a run
# in target/verified-run.properties (the commit, whether the work tree was clean, and a checksum of
# each figure file the run wrote). A figure file that run did not write, or that changed since, is
# refused, as is a run of a work tree with uncommitted changes; the section then stays as it is.
# Each copied section names the commit it was measured on.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import hashlib, os, re, sys
from_verified_run = {
    "support-matrix": "target/support-matrix.md",
    "nfs-matrix": "target/nfs-matrix.md",
    "aarch64-matrix": "target/aarch64-matrix.md",
    "reliability": ["target/reliability-summary.txt", "tools/target/reliability-summary.txt"],
}
sections = dict(from_verified_run, performance="bench/results/latest.md")

stamp = {}
if os.path.exists("target/verified-run.properties"):
    for line in open("target/verified-run.properties"):
        if "=" in line and not line.startswith("#"):
            k, v = line.rstrip("\n").split("=", 1)
            stamp[k] = v

def stamp_key(src):
    """The key ./build gives src's checksum: the file name (tools/... files prefixed with tools-)."""
    return "sha256." + ("tools-" if src.startswith("tools/") else "") + os.path.basename(src)

def refusal(name, src):
    """Why src may not go into the README, or None."""
    if not stamp:
        return "no passing './build verify' recorded (target/verified-run.properties is missing)"
    if stamp.get("dirty") != "false":
        return f"the passing run of {stamp.get('commit', '?')[:12]} had uncommitted changes: commit, then ./build verify"
    want = stamp.get(stamp_key(src))
    if want is None:
        return f"the passing run of {stamp['commit'][:12]} did not write {src}"
    if hashlib.sha256(open(src, "rb").read()).hexdigest() != want:
        return f"{src} changed after the passing run of {stamp['commit'][:12]}"
    return None

readme = open("README.md").read()
failed = False
for name, src in sections.items():
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in readme:
        print(f"update-readme: no {name} markers")
        continue
    srcs = src if isinstance(src, list) else [src]
    if not all(os.path.exists(s) for s in srcs):
        print(f"update-readme: {name}: skipped ({', '.join(srcs)} missing)")
        continue
    if name in from_verified_run:
        why = next((w for w in (refusal(name, s) for s in srcs) if w), None)
        if why:
            print(f"update-readme: {name}: refused: {why}", file=sys.stderr)
            failed = True
            continue
    body = "\n".join(open(s).read().strip() for s in srcs)
    provenance = (f"`./build verify` of commit `{stamp['commit'][:12]}`, which passed ({stamp['date']}, "
                  f"Linux {stamp['kernel']})") if name in from_verified_run else None
    if name == "reliability":
        body = f"Figures from {provenance}:\n\n" + "\n".join("- " + line for line in body.splitlines() if line.strip())
    elif name in from_verified_run:
        body = f"Measured by {provenance}:\n\n" + body
    if name == "performance":
        body = re.sub(r"^# kaio benchmarks\n+", "", body)          # the README has its own heading
        body = body.replace("\n## ", "\n#### ").replace("\n### ", "\n##### ")
        body = body.replace("/work/main/", "")
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme = head + begin + "\n" + body + "\n" + end + tail
    print(f"update-readme: {name} <- {', '.join(srcs)}")
open("README.md", "w").write(readme)
sys.exit(1 if failed else 0)
PY
