#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan into build-fuzz/ and runs
# each for SECONDS (default 60), one after the other. Exits 1, naming the target and the input,
# on any crash (a broken invariant is one), leak, timeout (10 s an input) or out-of-memory
# (2 GiB); the input is copied into tests/fuzz/regressions/TARGET/, which the ordinary test run
# replays (ctest -L fuzz). Installs what is missing first (Debian 12 packages only).
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]    (targets: parser request eval lists licenses audit;
#                                                 default: every target of tests/fuzz/CMakeLists.txt)
# The working corpora (build-fuzz/corpus/TARGET/, seeded from the repository each run) grow
# across runs; the logs are in build-fuzz/logs/, the raw findings in build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
build=build-fuzz

pkgs=(clang libclang-rt-14-dev cmake ninja-build pkg-config libboost-dev libabsl-dev
      libsimdjson-dev libssl-dev libpugixml-dev libutf8proc-dev)
source scripts/install_missing.sh
install_missing "${pkgs[@]}"

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEXPORTCTL_FUZZ=ON -DEXPORTCTL_BUILD_TESTS=OFF -DEXPORTCTL_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" --target exportctl_fuzz -j "${JOBS:-$(nproc)}"

manifest=$build/fuzz_targets.txt
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(awk '$1 == "target" { print $2 }' "$manifest")
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
failed=()
summary=()
for t in "${targets[@]}"; do
  bin=$(awk -v t="$t" '$1 == "target" && $2 == t { print $3 }' "$manifest")
  if [ -z "$bin" ]; then
    echo "fuzz.sh: no target $t in $manifest" >&2
    exit 2
  fi
  corpus=$build/corpus/$t
  artifacts=$build/artifacts/$t
  log=$build/logs/$t.log
  mkdir -p "$corpus" "$build/logs"
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  # Seed files are copied into the working corpus (named by content, as libFuzzer names its own);
  # seed directories (regressions, hand-made seeds) are read in place, never written.
  dirs=()
  while read -r seed; do
    if [ -d "$seed" ]; then
      dirs+=("$seed")
    elif [ -f "$seed" ]; then
      cp -n "$seed" "$corpus/$(sha1sum "$seed" | cut -c1-40)"
    fi
  done < <(awk -v t="$t" '$1 == "seed" && $2 == t { print $3 }' "$manifest")
  dict=$(awk -v t="$t" '$1 == "dict" && $2 == t { print "-dict=" $3 }' "$manifest")
  mapfile -t options < <(awk -v t="$t" '$1 == "option" && $2 == t { print $3 }' "$manifest")
  echo "fuzzing $t for ${seconds}s (log: $log)"
  rc=0
  # -entropic=0: libFuzzer 14's entropic schedule updates a frequency per feature on every run,
  # which took 60% of the time at the ~40k features a compile reaches (3x the executions
  # without it, and more coverage in the same time).
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -entropic=0 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" $dict "${options[@]}" "$corpus" \
    "${dirs[@]}" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$log" | tail -1)
  summary+=("$(printf '%-10s %6ss %12s execs %8s exec/s  cov %s' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}")")
  if [ "$rc" -ne 0 ]; then
    found=0
    for f in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
      [ -e "$f" ] || continue
      found=1
      mkdir -p "tests/fuzz/regressions/$t"
      cp "$f" "tests/fuzz/regressions/$t/"
      kind=$(basename "$f" | cut -d- -f1)
      failed+=("$t: $kind: $f (kept as tests/fuzz/regressions/$t/$(basename "$f"))")
    done
    [ "$found" -eq 1 ] || failed+=("$t: exit $rc without a finding; see $log")
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*invariant broken)' "$log" | head -5 || true
  fi
done

echo
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "FAILED:"
  printf '  %s\n' "${failed[@]}"
  exit 1
fi
echo "no crash, leak, timeout or out-of-memory"
