#!/usr/bin/env bash
# The main job: install, build, and decide every bundled example shipment with the standard
# rule packs (rules/ear, us_sanctions, eu, screening, transport, data), screening every named party
# against the bundled restricted-party lists (lists/: the real OFAC SDN list of 2024-03-15 and the
# example CSL file).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
for request in rules/examples/*.json; do
  echo "== $request"
  build/bin/exportctl eval --format text "$request"
done
