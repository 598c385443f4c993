#!/usr/bin/env bash
# fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Builds the libFuzzer targets of tests/fuzz in the instrumented tree
# (scripts/build-instrumented.sh: clang, ASan + UBSan, build-san/;
# incremental) and runs each for SECONDS_PER_TARGET (default 60; CI: 20; a
# long run: 600), starting from its seed corpus, with libFuzzer's random
# seed fixed (FUZZ_SEED, default 1; printed): the same seed, corpus and
# binary give the same inputs in the same order, so a run is repeated with
# `-seed=S -runs=N`, N the executed units it printed. Exits non-zero if any target
# crashes, leaks, times out or runs out of memory; the crashing input is
# copied to tests/fuzz/regressions/<target>/ (commit it once fixed: the
# <target>_replay CTest tests then replay it in every build).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
BUILD_DIR=${SANITIZE_BUILD_DIR:-build-san}
SEED=${FUZZ_SEED:-1}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(fuzz_certificate fuzz_ima_xattr fuzz_key_id fuzz_manifest fuzz_pin_file
           fuzz_pkcs11_uri fuzz_signatures)
fi

start=$(date +%s)
# scripts/test.sh builds first (INSTRUMENTED_BUILT=1), then runs the
# sanitizer suites and the fuzzers side by side.
[ "${INSTRUMENTED_BUILT:-0}" = 1 ] || SANITIZE_BUILD_DIR=$BUILD_DIR ./scripts/build-instrumented.sh

# Leaks inside GLib/libostree/p11-kit are not ours: same list as the tests.
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# As in test-sanitize.sh: GLib slices hide leaks from LeakSanitizer.
export G_SLICE=always-malloc
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for target in "${TARGETS[@]}"; do
  seeds=tests/fuzz/corpus/$target
  regressions=tests/fuzz/regressions/$target
  # New inputs go to a scratch corpus: the committed seeds stay small.
  mkdir -p "$work/$target" "$work/$target-artifacts"
  inputs=("$work/$target")
  [ -d "$seeds" ] && inputs+=("$seeds")
  [ -d "$regressions" ] && inputs+=("$regressions")
  echo "fuzz.sh: $target for ${SECONDS_PER_TARGET} s, -seed=$SEED"
  if ! "$BUILD_DIR/tests/fuzz/$target" -seed="$SEED" -max_total_time="$SECONDS_PER_TARGET" \
      -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/$target-artifacts/" "${inputs[@]}" \
      >"$work/$target.log" 2>&1; then
    failed+=("$target")
    tail -n 60 "$work/$target.log" >&2
    mkdir -p "$regressions"
    for artifact in "$work/$target-artifacts"/*; do
      [ -e "$artifact" ] || continue
      cp "$artifact" "$regressions/"
      echo "fuzz.sh: $target: kept $regressions/$(basename "$artifact")" >&2
    done
  else
    grep -E '^stat::(number_of_executed_units|new_units_added):' "$work/$target.log" |
      sed "s/^/fuzz.sh: $target: /"
  fi
done

echo "fuzz.sh: finished in $(( $(date +%s) - start )) s"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
