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
# A section whose source is missing is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import os, re
sections = {
    "support-matrix": "target/support-matrix.md",
    "nfs-matrix": "target/nfs-matrix.md",
    "aarch64-matrix": "target/aarch64-matrix.md",
    "reliability": ["target/reliability-summary.txt", "tools/target/reliability-summary.txt"],
    "performance": "bench/results/latest.md",
}
readme = open("README.md").read()
for name, src in sections.items():
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    srcs = src if isinstance(src, list) else [src]
    if begin not in readme or not all(os.path.exists(s) for s in srcs):
        print(f"update-readme: {name}: skipped ({', '.join(srcs)} missing)" if begin in readme else f"update-readme: no {name} markers")
        continue
    body = "\n".join(open(s).read().strip() for s in srcs)
    if name == "reliability":
        body = "Figures from the last run (`target/reliability-summary.txt`, `tools/target/reliability-summary.txt`):\n\n" + "\n".join(
            "- " + line for line in body.splitlines() if line.strip())
    if name == "performance":
        body = re.sub(r"^# kaio benchmarks\n+", "", body)          # the README has its own heading
        body = body.replace("\n## ", "\n#### ").replace("\n### ", "\n##### ")
        body = body.replace("/work/main/", "")
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme = head + begin + "\n" + body + "\n" + end + tail
    print(f"update-readme: {name} <- {', '.join(srcs)}")
open("README.md", "w").write(readme)
PY
