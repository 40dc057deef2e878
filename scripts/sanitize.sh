#!/usr/bin/env bash
# Builds the C++ library, CLI and tests with gcc under a sanitizer and runs ctest there (the
# Python bindings are not built: CPython is not instrumented). Installs what is missing first
# (Debian 12 packages only, as scripts/setup.sh).
#
#   scripts/sanitize.sh asan   AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/: any
#                              memory error, leak or undefined behaviour fails its test
#                              (-fno-sanitize-recover=undefined), and libstdc++'s assertions are on
#   scripts/sanitize.sh tsan   ThreadSanitizer into build-tsan/: any data race fails its test
#                              (tests/concurrency_test.cc: threads sharing a Policy, lists and
#                              licenses; the CLI's --batch --threads in tests/cli_test.sh)
#
# Extra arguments go to ctest (e.g. -R Concurrency).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
shift || true
case "$mode" in
  asan)
    flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    flags+=" -D_GLIBCXX_ASSERTIONS"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    ;;
  tsan)
    flags="-fsanitize=thread"
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
    ;;
  *)
    echo "usage: scripts/sanitize.sh asan|tsan [CTEST_ARGS...]" >&2
    exit 2
    ;;
esac
build=build-$mode

pkgs=(g++ cmake ninja-build ccache pkg-config libboost-dev libabsl-dev libsimdjson-dev libssl-dev
      libgtest-dev libgmock-dev libpugixml-dev libutf8proc-dev python3)
source scripts/install_missing.sh
install_missing "${pkgs[@]}"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXPORTCTL_BUILD_TESTS=ON \
  -DEXPORTCTL_BUILD_PYTHON=OFF -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
  -DCMAKE_SHARED_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}"
ctest --test-dir "$build" --output-on-failure -j "${JOBS:-$(nproc)}" "$@"
