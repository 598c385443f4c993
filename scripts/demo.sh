#!/usr/bin/env bash
# The built-in demo: installs dependencies, builds, makes an OSTree repository
# from /usr/bin, signs it, and checks every file of a checkout with
# `evmctl ima_verify` (an independent verifier).
#   OSTREE_IMA_BIN=PATH  run with that binary (installed), no install or build
#   BUILD_DIR=DIR        build into DIR (default build/)
#   DEMO_DIR=DIR         work there (default a new /var/tmp/ostree-ima-demo-*)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ -n "${OSTREE_IMA_BIN:-}" ]; then
  # An installed ostree-ima (scripts/check-packages.sh: the .deb's binary):
  # nothing to install or build.
  BIN=$OSTREE_IMA_BIN
else
  # Only what the demo uses: no test suites, analysis tools or benchmarks.
  ./scripts/install-deps.sh --demo
  # BUILD_DIR as in build.sh (CI builds the demo beside its test build).
  export BUILD_DIR=${BUILD_DIR:-build}
  BUILD_TYPE=Release TESTS=OFF TARGET=ostree-ima UNITY=ON ./scripts/build.sh
  BIN=$ROOT/$BUILD_DIR/ostree-ima
fi

DEMO=${DEMO_DIR:-$(mktemp -d /var/tmp/ostree-ima-demo-XXXXXX)}
echo "demo: working in $DEMO"
mkdir -p "$DEMO" && cd "$DEMO"

echo "demo: a SoftHSM2 token with keys that never leave it (softhsm-fixtures/make-token.sh)"
"$ROOT/softhsm-fixtures/make-token.sh" --force hsm >/dev/null
export SOFTHSM2_CONF=$DEMO/hsm/softhsm2.conf
KEY="pkcs11:token=ostree-ima-test;object=rsa2048;type=private"
cp hsm/certs/rsa2048.der cert.der

echo "demo: ostree-ima keys (what a signing room sees)"
"$BIN" keys --login --pin-file=hsm/pin "pkcs11:token=ostree-ima-test;object=rsa2048?module-path=/usr/lib/softhsm/libsofthsm2.so"

echo "demo: an archive repository holding /usr/bin as ref demo/base"
ostree init --repo=repo --mode=archive
ostree commit --repo=repo --branch=demo/base --subject="demo: /usr/bin" --tree=dir=/usr/bin >/dev/null
ostree ls --repo=repo -R demo/base | awk '$1 ~ /^-/' | wc -l | xargs echo "demo: regular files:"

echo "demo: ostree-ima sign --repo=repo --key='$KEY' --pin-file=hsm/pin demo/base demo/signed"
"$BIN" sign --repo=repo --key="$KEY" --pin-file=hsm/pin demo/base demo/signed
ostree fsck --repo=repo -q >/dev/null && echo "demo: ostree fsck: ok"

echo "demo: ostree-ima verify --repo=repo --cert=cert.der --require-all demo/signed"
"$BIN" verify --repo=repo --cert=cert.der --require-all demo/signed

echo "demo: a client pulls demo/signed over HTTP (loopback) and checks it out"
(cd repo && exec python3 -u -m http.server 0 --bind 127.0.0.1 >"$DEMO/http.log" 2>&1) &
HTTP_PID=$!
trap 'kill $HTTP_PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q ' port ' http.log 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' http.log | head -1)
ostree init --repo=client --mode=archive
ostree remote add --repo=client --no-gpg-verify origin "http://127.0.0.1:$PORT"
ostree pull --repo=client origin demo/signed
kill $HTTP_PID 2>/dev/null || true

echo "demo: checking every file of the client's checkout with evmctl ima_verify"
ostree checkout --repo=client demo/signed checkout
total=0; bad=0
while IFS= read -r -d '' f; do
  total=$((total + 1))
  evmctl ima_verify --key cert.der "$f" >/dev/null 2>&1 || { bad=$((bad + 1)); echo "  FAILED: $f"; }
done < <(find checkout -type f -print0)
echo "demo: evmctl ima_verify: $((total - bad)) of $total files verified"
# What it leaves behind: two repositories of /usr/bin, a checkout and a token.
echo "demo: left $(du -sh "$DEMO" | cut -f1) in $DEMO (the repositories, the checkout, the token); remove it with: rm -rf $DEMO"
[ "$bad" -eq 0 ]
