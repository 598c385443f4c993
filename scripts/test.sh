#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: what CI runs.
#   1. the CTest suites (Boost.Test) on the normal build, with the kernel
#      appraisal suite (tests/kernel/: a 6.12 kernel under QEMU judges
#      signed checkouts; the kernel comes from scripts/fetch-test-kernel.sh)
#   2. every example of README.md and docs/*.md run as written against a
#      fresh SoftHSM2 token and demo repository, the output they show
#      compared, their links checked (scripts/check-docs-examples.sh on
#      build/ostree-ima, after its --self-test; about 20 s), and the
#      README's demo itself (scripts/demo.sh: its unity build of the binary
#      in build-demo/, then the demo; about 2.5 minutes)
#   3. the CTest suites under AddressSanitizer + UndefinedBehaviorSanitizer
#   4. each libFuzzer target for 20 s
#   5. clang-tidy and cppcheck, and the clang-format check
#   6. the installed library: cmake --install, the example built against it
#      (scripts/check-install.sh), and the Debian packages: built from a
#      clean checkout, lintian, installed and used (scripts/check-packages.sh)
# QUICK=1 runs step 1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
./scripts/install-deps.sh
# A packager's build type, with the tests and warnings as errors: the one
# Release build of CI (the sanitizer and fuzz builds are their own).
BUILD_TYPE=Release ./scripts/build.sh
# Everything is installed here: a suite that lacks a prerequisite fails
# instead of being reported as skipped (tests/support/prerequisites.hpp).
export OSTREE_IMA_REQUIRE_ALL=1

passed=0
failed=0
step() { # NAME COMMAND...
  local name=$1 t0=$SECONDS
  shift
  echo "=== test.sh: $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "=== test.sh: $name: passed in $((SECONDS - t0)) s"
  else
    failed=$((failed + 1))
    echo "=== test.sh: $name: FAILED after $((SECONDS - t0)) s"
  fi
}
ctest_suites() { (cd build && ctest --output-on-failure -j1 --timeout 900); }
readme_demo() { # the demo's work directory is removed here, kept for a user
  local dir rc=0
  dir=$(mktemp -d /var/tmp/ostree-ima-ci-demo-XXXXXX)
  BUILD_DIR=build-demo DEMO_DIR=$dir/demo ./scripts/demo.sh || rc=$?
  rm -rf "$dir"
  return "$rc"
}
docs_examples() {
  ./scripts/check-docs-examples.sh --self-test &&
    ./scripts/check-docs-examples.sh --bin=build/ostree-ima
}

step "ctest" ctest_suites
if [ "${QUICK:-0}" != 1 ]; then
  step "docs examples" docs_examples
  step "README demo" readme_demo
  step "ctest under ASan+UBSan" ./scripts/test-sanitize.sh
  step "fuzz (20 s per target)" ./scripts/fuzz.sh 20
  step "clang-tidy + cppcheck" ./scripts/analyze.sh
  step "clang-format" ./scripts/check-format.sh
  step "install + example" ./scripts/check-install.sh
  step "Debian packages" ./scripts/check-packages.sh
fi
echo "test.sh: finished in $(( $(date +%s) - start )) s"
echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
