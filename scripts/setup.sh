#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages only), then configures and builds exportctl.
# Usage: scripts/setup.sh [BUILD_DIR]    (run as root on a fresh machine)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
pkgs=(g++ cmake ninja-build ccache pkg-config libboost-dev libabsl-dev libsimdjson-dev libssl-dev
      libgtest-dev libgmock-dev libbenchmark-dev pybind11-dev python3-dev python3-pytest
      libpugixml-dev libutf8proc-dev)
source scripts/install_missing.sh
install_missing "${pkgs[@]}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEXPORTCTL_BUILD_TESTS=ON -DEXPORTCTL_BUILD_PYTHON=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
