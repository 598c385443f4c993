#!/usr/bin/env bash
# ostree-ima benchmark: ostree-ima sign against the tools people use today and
# against the floor of the work, side by side in one run on the same corpora.
# See docs/benchmarks.md. Usage: bench/run.sh [WORKDIR]
# Environment: RUNS (default 3, medians), SAMPLE (files for the evmctl-per-file
# model, default 400), SCALE_FILES (synthetic commit sizes, default "20000 200000",
# "" for none),
# CORPORA (default "usrbin libs small"), MODES (default "archive bare-user"),
# SKIP_HSM=1 to leave SoftHSM2 out, PIPELINE=0 to leave the shell pipeline out,
# SAMPLE=0 to leave the per-file model out, SETTLE (seconds after deletions).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/var/tmp/ostree-ima-bench}
RUNS=${RUNS:-3}
SAMPLE=${SAMPLE:-400}
SCALE_FILES=${SCALE_FILES-"20000 200000"} # "" for none
PIPELINE_RUNS=${PIPELINE_RUNS:-$RUNS}
CORPORA=${CORPORA:-"usrbin libs small"}
JOBS=$(nproc)
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
RESULTS=$WORK/results.jsonl
: > "$RESULTS"

"$ROOT/scripts/install-deps.sh" >/dev/null
BUILD_DIR=$ROOT/build-bench BUILD_TYPE=Release WERROR=OFF "$ROOT/scripts/build.sh" -DOSTREE_IMA_TESTS=OFF >/dev/null
BIN=$ROOT/build-bench/ostree-ima
FLOOR=$ROOT/build-bench/bench/ostree-ima-floor

log() { echo "bench: $*" >&2; }

