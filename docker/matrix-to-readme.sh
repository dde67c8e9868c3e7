#!/usr/bin/env bash
# Copies the support matrix that the last Docker harness run measured (target/support-matrix.md,
# written by DockerHarnessIT) into README.md between the support-matrix markers.
set -euo pipefail
cd "$(dirname "$0")/.."
matrix=target/support-matrix.md
[ -s "$matrix" ] || { echo "no $matrix: run the harness first (./build verify, or .ci/run)" >&2; exit 1; }
python3 - "$matrix" <<'PY'
import sys, re
matrix = open(sys.argv[1]).read().strip()
readme = open("README.md").read()
begin, end = "<!-- support-matrix:begin -->", "<!-- support-matrix:end -->"
if begin not in readme or end not in readme:
    sys.exit("README.md has no support-matrix markers")
head, rest = readme.split(begin, 1)
_, tail = rest.split(end, 1)
open("README.md", "w").write(head + begin + "\n" + matrix + "\n" + end + tail)
print("README.md: support matrix updated from " + sys.argv[1])
PY
