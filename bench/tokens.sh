#!/usr/bin/env bash
# bench/tokens.sh [WORKDIR]: ostree-ima with slow and remote tokens (issue
# #12, docs/benchmarks.md). SoftHSM2 sits behind the fault-injecting module
# (tests/fault_module), which adds a per-C_Sign latency in the session that
# signs and a limit on the sessions, and logs every C_Sign (key operations
# are counted from that log):
#   network HSM: 32 signing sessions, 20 ms a signature (ideal 1,600/s)
#   TPM-like:     1 signing session, 200 ms a signature (5/s)
# Measures: the network HSM on the man-page corpus against its ideal rate;
# an incremental build (1 % of the files changed) signed with --reuse on the
# TPM-like token against a full run; a TPM-like run killed at half time and
# resumed from its --signature-cache; SoftHSM2 through p11-kit server and
# client against SoftHSM2 loaded directly. Records WORKDIR/tokens.jsonl.
# The emulation signs for real with SoftHSM2 on this machine's own cores,
# which a network HSM would not: the emulated token's ceiling here (raw
# C_Sign through our KeyBackend over its 32 sessions, bench/floor.cpp) is
# measured beside the run and reported with it.
# Environment: RUNS (default 3, medians), SMALL (default /usr/share/man),
# TPM_CORPUS (default /usr/bin), PARTS (default "network tpm p11kit").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/var/tmp/ostree-ima-tokens}
RUNS=${RUNS:-3}
SMALL=${SMALL:-/usr/share/man}
TPM_CORPUS=${TPM_CORPUS:-/usr/bin}
PARTS=${PARTS:-"network tpm p11kit"}
part() { [[ " $PARTS " == *" $1 "* ]]; }
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
RESULTS=$WORK/tokens.jsonl
: > "$RESULTS"
log() { echo "tokens: $*" >&2; }
record() { echo "$1" >> "$RESULTS"; }
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

BUILD=$ROOT/build-bench
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target ostree-ima ostree-ima-floor fault_pkcs11 >/dev/null
BIN=$BUILD/ostree-ima
FLOOR=$BUILD/bench/ostree-ima-floor
FAULT=$BUILD/tests/libfault_pkcs11.so

cd "$WORK"
if [ ! -d hsm ]; then "$ROOT/softhsm-fixtures/make-token.sh" hsm >/dev/null; fi
export SOFTHSM2_CONF=$WORK/hsm/softhsm2.conf
KEY_PATH="pkcs11:token=ostree-ima-test;object=rsa2048;type=private"
FAULT_KEY="$KEY_PATH?module-path=$FAULT"
DIRECT_KEY="$KEY_PATH?module-path=/usr/lib/softhsm/libsofthsm2.so"
CLIENT_KEY="$KEY_PATH?module-path=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so"

pristine() { # NAME DIR -> an archive repository of DIR as ref base
  local repo=$WORK/pristine-$1
  if [ ! -d "$repo" ]; then
    ostree init --repo="$repo" --mode=archive
    ostree commit --repo="$repo" --branch=base --tree=dir="$2" >/dev/null
  fi
  echo "$repo"
}
fresh() { # REPO -> a copy to sign into
  rm -rf "$WORK/copy"
  cp -a "$1" "$WORK/copy"
  echo "$WORK/copy"
}
# sign REPO KEY OUT-JSON [extra args...] with fault settings from the environment
sign() {
  local repo=$1 key=$2 out=$3
  shift 3
  "$BIN" sign --json --quiet --repo="$repo" --key="$key" --pin-file="$WORK/hsm/pin" "$@" > "$out"
}
key_ops() { grep -c C_Sign "$1" || true; }
field() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- network HSM: 32 sessions, 20 ms --------------------------------------
small=$(pristine small "$SMALL")
if part network; then
# Each run beside a measure of the emulation's ceiling, so that a change of
# the machine's load hits both.
ceilings=() times=()
for _ in $(seq "$RUNS"); do
  ceilings+=("$(FLOOR_PIN_FILE=$WORK/hsm/pin FAULT_PKCS11_LATENCY_MS=20 FAULT_PKCS11_SIGNING_SESSIONS=32 \
    "$FLOOR" sign "$FAULT_KEY" 32 8000 | python3 -c 'import json,sys; print(json.load(sys.stdin)["rate"])')")
  copy=$(fresh "$small")
  FAULT_PKCS11_LATENCY_MS=20 FAULT_PKCS11_SIGNING_SESSIONS=32 sign "$copy" "$FAULT_KEY" net.json base signed
  times+=("$(field net.json 'j["seconds"]')")
done
ceiling=$(python3 -c "print(round($(median "${ceilings[@]}")))")
log "the emulated network HSM's ceiling on this machine (raw C_Sign, 32 sessions): $ceiling/s"
made=$(field net.json 'j["signatures"]["made"]')
sec=$(median "${times[@]}")
rate=$(python3 -c "print(round($made / $sec))")
log "network HSM (32 x 20 ms), $made signatures: $sec s, $rate/s = $(python3 -c "print(round(100 * $rate / 1600))") % of 1,600/s, $(python3 -c "print(round(100 * $rate / $ceiling))") % of the emulation's ceiling here"
record "{\"name\":\"network_hsm\",\"signatures\":$made,\"seconds\":$sec,\"rate\":$rate,\"ideal\":1600,\"ceiling\":$ceiling,\"runs\":$RUNS}"
fi

