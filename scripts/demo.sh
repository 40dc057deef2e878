#!/usr/bin/env bash
# The main job: install, build, and decide every bundled example shipment.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
for request in rules/examples/*.json; do
  echo "== $request"
  build/bin/exportctl eval --rules rules/examples/pack --format text "$request"
done
