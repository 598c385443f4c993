#!/usr/bin/env bash
# Configures and builds ostree-ima into BUILD_DIR (default: build/).
# Extra arguments go to cmake, e.g. -DOSTREE_IMA_SANITIZE=ON.
#   TESTS=OFF       configure without the test suites (the demo)
#   TARGET=NAME     build one target (the demo: ostree-ima)
#   UNITY=ON        one compiler run per batch of sources (CMake's unity
#                   build): the demo's build in a third of the CPU time, as
#                   the GLib, libostree, OpenSSL and CLI11 headers are then
#                   parsed once per batch; CI and developers compile each
#                   file alone (the default), which keeps every file's
#                   includes honest
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# Warnings are errors here (developers, CI), not for packagers (the default).
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DOSTREE_IMA_WERROR="${WERROR:-ON}" -DOSTREE_IMA_TESTS="${TESTS:-ON}" \
  -DCMAKE_UNITY_BUILD="${UNITY:-OFF}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" ${TARGET:+--target "$TARGET"}
