#!/usr/bin/env bash
# Configures and builds ostree-ima into BUILD_DIR (default: build/).
# Extra arguments go to cmake, e.g. -DOSTREE_IMA_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# Warnings are errors here (developers, CI), not for packagers (the default).
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DOSTREE_IMA_WERROR="${WERROR:-ON}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
