#!/usr/bin/env bash
# ostree-ima benchmark of the nightly rebuild (issue #23): day 1 signs a
# tree, day 2 changes 1 % of its files and signs again, side by side in one
# run:
#   record     sign --reuse=DAY1 (the unchanged files taken by day 1's record
#              of its source, unread)
#   reads-all  sign --reuse=DAY1 --reuse-reads-all (every file read and
#              hashed, only the signatures taken: what --reuse did before)
#   full       sign without --reuse (every file read, hashed and signed)
# on two trees: 30,000 files of /usr (every third regular file under 1 MiB
# of /usr/lib, /usr/share and /usr/bin, sorted: about 490 MiB) and 200,000
# synthetic 1 KiB files (bench/synthetic_tree.py). PEM RSA-2048 key,
# archive repository, all cores. Medians of RUNS (hyperfine), peak RSS of one
# more run each; the key's time for the changed files (ostree-ima-floor
# sign) and the per-file check's least cost (ostree-ima-floor check) are
# measured apart. See docs/benchmarks.md, "Re-signing at the cost
# of the change".
# Usage: bench/reuse.sh [WORKDIR]. Environment: RUNS (default 5), TREES
# (default "usr30k synthetic200000"; syntheticN is N files), VARIANTS
# (default "record reads-all full"), CHANGED_EVERY (default 100: 1 %).
# The scaling table (20,000 to 1,000,000 files, docs/benchmarks.md):
#   TREES="synthetic20000 synthetic100000 synthetic200000 synthetic1000000" \
#   VARIANTS="record full" bench/reuse.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/var/tmp/ostree-ima-bench-reuse}
RUNS=${RUNS:-5}
TREES=${TREES:-"usr30k synthetic200000"}
VARIANTS=${VARIANTS:-"record reads-all full"}
CHANGED_EVERY=${CHANGED_EVERY:-100}
JOBS=$(nproc)
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
log() { echo "bench: $*" >&2; }
record() { echo "$1" >> "$RESULTS"; }

if [ -z "${BIN:-}" ]; then
  BUILD_DIR=$ROOT/build-bench BUILD_TYPE=Release WERROR=OFF "$ROOT/scripts/build.sh" \
    -DOSTREE_IMA_TESTS=OFF >/dev/null
  BIN=$ROOT/build-bench/ostree-ima
fi
FLOOR=${FLOOR:-$ROOT/build-bench/bench/ostree-ima-floor}

cd "$WORK"
if [ ! -f key.pem ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
  openssl req -new -x509 -key key.pem -subj "/CN=ostree-ima bench" \
    -addext subjectKeyIdentifier=hash -days 30 -outform DER -out cert.der
fi

make_tree() { # NAME DIR
  local name=$1 dir=$2
  [ -d "$dir" ] && return
  case $name in
    usr30k)
      mkdir -p "$dir"
      find /usr/lib /usr/share /usr/bin -type f -readable -size -1024k 2>/dev/null |
        LC_ALL=C sort | awk 'NR % 3 == 0' | head -30000 | tar -cf - --no-recursion -T - 2>/dev/null | tar -xf - -C "$dir" ;;
    synthetic*)
      python3 "$ROOT/bench/synthetic_tree.py" "$dir" "${name#synthetic}" ;;
  esac
}

# hyperfine NAME COMMAND -> the median, recorded.
timed() {
  local name=$1 cmd=$2 json med
  json=$(mktemp)
  hyperfine --runs "$RUNS" --warmup 1 --style none --export-json "$json" "$cmd" >/dev/null 2>&1 ||
    { log "FAILED: $name: $cmd"; bash -c "$cmd" >&2 || true; rm -f "$json"; return 1; }
  med=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"], min(r["times"]), max(r["times"]))' "$json")
  rm -f "$json"
  set -- $med
  record "{\"name\":\"$name\",\"seconds\":$1,\"min\":$2,\"max\":$3,\"runs\":$RUNS}"
  log "$name: median $1 s (min $2, max $3, $RUNS runs)"
}
peak_rss() { # NAME COMMAND
  local tf
  tf=$(mktemp)
  /usr/bin/time -o "$tf" -f '%M' bash -c "$2" >/dev/null 2>&1
  record "{\"name\":\"$1\",\"peak_kib\":$(tail -1 "$tf")}"
  log "$1: peak RSS $(tail -1 "$tf") KiB"
  rm -f "$tf"
}

