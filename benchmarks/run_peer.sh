#!/usr/bin/env bash
# The peer comparison in one command: generates the workload (../shared/bench, ported to
# Python), builds a Release tree, runs benchmarks/peer/peer_bench (exportctl beside the plain
# C++ floor) and times `exportctl eval --batch` end to end over the 100k JSON lines.
#   benchmarks/run_peer.sh            (BUILD=build-bench, the workload in $BUILD/peer)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build-bench}
work=$build/peer
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEXPORTCTL_BUILD_BENCHMARKS=ON \
  -DEXPORTCTL_BUILD_TESTS=OFF -DEXPORTCTL_BUILD_PYTHON=OFF > /dev/null
cmake --build "$build" --target peer_bench exportctl_cli > /dev/null
/usr/bin/python3 benchmarks/peer/workload.py "$work"
# The committed policy is the one the workload generates.
cmp -s "$work/policy.ecr" benchmarks/peer/policy.ecr ||
  { echo "benchmarks/peer/policy.ecr differs from the generated one" >&2; exit 1; }

echo "peer workload: 100,000 requests, single thread unless noted ($(nproc) cores)"
"$build/bin/peer_bench" "$work"

# --batch: JSON Lines in, decisions out, including decoding and serialising; best of 3, the
# variants interleaved round by round (the machine is noisy). The 100k-line file includes
# ~10 ms of process start; 5 copies of it (500k lines) show the rate once that is amortised.
# Issue 13's license figures run beside the plain ones: `--licenses` with the 1,000-license
# repository, the shipments naming no license (each requirement checked for licenses_available)
# and each naming one (license_checks, licenses_used, draws in input order).
for _ in 1 2 3 4 5; do cat "$work/shipments.jsonl"; done > "$work/shipments5.jsonl"
variants=(
  "shipments|"
  "shipments5|"
  "shipments|--licenses $work/licenses.jsonl"
  "shipments-named|--licenses $work/licenses.jsonl"
  "shipments|--audit-log $work/audit.jsonl"
)
declare -A best
for _ in 1 2 3; do
  for v in "${variants[@]}"; do
    input=${v%%|*} extra=${v#*|}
    lines=$(wc -l < "$work/$input.jsonl")
    for threads in 1 2; do
      rm -f "$work/audit.jsonl"  # a fresh log each run (appending would only grow the file)
      start=$(date +%s%N)
      # shellcheck disable=SC2086
      "$build/bin/exportctl" eval --batch --threads "$threads" --rules benchmarks/peer/policy.ecr \
        $extra "$work/$input.jsonl" > "$work/decisions-$input-$threads${extra:+-${extra:2:5}}.jsonl"
      ns=$(( $(date +%s%N) - start ))
      rate=$(( lines * 1000000000 / ns ))
      key="$v|$threads"
      (( rate > ${best[$key]:-0} )) && best[$key]=$rate
    done
  done
done
for v in "${variants[@]}"; do
  input=${v%%|*} extra=${v#*|}
  lines=$(wc -l < "$work/$input.jsonl")
  for threads in 1 2; do
    out="$work/decisions-$input-$threads${extra:+-${extra:2:5}}.jsonl"
    counts=$(grep -o '^{"request":"[0-9]*","outcome":"[a-z_]*"' "$out" |
             sed 's/.*"outcome":"//; s/"$//' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')
    label="exportctl eval --batch --threads $threads"
    [[ $extra == --licenses* ]] && label+=" --licenses (1,000)"
    [[ $extra == --audit-log* ]] && label+=" --audit-log"
    [[ $input == shipments-named ]] && label+=" named"
    printf "%-58s %10d   (%d lines, process start included; %s)\n" \
      "$label" "${best[$v|$threads]}" "$lines" "$counts"
  done
done

# Compile time and peak memory of a 10,000-rule generated pack (the whole `exportctl check`).
/usr/bin/python3 benchmarks/gen_pack.py 10000 > "$work/pack10k.ecr"
/usr/bin/time -f "compile 10,000 rules (exportctl check): %e s wall, %M KB max resident" \
  "$build/bin/exportctl" check --rules "$work/pack10k.ecr" > /dev/null
