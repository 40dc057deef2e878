#!/usr/bin/env bash
# The main job: install, build, and decide every bundled example shipment with the standard
# rule packs (rules/ear, us_sanctions, eu, transport, data).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
for request in rules/examples/*.json; do
  echo "== $request"
  build/bin/exportctl eval --format text "$request"
done