# ext4 without a journal (as on this project's machines) skips inodes deleted
# in the last 60 s when it allocates new ones, so a tree deleted just before a
# timed run makes every file that run creates slower (see docs/benchmarks.md).
# Timed runs therefore never follow a deletion: fresh copies displace old ones
# into the trash, which is emptied between corpora, followed by a settle time.
TRASH=$WORK/trash
SETTLE=${SETTLE:-65}
mkdir -p "$TRASH"
displace() { echo "if [ -e '$1' ]; then mv '$1' \"\$(mktemp -d -p '$TRASH')/\"; fi"; }
empty_trash() { rm -rf "${TRASH:?}"/*; sync; sleep "$SETTLE"; }
# The page cache: on this project's VMs, filling new page cache costs 1.2 to
# 5 s of system CPU per GB depending on how full the cache already is (see
# docs/benchmarks.md), which moved bare-user ratios by up to 50 % between
# runs. Every timed step therefore starts from the same state: caches
# dropped (when root), then the repository it reads re-read, so reads are
# warm and writes find free memory. Prints a command for --prepare.
reset_cache() { echo "{ sync; if [ -w /proc/sys/vm/drop_caches ]; then echo 1 > /proc/sys/vm/drop_caches; fi; find '$1' -type f -exec cat {} + > /dev/null; }"; }
record() { echo "$1" >> "$RESULTS"; }
median_of() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

# hyperfine NAME PREPARE COMMAND -> records the median seconds.
timed() {
  local name=$1 prepare=$2 cmd=$3 json runs=${4:-$RUNS}
  json=$(mktemp)
  hyperfine --runs "$runs" --style none --prepare "$prepare" --export-json "$json" "$cmd" >/dev/null 2>&1 ||
    { log "FAILED: $name: $cmd"; rm -f "$json"; return 1; }
  local med
  med=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$json")
  rm -f "$json"
  record "{\"name\":\"$name\",\"seconds\":$med,\"runs\":$runs}"
  log "$name: $med s (median of $runs)"
}

# Peak resident set of one run, in KiB.
peak_rss() {
  local name=$1 prepare=$2 cmd=$3 out tf
  bash -c "$prepare"
  tf=$(mktemp)
  /usr/bin/time -o "$tf" -f '%M' bash -c "$cmd" >/dev/null 2>&1
  out=$(tail -1 "$tf"); rm -f "$tf"
  record "{\"name\":\"$name\",\"peak_kib\":$out}"
  log "$name: peak RSS $out KiB"
}

# --- keys ---------------------------------------------------------------
cd "$WORK"
if [ ! -f key.pem ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
  openssl req -new -x509 -key key.pem -subj "/CN=ostree-ima bench" -addext subjectKeyIdentifier=hash \
    -days 30 -outform DER -out cert.der
fi
HSM=""
if [ "${SKIP_HSM:-0}" != 1 ]; then
  [ -f hsm/softhsm2.conf ] || "$ROOT/softhsm-fixtures/make-token.sh" --force hsm >/dev/null
  export SOFTHSM2_CONF=$WORK/hsm/softhsm2.conf
  HSM="pkcs11:token=ostree-ima-test;object=rsa2048;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so"
  cat > engine.cnf <<CNF
openssl_conf = init
[init]
engines = engines
[engines]
pkcs11 = pkcs11
[pkcs11]
engine_id = pkcs11
dynamic_path = /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so
MODULE_PATH = /usr/lib/softhsm/libsofthsm2.so
init = 0
CNF
fi

# --- floors of the key ---------------------------------------------------
rates=()
for _ in $(seq "$RUNS"); do rates+=("$("$FLOOR" sign "$WORK/key.pem" "$JOBS" 20000 | python3 -c 'import json,sys; print(json.load(sys.stdin)["rate"])')"); done
record "{\"name\":\"floor-sign-pem\",\"rate\":$(median_of "${rates[@]}")}"
log "PEM RSA-2048 signs $(median_of "${rates[@]}")/s on $JOBS threads"
if [ -n "$HSM" ]; then
  rates=()
  for _ in $(seq "$RUNS"); do rates+=("$(FLOOR_PIN_FILE=$WORK/hsm/pin "$FLOOR" sign "$HSM" "$JOBS" 10000 | python3 -c 'import json,sys; print(json.load(sys.stdin)["rate"])')"); done
  record "{\"name\":\"floor-sign-hsm\",\"rate\":$(median_of "${rates[@]}")}"
  log "SoftHSM2 RSA-2048 raw C_Sign $(median_of "${rates[@]}")/s over $JOBS sessions"
fi

# --- corpora -------------------------------------------------------------
pick_small() {
  for d in /usr/share/man /usr/share/doc /usr/include /usr/share; do
    [ "$(find "$d" -type f 2>/dev/null | head -20001 | wc -l)" -gt 20000 ] && { echo "$d"; return; }
  done
  echo /usr/share
}
pick_libs() {
  for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib; do [ -d "$d" ] && { echo "$d"; return; }; done
}
source_of() {
  case $1 in
    usrbin) echo /usr/bin ;;
    libs) pick_libs ;;
    small) pick_small ;;
    synthetic-*) echo "$WORK/$1-tree" ;;
  esac
}

make_synthetic() { # NAME COUNT: COUNT files of 1 KiB unique content in 2-level directories
  local dir=$WORK/$1-tree
  [ -d "$dir" ] && return
  python3 "$ROOT/bench/synthetic_tree.py" "$dir" "$2"
}

bench_corpus() { # NAME MODE
  local name=$1 mode=$2 src repo work unique files bytes
  src=$(source_of "$name")
  repo=$WORK/$name-$mode
  work=$WORK/$name-$mode-work
  if [ ! -d "$repo" ]; then
    ostree init --repo="$repo" --mode="$mode"
    ostree commit --repo="$repo" --branch=base --tree=dir="$src" >/dev/null
  fi
  files=$(ostree ls --repo="$repo" -R base | awk '$1 ~ /^-/' | wc -l)
  read -r unique bytes < <("$FLOOR" hash "$repo" base "$JOBS" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["objects"], j["bytes"])')
  record "{\"name\":\"corpus\",\"corpus\":\"$name\",\"mode\":\"$mode\",\"source\":\"$src\",\"files\":$files,\"unique\":$unique,\"bytes\":$bytes}"
  log "corpus $name ($src) in $mode: $files regular files, $unique unique objects, $bytes bytes"
  local fresh
  fresh="$(displace "$work") && cp -a '$repo' '$work' && $(reset_cache "$work")"
  empty_trash
  local t="$name/$mode"

  # floor: read (+inflate) and hash every unique object, 1 core and all cores
  for j in 1 "$JOBS"; do
    local secs=()
    bash -c "$(reset_cache "$repo")"
    for _ in $(seq "$RUNS"); do secs+=("$("$FLOOR" hash "$repo" base "$j" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')"); done
    record "{\"name\":\"floor-hash\",\"corpus\":\"$name\",\"mode\":\"$mode\",\"jobs\":$j,\"seconds\":$(median_of "${secs[@]}")}"
    log "$t floor hash jobs=$j: $(median_of "${secs[@]}") s"
  done

  # floor: write a copy of every unique object (reflink or in-kernel copy,
  # link, syncfs), all cores; the copies go to the trash, deleted later
  local wsecs=()
  for _ in $(seq "$RUNS"); do bash -c "$(reset_cache "$repo")"; wsecs+=("$("$FLOOR" write "$repo" base "$JOBS" "$(mktemp -u -p "$TRASH")" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')"); done
  record "{\"name\":\"floor-write\",\"corpus\":\"$name\",\"mode\":\"$mode\",\"seconds\":$(median_of "${wsecs[@]}")}"
  log "$t floor write jobs=$JOBS: $(median_of "${wsecs[@]}") s"

  # ostree-ima sign
  for j in 1 "$JOBS"; do
    timed "$t ostree-ima pem jobs=$j" "$fresh" "$BIN sign -q --repo='$work' --key='$WORK/key.pem' --cert='$WORK/cert.der' --jobs=$j base signed"
    if [ -n "$HSM" ]; then
      timed "$t ostree-ima softhsm jobs=$j" "$fresh" "$BIN sign -q --repo='$work' --key='$HSM' --pin-file='$WORK/hsm/pin' --jobs=$j base signed"
    fi
  done
  peak_rss "$t ostree-ima pem jobs=$JOBS" "$fresh" "$BIN sign -q --repo='$work' --key='$WORK/key.pem' --cert='$WORK/cert.der' base signed"

  # the shell pipeline: checkout, evmctl ima_sign -r, commit
  local co=$WORK/co
  if [ "${PIPELINE:-1}" != 1 ]; then
    mv "$work" "$(mktemp -d -p "$TRASH")/"
    return
  fi
  timed "$t pipeline pem" "$fresh && $(displace "$co")" \
    "ostree checkout --repo='$work' base '$co' && evmctl ima_sign -r --hashalgo sha256 --key '$WORK/key.pem' '$co' >/dev/null 2>&1 && ostree commit --repo='$work' --branch=pipe --tree=dir='$co' >/dev/null" "$PIPELINE_RUNS"
  if [ -n "$HSM" ] && [ "${PIPELINE_HSM:-1}" = 1 ]; then
    timed "$t pipeline softhsm-engine" "$fresh && $(displace "$co")" \
      "ostree checkout --repo='$work' base '$co' && OPENSSL_CONF='$WORK/engine.cnf' evmctl ima_sign -r --hashalgo sha256 --engine pkcs11 --keyid-from-cert '$WORK/hsm/certs/rsa2048.der' --key '${HSM%%\?*};pin-value=1234' '$co' >/dev/null 2>&1 && ostree commit --repo='$work' --branch=pipe --tree=dir='$co' >/dev/null" "$PIPELINE_RUNS"
  fi
  mv "$work" "$(mktemp -d -p "$TRASH")/"
  if [ -e "$co" ]; then mv "$co" "$(mktemp -d -p "$TRASH")/"; fi
}

# One evmctl process per file (the ostree-ext-cli ima-sign model): copy the
# content to a temporary file, evmctl ima_sign, read the xattr back. Timed on
# SAMPLE files and scaled to the corpus (it is linear in files by design).
per_file_model() { # NAME
  local name=$1 src list tmp
  src=$(source_of "$name")
  list=$(mktemp); tmp=$WORK/one-file
  find "$src" -type f | shuf -n "$SAMPLE" --random-source=<(yes) > "$list"
  # Only the engine variant loads the engine configuration: evmctl with a PEM
  # key pays no engine start-up.
  local variants=("pem|/dev/null|--key $WORK/key.pem")
  [ -n "$HSM" ] && variants+=("softhsm-engine|$WORK/engine.cnf|--engine pkcs11 --keyid-from-cert $WORK/hsm/certs/rsa2048.der --key ${HSM%%\?*};pin-value=1234")
  for v in "${variants[@]}"; do
    local label=${v%%|*} rest=${v#*|} conf args start end
    conf=${rest%%|*}
    args=${rest#*|}
    local failures=0
    start=$(date +%s.%N)
    while IFS= read -r f; do
      cp "$f" "$tmp"
      OPENSSL_CONF=$conf evmctl ima_sign --hashalgo sha256 $args "$tmp" >/dev/null 2>&1 ||
        failures=$((failures + 1))
      getfattr -n security.ima -e hex "$tmp" >/dev/null 2>&1
    done < "$list"
    end=$(date +%s.%N)
    # A failing evmctl would be fast: its time would flatter the model.
    [ "$failures" -eq 0 ] || { log "FAILED: evmctl per file ($label): $failures of $SAMPLE runs failed"; continue; }
    local per
    per=$(python3 -c "print(($end-$start)/$SAMPLE)")
    record "{\"name\":\"per-file\",\"corpus\":\"$name\",\"key\":\"$label\",\"seconds_per_file\":$per,\"sample\":$SAMPLE}"
    log "$name evmctl per file ($label): $per s/file over $SAMPLE files"
  done
  rm -f "$list" "$tmp"
}

for c in $CORPORA; do
  for mode in ${MODES:-archive bare-user}; do bench_corpus "$c" "$mode"; done
  [ "$SAMPLE" -gt 0 ] && per_file_model "$c"
done

# Scaling: synthetic commits of many 1 KiB files, archive mode.
for n in $SCALE_FILES; do
  make_synthetic "synthetic-$n" "$n"
  repo=$WORK/synthetic-$n-archive
  if [ ! -d "$repo" ]; then
    ostree init --repo="$repo" --mode=archive
    ostree commit --repo="$repo" --branch=base --tree=dir="$WORK/synthetic-$n-tree" >/dev/null
  fi
  empty_trash
  timed "synthetic-$n/archive ostree-ima pem jobs=$JOBS" "$(displace "$repo-work") && cp -a '$repo' '$repo-work' && sync" \
    "$BIN sign -q --repo='$repo-work' --key='$WORK/key.pem' --cert='$WORK/cert.der' base signed"
  peak_rss "synthetic-$n/archive ostree-ima pem jobs=$JOBS" "$(displace "$repo-work") && cp -a '$repo' '$repo-work'" \
    "$BIN sign -q --repo='$repo-work' --key='$WORK/key.pem' --cert='$WORK/cert.der' base signed"
  mv "$repo-work" "$(mktemp -d -p "$TRASH")/"
done
rm -rf "${TRASH:?}"

python3 "$ROOT/bench/report.py" "$RESULTS" "$JOBS" | tee "$WORK/report.md"
