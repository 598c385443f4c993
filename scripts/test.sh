#!/usr/bin/env bash
# Installs dependencies, builds, and runs every check: what CI runs.
# The tree is compiled twice, each build serving several steps:
#   A. g++: the Debian package build (dpkg-buildpackage in a clean copy of
#      the tracked files, with the test suites and warnings as errors;
#      scripts/check-packages.sh). Its tree serves CTest, the docs'
#      examples and the install check; its packages are linted, installed
#      and used.
#   B. clang: one instrumented build (ASan + UBSan + libFuzzer coverage, a
#      unity build; scripts/build-instrumented.sh) for the suites under the
#      sanitizers, the fuzz targets and clang-tidy's compile database.
# Steps (docs/testing.md says which step guards what):
#   1. packages: build A; dh_auto_test runs the suites that need nothing
#      outside the build; lintian; the .debs installed and used (the
#      README's demo with the installed binary, a signed repository, the
#      example built against libostree-ima-dev)
#   2. ctest: every other suite on build A, the kernel suites
#      (tests/kernel/: a 6.12 kernel under QEMU judges signed checkouts
#      and deployments) and the sysroot deploy test included
#   3. every example of README.md and docs/*.md run as written
#      (scripts/check-docs-examples.sh on build A's binary, after its
#      --self-test)
#   4. the installed library: cmake --install of build A, the example
#      built against it (scripts/check-install.sh)
#   5. the clang-format check
#   6. build B, started at the lowest priority beside step 1 (it uses the
#      CPU the other steps leave idle), waited for here
#   7. side by side: the CTest suites under ASan + UBSan
#      (scripts/test-sanitize.sh, one at a time) | each libFuzzer target
#      for 20 s from a fixed seed (scripts/fuzz.sh), then clang-tidy and
#      cppcheck (scripts/analyze.sh, two processes), these two at the
#      lowest priority: they take the CPU the suites leave, then all of it
# The README's demo runs in step 1 with the packaged binary; CI does not
# compile the tree a third time for the demo's own build (a duplicate of
# build A's compiler and build B's unity build).
# QUICK=1: only what the build and the suites need installed
# (install-deps.sh --tests), a Release build with the suites in build/
# (scripts/build.sh) and the CTest suites on it, nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
if [ "${QUICK:-0}" = 1 ]; then ./scripts/install-deps.sh --tests; else ./scripts/install-deps.sh; fi
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
finish() {
  echo "test.sh: finished in $(( $(date +%s) - start )) s"
  echo "test.sh: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

if [ "${QUICK:-0}" = 1 ]; then
  BUILD_TYPE=Release ./scripts/build.sh
  step "ctest" bash -c 'cd build && ctest --output-on-failure -j1 --timeout 900'
  finish
  exit
fi

# Build A lives in a scratch directory beside the clone; removed at the end.
work=$(mktemp -d /var/tmp/ostree-ima-ci-XXXXXX)
builder=
trap '[ -z "$builder" ] || kill -- "-$builder" 2>/dev/null; rm -rf "$work"' EXIT
# Build B compiles from the start at the lowest priority: it takes only
# the CPU that build A and the steps on it leave idle (the suites run one
# at a time, the package checks mostly on one core), so their timing is
# as on a quiet machine.
# setsid: its own process group, ended with the run. A new session is also
# a new scheduler autogroup, whose weight nice does not lower: the group's
# own nice is set too, where the kernel has autogroups.
b0=$SECONDS
# shellcheck disable=SC2016 # the inner shell's
setsid sh -c '[ ! -w /proc/self/autogroup ] || echo 19 >/proc/self/autogroup || true
  exec nice -n 19 ./scripts/build-instrumented.sh' >"$work/build-b.log" 2>&1 &
builder=$!
step "packages (build A: dpkg-buildpackage, dh_auto_test, lintian, installed and used)" \
  env PACKAGES_DIR="$work/packages" OSTREE_IMA_WERROR=ON ./scripts/check-packages.sh
build=$(echo "$work"/packages/ostree-ima/obj-*)
if [ ! -x "$build/ostree-ima" ]; then
  echo "test.sh: no build tree from the package build; the other steps of build A cannot run" >&2
  failed=$((failed + 1))
else
  # The suites dh_auto_test ran (label selfcontained) are not run again.
  step "ctest (build A)" bash -c \
    "cd '$build' && ctest --output-on-failure -j1 --timeout 900 -LE selfcontained"
  step "docs examples" bash -c "./scripts/check-docs-examples.sh --self-test &&
    ./scripts/check-docs-examples.sh --bin='$build/ostree-ima'"
  step "install + example (build A)" env BUILD_DIR="$build" ./scripts/check-install.sh
fi
step "clang-format" ./scripts/check-format.sh

build_b() {
  local rc=0
  wait "$builder" || rc=$?
  builder=
  cat "$work/build-b.log"
  echo "test.sh: build B took $((SECONDS - b0)) s since it started beside the others"
  return "$rc"
}
step "build B (clang, ASan + UBSan + fuzzer coverage; waited for)" build_b
# The sanitizer suites run one test at a time, mostly on one core; the
# fuzzers and the analysers take what they leave, at the lowest priority so
# that the suites' timing is as on a quiet machine, and both cores once the
# suites are done.
lane() { # LOG NAME COMMAND...: a step whose output goes to LOG
  local log=$1
  shift
  step "$@" >"$log" 2>&1
}
export INSTRUMENTED_BUILT=1
(
  lane "$work/fuzz.log" "fuzz (20 s per target, seed 1)" nice -n 19 ./scripts/fuzz.sh 20
  lane "$work/analyze.log" "clang-tidy + cppcheck" env ANALYZE_JOBS=2 nice -n 19 ./scripts/analyze.sh
) &
lane2=$!
step "ctest under ASan+UBSan (build B)" ./scripts/test-sanitize.sh
wait "$lane2" || true
for log in "$work/fuzz.log" "$work/analyze.log"; do
  cat "$log"
  if grep -q '^=== test.sh: .*: passed in ' "$log"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
finish
