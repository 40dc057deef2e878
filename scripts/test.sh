#!/usr/bin/env bash
# Builds everything and runs every test, C++ and Python (ctest prints the summary line; the
# Python tests' own pytest summary is printed after it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
ctest --test-dir build --output-on-failure -j "$(nproc)"
# pytest runs inside ctest (the `python` entry), which shows its output only on failure: print
# its summary line too (a second run of the Python tests, ~3 s).
ctest --test-dir build -R '^python$' -V 2>&1 | grep -E '^[0-9]+: =* ?[0-9]+ (passed|failed)' | sed 's/^[0-9]*: //' || true