for name in $TREES; do
  tree=$WORK/$name-tree
  make_tree "$name" "$tree"
  files=$(find "$tree" -type f | wc -l)
  bytes=$(du -sb "$tree" | cut -f1)
  repo=$WORK/$name-repo
  if [ ! -d "$repo" ]; then
    ostree init --repo="$repo" --mode=archive
    ostree commit --repo="$repo" -b day1 --tree=dir="$tree" --no-xattrs >/dev/null
    start=$(date +%s.%N)
    "$BIN" sign --quiet --repo="$repo" --key="$WORK/key.pem" --cert="$WORK/cert.der" \
      --jobs="$JOBS" day1 day1-signed
    record "{\"name\":\"$name-day1\",\"seconds\":$(python3 -c "print($(date +%s.%N) - $start)")}"
    # Day 2: every CHANGED_EVERY-th file (sorted) gets one more line.
    day2=$WORK/$name-day2
    rm -rf "$day2" && cp -a "$tree" "$day2"
    (cd "$day2" && find . -type f | LC_ALL=C sort | awk -v n="$CHANGED_EVERY" 'NR % n == 0' |
      while IFS= read -r f; do chmod u+w "$f"; echo "day 2" >> "$f"; done)
    ostree commit --repo="$repo" -b day2 --tree=dir="$day2" --no-xattrs >/dev/null
    rm -rf "$day2"
  fi
  changed=$(( files / CHANGED_EVERY ))
  log "$name: $files files, $bytes bytes, $changed changed"
  record "{\"name\":\"$name\",\"files\":$files,\"bytes\":$bytes,\"changed\":$changed}"
  sign="$BIN sign --quiet --repo=$repo --key=$WORK/key.pem --cert=$WORK/cert.der --jobs=$JOBS day2"
  # The same target ref each time: every variant writes the same commit.
  for v in $VARIANTS; do
    case $v in
      record) args="--reuse=day1-signed" ;;
      reads-all) args="--reuse=day1-signed --reuse-reads-all" ;;
      full) args="" ;;
    esac
    timed "$name-$v" "$sign day2-signed $args"
    peak_rss "$name-$v" "$sign day2-signed $args"
  done
  # The same commit whichever way it was made.
  a=$($sign day2-signed --reuse=day1-signed --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["commit"])')
  b=$($sign day2-signed --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["commit"])')
  [ "$a" = "$b" ] || { log "$name: the record gave $a, a full run $b"; exit 1; }
  # The key's own time for the changed files' signatures, and what the
  # record's per-file rule costs at the least: every signed object of day 2
  # opened, its header parsed and its signature recovered (no walk, no plan).
  if [ -x "$FLOOR" ]; then
    check=$(for i in $(seq "$RUNS"); do "$FLOOR" check "$WORK/key.pem" "$repo" day2-signed "$JOBS"; done |
      python3 -c 'import json,sys,statistics; print(statistics.median(json.loads(l)["seconds"] for l in sys.stdin))')
    record "{\"name\":\"$name-check-floor\",\"seconds\":$check,\"runs\":$RUNS}"
    log "$name: the per-file check alone (ostree-ima-floor check): median $check s"
    rate=$("$FLOOR" sign "$WORK/key.pem" "$JOBS" 20000 | python3 -c 'import json,sys; print(json.load(sys.stdin)["rate"])')
    record "{\"name\":\"$name-key-time\",\"seconds\":$(python3 -c "print($changed / $rate)")}"
    log "$name: key time for $changed signatures: $(python3 -c "print(round($changed / $rate, 3))") s"
  fi
done
log "results: $RESULTS"
