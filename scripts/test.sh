#!/usr/bin/env bash
# Builds everything and runs every test, C++ and Python (ctest prints the summary line).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
ctest --test-dir build --output-on-failure -j "$(nproc)"
