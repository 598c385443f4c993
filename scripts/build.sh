#!/usr/bin/env bash
# Configures and builds ostree-ima into BUILD_DIR (default: build/).
# Extra arguments go to cmake, e.g. -DOSTREE_IMA_SANITIZE=ON.
#   TESTS=OFF       configure without the test suites (the demo)
#   TARGET=NAME     build one target (the demo: ostree-ima)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# Warnings are errors here (developers, CI), not for packagers (the default).
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DOSTREE_IMA_WERROR="${WERROR:-ON}" -DOSTREE_IMA_TESTS="${TESTS:-ON}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" ${TARGET:+--target "$TARGET"}
