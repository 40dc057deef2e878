#!/usr/bin/env bash
# Installs the build into a staging prefix, builds tests/consumer (the README's embedding
# example) against it with find_package, and runs it and the installed CLI on installed rules.
# Usage: consumer_test.sh BUILD_DIR SOURCE_DIR EXAMPLE_SOURCE [CXX_FLAGS of the build]
set -euo pipefail
build=$1; src=$2; example=$3; flags=${4:-}
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
cmake --install "$build" --prefix "$stage/prefix" > /dev/null
# Public headers must not need Boost (the design card).
if grep -rn "boost" "$stage/prefix/include/exportctl"; then echo "FAIL: Boost in public headers"; exit 1; fi
cmake -S "$src/tests/consumer" -B "$stage/build" -G Ninja -DCMAKE_PREFIX_PATH="$stage/prefix" \
  -DEXAMPLE_SOURCE="$example" -DCMAKE_CXX_FLAGS="$flags" > /dev/null
cmake --build "$stage/build" > /dev/null
rules=$stage/prefix/share/exportctl/rules
out=$("$stage/build/consumer" "$rules/examples/pack" "$rules/examples/ebola-to-brazil.json")
grep -q '"outcome":"license_required"' <<<"$out" || { echo "FAIL: consumer: $out"; exit 1; }
out=$(cd "$stage" && EXPORTCTL_RULES="$rules" "$stage/prefix/bin/exportctl" eval "$rules/examples/ebola-to-brazil.json")
grep -q '"rule":"ear.ccl.chart_column"' <<<"$out" || { echo "FAIL: installed CLI: $out"; exit 1; }
echo "consumer: find_package build and run OK; installed CLI OK"