# --- TPM-like: 1 session, 200 ms; full, then incremental with --reuse ------
if part tpm; then
tpm=$(pristine tpm "$TPM_CORPUS")
copy=$(fresh "$tpm")
rm -f full.log
FAULT_PKCS11_LATENCY_MS=200 FAULT_PKCS11_SIGNING_SESSIONS=1 FAULT_PKCS11_LOG=$WORK/full.log \
  sign "$copy" "$FAULT_KEY" full.json base v1-signed
full_sec=$(field full.json 'j["seconds"]')
full_ops=$(key_ops full.log)
log "TPM-like full run: $full_ops key operations, $full_sec s"
# The next build: 1 % of the files changed (their last byte).
rm -rf tree-v2
ostree checkout --repo="$copy" base tree-v2
mapfile -t files < <(find tree-v2 -type f | sort)
changed=$(( (${#files[@]} + 99) / 100 ))
for ((i = 0; i < changed; i++)); do
  f=${files[$((i * 100 % ${#files[@]}))]}
  chmod u+w "$f"
  printf 'x' >> "$f"
done
# The digests the key must make: the changed files' new contents, once each.
changed_digests=$(for ((i = 0; i < changed; i++)); do
  sha256sum < "${files[$((i * 100 % ${#files[@]}))]}"
done | sort -u | wc -l)
ostree commit --repo="$copy" --branch=v2 --tree=dir=tree-v2 >/dev/null
rm -f incr.log
FAULT_PKCS11_LATENCY_MS=200 FAULT_PKCS11_SIGNING_SESSIONS=1 FAULT_PKCS11_LOG=$WORK/incr.log \
  sign "$copy" "$FAULT_KEY" incr.json --reuse=v1-signed v2 v2-signed
incr_sec=$(field incr.json 'j["seconds"]')
incr_ops=$(key_ops incr.log)
log "TPM-like incremental ($changed files changed, $changed_digests new digests): $incr_ops key operations, $incr_sec s = $(python3 -c "print(round(100 * $incr_sec / $full_sec, 2))") % of the full run"
record "{\"name\":\"tpm_incremental\",\"files\":${#files[@]},\"changed\":$changed,\"changed_digests\":$changed_digests,\"key_operations\":$incr_ops,\"seconds\":$incr_sec,\"full_seconds\":$full_sec,\"full_key_operations\":$full_ops}"

# --- TPM-like: killed at half time, resumed from the cache ---------------
copy=$(fresh "$tpm")
rm -f run1.log run2.log resume.cache
FAULT_PKCS11_LATENCY_MS=200 FAULT_PKCS11_SIGNING_SESSIONS=1 FAULT_PKCS11_LOG=$WORK/run1.log \
  "$BIN" sign --quiet --repo="$copy" --key="$FAULT_KEY" --pin-file="$WORK/hsm/pin" \
  --signature-cache="$WORK/resume.cache" base signed >/dev/null 2>&1 &
pid=$!
sleep "$(python3 -c "print($full_sec / 2)")"
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
ops1=$(key_ops run1.log)
FAULT_PKCS11_LATENCY_MS=200 FAULT_PKCS11_SIGNING_SESSIONS=1 FAULT_PKCS11_LOG=$WORK/run2.log \
  sign "$copy" "$FAULT_KEY" resume.json --signature-cache="$WORK/resume.cache" base signed
ops2=$(key_ops run2.log)
unique=$(field full.json 'j["signatures"]["made"]')
log "TPM-like killed at half time after $ops1 key operations, resumed with $ops2: $((ops1 + ops2)) in all for $unique unique digests"
record "{\"name\":\"tpm_resume\",\"first_run_key_operations\":$ops1,\"second_run_key_operations\":$ops2,\"unique_digests\":$unique,\"sessions\":1}"

fi

# --- p11-kit server/client against SoftHSM2 loaded directly --------------
if part p11kit; then
rm -f p11.sock
p11-kit server -f --provider /usr/lib/softhsm/libsofthsm2.so -n "$WORK/p11.sock" \
  'pkcs11:token=ostree-ima-test' >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do [ -S p11.sock ] && break; sleep 0.1; done
export P11_KIT_SERVER_ADDRESS=unix:path=$WORK/p11.sock
direct=() remote=()
for _ in $(seq "$RUNS"); do
  copy=$(fresh "$small")
  sign "$copy" "$DIRECT_KEY" direct.json base signed
  direct+=("$(field direct.json 'j["seconds"]')")
  copy=$(fresh "$small")
  sign "$copy" "$CLIENT_KEY" remote.json base signed
  remote+=("$(field remote.json 'j["seconds"]')")
done
kill "$server" 2>/dev/null || true
d=$(median "${direct[@]}")
r=$(median "${remote[@]}")
log "SoftHSM2 direct $d s, through p11-kit server/client $r s: $(python3 -c "print(round($r / $d, 2))")x"
record "{\"name\":\"p11kit_remote\",\"direct_seconds\":$d,\"remote_seconds\":$r,\"ratio\":$(python3 -c "print(round($r / $d, 3))"),\"runs\":$RUNS}"
fi
rm -rf "$WORK/copy" tree-v2
