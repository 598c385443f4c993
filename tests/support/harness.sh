# harness.sh: what the shell test harnesses (tests/kernel/run-kernel-appraisal.sh,
# tests/deploy/run-deploy.sh) share. Source it after setting `harness` to the
# name that prefixes every line; `work` must name the scratch directory
# before run or remove_work is called.

log() { echo "$harness: $*"; }
fail() { echo "$harness: FAILED: $*" >&2; exit 1; }

# With prerequisites missing (the array `missing`): skipped (exit 77, as
# CTest's SKIP_RETURN_CODE), or a failure under OSTREE_IMA_REQUIRE_ALL=1 (CI).
skip_if_missing() {
  [ ${#missing[@]} -eq 0 ] && return 0
  local m
  for m in "${missing[@]}"; do echo "$harness: missing: $m" >&2; done
  if [ "${OSTREE_IMA_REQUIRE_ALL:-0}" = 1 ]; then
    fail "prerequisites missing and OSTREE_IMA_REQUIRE_ALL=1"
  fi
  echo "$harness: skipped" >&2
  exit 77
}

# The scratch directory goes, unless OSTREE_IMA_KEEP_TEST_DIRS=1.
remove_work() {
  if [ "${OSTREE_IMA_KEEP_TEST_DIRS:-0}" = 1 ]; then
    log "kept $work"
  else
    rm -rf "$work"
  fi
}

# CTest's timeout or ^C end the script through its EXIT trap (clean-up).
exit_on_signals() {
  trap 'exit 143' TERM
  trap 'exit 130' INT
}

# Quiet tools, loud failures: their output is kept for the message.
run() {
  if ! "$@" >"$work/cmd.log" 2>&1; then
    cat "$work/cmd.log" >&2
    fail "$*"
  fi
}
