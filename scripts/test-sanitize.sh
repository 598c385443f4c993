#!/usr/bin/env bash
# test-sanitize.sh [CTEST_ARGS...]
#
# Builds the instrumented tree (scripts/build-instrumented.sh: clang,
# AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer, into
# build-san/; incremental) and runs the whole CTest suite there. Tests run the ostree-ima binary as a child process; the options below
# make a sanitizer report in any instrumented process exit 99 (the tests check
# exit codes) and also write it to build-san/sanitizer-logs/, which is
# printed at the end, so a report in a child cannot go unnoticed.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${SANITIZE_BUILD_DIR:-build-san}
start=$(date +%s)
# scripts/test.sh builds first (INSTRUMENTED_BUILT=1), then runs the
# sanitizer suites and the fuzzers side by side.
[ "${INSTRUMENTED_BUILT:-0}" = 1 ] || SANITIZE_BUILD_DIR=$BUILD_DIR ./scripts/build-instrumented.sh
built=$(date +%s)

logs=$PWD/$BUILD_DIR/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
# log_path: one file per process (suffix .PID), next to stderr output.
export ASAN_OPTIONS=detect_leaks=1:exitcode=99:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$logs/asan:log_exe_name=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0:exitcode=99
# GLib 2.74 hands GVariants and other small blocks out of its slice
# magazines, where LeakSanitizer cannot see one that is never freed (a
# loaded dirtree kept by a reference too many went unseen):
# plain malloc makes every such leak a report.
export G_SLICE=always-malloc
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99:log_path=$logs/ubsan:log_exe_name=1
# Some tests run uninstrumented tools (ostree, evmctl, openssl): they simply
# ignore these variables.

# The kernel appraisal suite (label kernel) is left out here: its verdicts
# are the kernel's, and the signing it drives under ASan is what test_sign
# and test_pkcs11 already run; its boot would only double its time in CI.
status=0
(cd "$BUILD_DIR" && ctest --output-on-failure -j1 --timeout 1800 -LE kernel "$@") || status=$?

reports=$(find "$logs" -type f -size +0 | sort)
if [ -n "$reports" ]; then
  echo "test-sanitize.sh: sanitizer reports:" >&2
  for r in $reports; do
    echo "==== $r" >&2
    cat "$r" >&2
  done
  status=1
fi
echo "test-sanitize.sh: tests took $(( $(date +%s) - built )) s, total $(( $(date +%s) - start )) s"
exit "$status"
