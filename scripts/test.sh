#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
./scripts/install-deps.sh
./scripts/build.sh
cd build
ctest --output-on-failure -j1 --timeout 900
echo "test.sh: finished in $(( $(date +%s) - start )) s"
