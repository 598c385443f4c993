#!/usr/bin/env bash
# build-instrumented.sh: the one instrumented build (default build-san/),
# which serves the CTest suites under AddressSanitizer +
# UndefinedBehaviorSanitizer (scripts/test-sanitize.sh), the libFuzzer
# targets (scripts/fuzz.sh) and clang-tidy's compile database
# (scripts/analyze.sh). clang 14, every object compiled with
# -fsanitize=address,undefined and libFuzzer's coverage (fuzzer-no-link;
# only the fuzz targets link libFuzzer's main), -O1 (what the sanitizers'
# manuals advise) with line tables for the reports, warnings as errors, and
# a unity build (CMake's: one compiler run per batch of sources): the build
# is only a means here, and the per-file compile of the gcc build keeps
# every file's includes honest. Incremental: a second call rebuilds only
# what changed. Extra arguments go to cmake. CONFIGURE_ONLY=1 stops after
# configuring (scripts/analyze.sh needs only the compile database).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${SANITIZE_BUILD_DIR:-build-san}
start=$(date +%s)
flags="-O1 -gline-tables-only -DNDEBUG"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" \
  -DOSTREE_IMA_FUZZ=ON -DOSTREE_IMA_WERROR=ON -DCMAKE_UNITY_BUILD=ON "$@" >/dev/null
[ "${CONFIGURE_ONLY:-0}" = 1 ] && exit 0
cmake --build "$BUILD_DIR" -j"$(nproc)"
echo "build-instrumented.sh: $BUILD_DIR built in $(( $(date +%s) - start )) s"
