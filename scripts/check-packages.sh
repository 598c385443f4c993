#!/usr/bin/env bash
# check-packages.sh: the Debian packages (debian/) build from a clean
# checkout and work once installed. Copies the tracked files of this tree
# (what a fresh clone has, nothing built) to a scratch directory, runs
# `dpkg-buildpackage -b -us -uc` there (the test suites built, and those
# that need nothing outside the build run by dh_auto_test, unless
# DEB_BUILD_OPTIONS has nocheck), `lintian` on the .changes (fails on
# errors), installs the three .debs with apt-get, checks the man page and the
# bash completion, runs the README's demo (scripts/demo.sh) with the installed
# binary, signs and verifies a tiny ostree repository with a PEM key
# with the installed /usr/bin/ostree-ima, checks that the documentation,
# the examples and make-token.sh are installed, uncompressed, where the man
# page and the tool's messages say (every such path they name exists), runs
# every example of the installed README and docs with the installed binary
# and a token made by the installed make-token.sh, and builds the installed
# examples/sign_commit.cpp against the installed libostree-ima-dev
# (pkg-config, whose Cflags must carry -std=c++20, and find_package) and
# signs with it. Removes the packages again at the end. Run as root.
#   PACKAGES_DIR=DIR  work in DIR and keep it: the package's build tree
#                     (DIR/ostree-ima/obj-<triplet>) is then the build that
#                     scripts/test.sh runs every other suite on
#   OSTREE_IMA_WERROR=ON  warnings are errors in the package build (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$(date +%s)
fail() { echo "check-packages.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root: it installs the packages it builds"

keep=0
if [ -n "${PACKAGES_DIR:-}" ]; then
  work=$PACKAGES_DIR
  keep=1
  mkdir -p "$work"
  [ -z "$(ls -A "$work")" ] || fail "PACKAGES_DIR $work is not empty"
else
  work=$(mktemp -d /var/tmp/ostree-ima-packages-XXXXXX)
fi
installed=0
cleanup() {
  if [ "$installed" -eq 1 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ostree-ima libostree-ima0 libostree-ima-dev \
      >/dev/null 2>&1 || true
  fi
  [ "$keep" -eq 1 ] || rm -rf "$work"
}
trap cleanup EXIT

# A clean checkout: the tracked files as they are in this work tree.
src=$work/ostree-ima
mkdir -p "$src"
git ls-files -z | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$src"

echo "check-packages.sh: dpkg-buildpackage -b -us -uc (log: build.log)"
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1; then
  tail -n 60 "$work/build.log" >&2
  fail "dpkg-buildpackage failed"
fi
built=$(date +%s)
echo "check-packages.sh: built in $(( built - start )) s: $(cd "$work" && echo *.deb)"
# What dh_auto_test ran (nothing under nocheck).
grep -E '^(100% tests passed|[0-9]+% tests passed)' "$work/build.log" | sed 's/^/check-packages.sh: dh_auto_test: /' || true
arch=$(dpkg --print-architecture)
changes=$(echo "$work"/ostree-ima_*_"$arch".changes)
[ -f "$changes" ] || fail "no .changes file in $work"
# Errors fail; warnings are shown (debian/*.lintian-overrides say why any is overridden).
lintian --fail-on error --tag-display-limit 0 "$changes" || fail "lintian reports errors"

installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "$work"/ostree-ima_*_"$arch".deb "$work"/libostree-ima0_*_"$arch".deb \
  "$work"/libostree-ima-dev_*_"$arch".deb >/dev/null
page=$(man -w ostree-ima) || fail "man -w ostree-ima finds no page"
[ "$page" = /usr/share/man/man1/ostree-ima.1.gz ] || fail "man page at $page"
[ -f /usr/share/bash-completion/completions/ostree-ima ] || fail "no bash completion installed"
/usr/bin/ostree-ima --version | grep -q "^ Version: '0\." || fail "/usr/bin/ostree-ima --version"

# The README's demo with the installed binary (a token key, HTTP pull, evmctl).
OSTREE_IMA_BIN=/usr/bin/ostree-ima DEMO_DIR="$work/demo" "$ROOT/scripts/demo.sh" \
  >"$work/demo.log" 2>&1 || { tail -n 20 "$work/demo.log" >&2; fail "the demo with /usr/bin/ostree-ima"; }
grep -q '^demo: evmctl ima_verify: \([0-9]*\) of \1 files verified$' "$work/demo.log" ||
  fail "the demo's evmctl line is missing"
# It says where it left its files and how much (issue #24).
grep -q "^demo: left [0-9.,]*[KMG]* in $work/demo (" "$work/demo.log" ||
  fail "the demo does not say where it left its files"
echo "check-packages.sh: the demo with /usr/bin/ostree-ima: $(grep '^demo: evmctl' "$work/demo.log"); $(tail -n 1 "$work/demo.log")"

# The installed command on a tiny repository.
cd "$work"
mkdir -p tree/usr/bin
printf '#!/bin/sh\necho hello\n' >tree/usr/bin/hello
chmod 755 tree/usr/bin/hello
echo "data" >tree/usr/data
ostree init --repo=repo --mode=archive
ostree commit --repo=repo --branch=demo/base --tree=dir=tree >/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem 2>/dev/null
openssl req -new -x509 -key key.pem -out cert.pem -subj /CN=ostree-ima-package -days 1 \
  -addext subjectKeyIdentifier=hash 2>/dev/null
/usr/bin/ostree-ima sign -q --repo=repo --key=key.pem --cert=cert.pem demo/base demo/signed >/dev/null
/usr/bin/ostree-ima verify -q --repo=repo --cert=cert.pem --require-all demo/signed ||
  fail "the installed ostree-ima does not verify what it signed"
ostree checkout --repo=repo demo/signed checkout
openssl x509 -in cert.pem -outform DER -out cert.der
evmctl ima_verify --key cert.der checkout/usr/bin/hello >/dev/null 2>&1 ||
  fail "evmctl ima_verify rejects a file signed by the installed ostree-ima"
echo "check-packages.sh: /usr/bin/ostree-ima signed; ostree-ima verify and evmctl ima_verify agree"

# The documentation, the examples and make-token.sh, installed as they are
# in the tree (docs/design.md, "What the package installs, and where").
doc=/usr/share/doc/ostree-ima
n=0
for f in README.md $(cd "$ROOT" && git ls-files 'docs/*.md') examples/CMakeLists.txt \
    examples/sign_commit.cpp; do
  [ -f "$doc/$f" ] || fail "$doc/$f is not installed (or was compressed: the man page names it as it is)"
  cmp -s "$ROOT/$f" "$doc/$f" || fail "$doc/$f differs from the tree's $f"
  n=$((n + 1))
done
[ -f /usr/share/ostree-ima/make-token.sh ] && [ -x /usr/share/ostree-ima/make-token.sh ] ||
  fail "/usr/share/ostree-ima/make-token.sh is not installed, or not executable"
# Every installed path that the installed man page and the tool's messages
# name exists. The messages are read in the sources the package was built
# from (src/, pkcs11/): `strings` on the optimised binary sees literals that
# the compiler stored as pieces of instructions, cut up.
named_in() { grep -ohE '/usr/share/(doc/)?ostree-ima/[A-Za-z0-9_./-]*[A-Za-z0-9_/]' "$@" | sort -u; }
man_paths=$(MANWIDTH=1000 man --no-hyphenation --no-justification -l "$page" 2>/dev/null | named_in)
src_paths=$(cd "$ROOT" && git ls-files -z src pkcs11 | xargs -0 grep -l 'usr/share' | xargs -r cat | named_in) || true
[ -n "$man_paths" ] || fail "the man page names no installed documentation"
[ -n "$src_paths" ] || fail "the messages of src/ and pkcs11/ name no installed documentation"
for p in $man_paths $src_paths; do
  [ -e "$p" ] || fail "$p, named by the man page or a message of the tool, is not installed"
done
echo "check-packages.sh: $n documentation and example files and make-token.sh installed;" \
  "the $(echo $man_paths $src_paths | sort -u | wc -w) paths the man page and the messages name exist"

# The docs' examples from what the package installs: the installed
# make-token.sh makes the token, /usr/bin/ostree-ima signs with its keys,
# every block of the installed README and docs runs and its output matches.
if ! "$ROOT/scripts/check-docs-examples.sh" --bin=/usr/bin/ostree-ima \
    --make-token=/usr/share/ostree-ima/make-token.sh "$doc/README.md" "$doc"/docs/*.md \
    >"$work/docs.log" 2>&1; then
  tail -n 40 "$work/docs.log" >&2
  fail "the installed docs' examples with /usr/bin/ostree-ima and the installed make-token.sh"
fi
echo "check-packages.sh: the installed docs' examples: $(tail -n 1 "$work/docs.log")"

# The installed example against the installed -dev package, both ways; no
# -std of our own: the .pc's Cflags must carry it (g++ 12 defaults to C++17).
[[ " $(pkg-config --cflags ostree-ima) " == *" -std=c++20 "* ]] ||
  fail "pkg-config --cflags ostree-ima has no -std=c++20: $(pkg-config --cflags ostree-ima)"
cmake -S "$doc/examples" -B example-cmake >/dev/null
cmake --build example-cmake >/dev/null
# shellcheck disable=SC2046 # word splitting of the flags is meant
c++ -o sign_commit-pc "$doc/examples/sign_commit.cpp" $(pkg-config --cflags --libs ostree-ima)
n=0
for exe in example-cmake/sign_commit ./sign_commit-pc; do
  n=$((n + 1))
  # Not `ldd | grep -q`: grep's early exit would fail ldd under pipefail.
  libs=$(ldd "$exe")
  [[ $libs == *"/libostree-ima.so.0 ("* ]] || fail "$exe does not load libostree-ima.so.0"
  "$exe" repo demo/base "demo/example$n" key.pem cert.pem >/dev/null
  /usr/bin/ostree-ima verify -q --repo=repo --cert=cert.pem --require-all "demo/example$n" ||
    fail "$exe: ostree-ima verify rejects demo/example$n"
done
echo "check-packages.sh: the installed example built with find_package and pkg-config signed"
echo "check-packages.sh: finished in $(( $(date +%s) - start )) s (build $(( built - start )) s)"
