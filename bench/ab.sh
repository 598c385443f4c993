#!/usr/bin/env bash
# bench/ab.sh REV_A REV_B [WORKDIR]: `ostree-ima sign` of two revisions of
# this repository, side by side in one run, on the same corpora: a refactoring
# must stay within noise (docs/benchmarks.md). Each revision is built in
# Release in a git worktree; runs alternate A, B, A, B... so that a change of
# the machine's load hits both; every run signs a fresh copy of the
# repository with the page cache dropped and the copy re-read first (as
# bench/run.sh does). Prints and records (WORKDIR/ab.jsonl) the medians of
# each (seconds and peak resident memory) and the ratios B/A.
# Environment: RUNS (default 5), CORPORA (default "usrbin small"; also
# "synthetic", SYNTHETIC_FILES (default 200000) files of 1 KiB as
# bench/run.sh's scaling run makes them), MODES (default "archive bare-user").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
A=$1
B=$2
WORK=${3:-/var/tmp/ostree-ima-ab}
RUNS=${RUNS:-5}
CORPORA=${CORPORA:-"usrbin small"}
MODES=${MODES:-"archive bare-user"}
SYNTHETIC_FILES=${SYNTHETIC_FILES:-200000}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
RESULTS=$WORK/ab.jsonl
: > "$RESULTS"
log() { echo "ab: $*" >&2; }

build() { # REV -> path of its ostree-ima
  local rev=$1 dir=$WORK/src-$1
  if [ ! -d "$dir" ]; then
    git -C "$ROOT" worktree prune
    git -C "$ROOT" worktree add --force --detach "$dir" "$rev" >/dev/null 2>&1 ||
      { log "cannot check out $rev"; exit 1; }
  fi
  # Older revisions made every warning an error; g++ 12 at -O3 gives false
  # -Wrestrict ones (GCC bug 105329).
  cmake -S "$dir" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release -DOSTREE_IMA_TESTS=OFF \
    -DOSTREE_IMA_WERROR=OFF -DCMAKE_CXX_FLAGS=-Wno-error=restrict >/dev/null
  cmake --build "$dir/build" -j"$(nproc)" --target ostree-ima >/dev/null 2>&1 ||
    { log "cannot build $rev"; exit 1; }
  # Some revisions put the binary in its folder's build directory.
  local bin
  bin=$(find "$dir/build" -name ostree-ima -type f -perm -u+x -print -quit)
  [ -n "$bin" ] || { log "no ostree-ima built for $rev"; exit 1; }
  echo "$bin"
}
BIN_A=$(build "$A")
BIN_B=$(build "$B")

cd "$WORK"
if [ ! -f key.pem ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
  openssl req -new -x509 -key key.pem -subj "/CN=ab" -addext subjectKeyIdentifier=hash \
    -days 30 -outform DER -out cert.der 2>/dev/null
fi
corpus_dir() {
  case $1 in
    usrbin) echo /usr/bin ;;
    small) echo /usr/share/man ;;
    synthetic)
      local dir=$WORK/synthetic-$SYNTHETIC_FILES-tree
      [ -d "$dir" ] || python3 "$ROOT/bench/synthetic_tree.py" "$dir" "$SYNTHETIC_FILES"
      echo "$dir"
      ;;
  esac
}
TRASH=$WORK/trash
mkdir -p "$TRASH"
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

# One timed sign of a fresh copy of PRISTINE with BIN; prints seconds and
# peak resident KiB.
one_run() {
  local bin=$1 pristine=$2 copy=$WORK/copy
  if [ -e "$copy" ]; then mv "$copy" "$(mktemp -d -p "$TRASH")/"; fi
  cp -a "$pristine" "$copy"
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then echo 1 > /proc/sys/vm/drop_caches; fi
  find "$copy" -type f -exec cat {} + > /dev/null
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f %M -o "$WORK/rss" \
    "$bin" sign --quiet --repo="$copy" --key="$WORK/key.pem" --cert="$WORK/cert.der" base signed >/dev/null
  t1=$(date +%s.%N)
  echo "$(python3 -c "print($t1 - $t0)") $(tail -1 "$WORK/rss")"
}

for corpus in $CORPORA; do
  for mode in $MODES; do
    pristine=$WORK/pristine-$corpus-$mode
    if [ ! -d "$pristine" ]; then
      ostree init --repo="$pristine" --mode="$mode"
      ostree commit --repo="$pristine" --branch=base --tree=dir="$(corpus_dir "$corpus")" >/dev/null
    fi
    ta=() tb=() ra=() rb=()
    for _ in $(seq "$RUNS"); do
      read -r t r < <(one_run "$BIN_A" "$pristine")
      ta+=("$t") ra+=("$r")
      read -r t r < <(one_run "$BIN_B" "$pristine")
      tb+=("$t") rb+=("$r")
    done
    ma=$(median "${ta[@]}") mb=$(median "${tb[@]}")
    rssa=$(median "${ra[@]}") rssb=$(median "${rb[@]}")
    ratio=$(python3 -c "print(round($mb / $ma, 3))")
    rss_ratio=$(python3 -c "print(round($rssb / $rssa, 3))")
    log "$corpus $mode: $A ${ma} s, $B ${mb} s (medians of $RUNS), B/A $ratio; peak RSS $rssa / $rssb KiB, B/A $rss_ratio; A runs ${ta[*]}; B runs ${tb[*]}"
    printf '{"corpus":"%s","mode":"%s","a":"%s","b":"%s","a_seconds":%s,"b_seconds":%s,"ratio":%s,"a_peak_kib":%s,"b_peak_kib":%s,"peak_ratio":%s,"runs":%s,"a_runs":"%s","b_runs":"%s"}\n' \
      "$corpus" "$mode" "$A" "$B" "$ma" "$mb" "$ratio" "$rssa" "$rssb" "$rss_ratio" "$RUNS" "${ta[*]}" "${tb[*]}" >> "$RESULTS"
  done
done
rm -rf "${TRASH:?}"/* "$WORK/copy"
