#!/usr/bin/env bash
# check-install.sh: the installed library is usable as installed. Builds
# (BUILD_DIR, default build/), runs `cmake --install --strip` into a DESTDIR,
# checks that libostree-ima.so exports only the public API and that the
# installed headers include nothing internal, builds examples/sign_commit.cpp
# against the *installed* tree twice (CMake find_package, and pkg-config),
# signs a small ostree repository with a PEM key through each, and checks the
# signatures with the installed `ostree-ima verify` and, as root, with
# `evmctl ima_verify` on a checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
start=$(date +%s)
fail() { echo "check-install.sh: $*" >&2; exit 1; }

[ -f "$BUILD_DIR/CMakeCache.txt" ] || BUILD_TYPE=Release TESTS=OFF BUILD_DIR=$BUILD_DIR ./scripts/build.sh
cmake --build "$BUILD_DIR" -j"$(nproc)" >/dev/null

work=$(mktemp -d /var/tmp/ostree-ima-install-XXXXXX)
trap 'rm -rf "$work"' EXIT
dest=$work/root
DESTDIR=$dest cmake --install "$BUILD_DIR" --strip >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD_DIR/CMakeCache.txt")
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$BUILD_DIR/CMakeCache.txt")
[[ $libdir = /* ]] || libdir=$prefix/$libdir
lib=$dest$libdir/libostree-ima.so

echo "check-install.sh: installed into $dest$prefix"
for f in "$dest$prefix/bin/ostree-ima" "$lib" "$lib.0" "$dest$libdir/pkgconfig/ostree-ima.pc" \
    "$dest$libdir/cmake/ostree-ima/ostree-imaConfig.cmake" \
    "$dest$libdir/cmake/ostree-ima/ostree-imaConfigVersion.cmake" \
    "$dest$prefix/include/ostree-ima/commit_signer.hpp" \
    "$dest$prefix/share/bash-completion/completions/ostree-ima"; do
  [ -e "$f" ] || fail "missing after install: ${f#"$dest"}"
done
# readelf's output is captured first: `readelf | grep -q` fails under
# pipefail when grep stops reading early.
dynamic=$(readelf -d "$lib")
[[ $dynamic == *"Library soname: [libostree-ima.so.0]"* ]] ||
  fail "libostree-ima.so has no SONAME libostree-ima.so.0"
for f in "$dest$prefix/bin/ostree-ima" "$(readlink -f "$lib")"; do
  sections=$(readelf -S "$f")
  [[ $sections != *" .symtab "* ]] || fail "not stripped: ${f#"$dest"}"
done

# The dynamic symbol table is the API: every defined symbol is ours and
# public; the entry points are there; internal classes are not.
nm -D --defined-only --demangle "$lib" | cut -d' ' -f3- >"$work/symbols"
if grep -v -E '^(ostree_ima::|(typeinfo|typeinfo name|vtable) for ostree_ima::|OSTREE_IMA_)' \
    "$work/symbols" >"$work/foreign"; then
  fail "exports $(wc -l <"$work/foreign") symbols outside the API, e.g. $(head -1 "$work/foreign" | cut -c1-120)"
fi
for f in sign_commit strip_commit verify_commit open_key_backend choose_key_id library_version \
    'typeinfo for ostree_ima::KeyBackend' 'typeinfo for ostree_ima::Error'; do
  grep -q -- "$f" "$work/symbols" || fail "does not export $f"
done
# Repo, ObjectStore, parallel_for: the layers' internals.
if grep -E 'ostree_ima::(Repo|ObjectStore|parallel_for|Pkcs11|cli::)' "$work/symbols" >"$work/leaks"; then
  fail "exports $(wc -l <"$work/leaks") internal symbols, e.g. $(head -1 "$work/leaks" | cut -c1-120)"
fi
echo "check-install.sh: libostree-ima.so exports $(wc -l <"$work/symbols") symbols, all public"

# Installed headers include only system headers and each other.
if grep -h '^#\s*include' "$dest$prefix"/include/ostree-ima/*.hpp |
    grep -v -E '^#\s*include (<[^>]+>|"ostree-ima/[a-z_]+\.hpp")$' >"$work/includes"; then
  fail "installed headers include: $(paste -sd';' "$work/includes")"
fi
for h in "$dest$prefix"/include/ostree-ima/*.hpp; do
  # Each header compiles on its own from the installed tree.
  echo "#include <ostree-ima/$(basename "$h")>" |
    c++ -std=c++20 -fsyntax-only -I"$dest$prefix/include" -x c++ - ||
    fail "installed header does not compile alone: $(basename "$h")"
done

# The example, built against the installed tree twice.
cmake -S examples -B "$work/example-cmake" -DCMAKE_PREFIX_PATH="$dest$prefix" >/dev/null
cmake --build "$work/example-cmake" >/dev/null
export PKG_CONFIG_PATH=$dest$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
flags=$(pkg-config --cflags --libs ostree-ima)
# shellcheck disable=SC2086 # word splitting of the flags is meant
# No -std here: the .pc's Cflags must carry -std=c++20 (g++ 12 defaults to C++17).
c++ -o "$work/sign_commit-pc" examples/sign_commit.cpp $flags
export LD_LIBRARY_PATH=$dest$libdir
for exe in "$work/example-cmake/sign_commit" "$work/sign_commit-pc"; do
  # Not `ldd | grep -q`: grep's early exit would fail ldd under pipefail.
  libs=$(ldd "$exe")
  [[ $libs == *"$dest$libdir/libostree-ima.so.0 ("* ]] ||
    fail "$exe does not load the installed libostree-ima.so.0"
done

# A tiny commit, a PEM key and its certificate, signed by each build.
cd "$work"
mkdir -p tree/usr/bin tree/etc
printf '#!/bin/sh\necho hello\n' >tree/usr/bin/hello
chmod 755 tree/usr/bin/hello
echo "config" >tree/etc/example.conf
ostree init --repo=repo --mode=archive
ostree commit --repo=repo --branch=example/base --tree=dir=tree >/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
openssl req -new -x509 -key key.pem -out cert.pem -subj /CN=ostree-ima-example -days 1 \
  -addext subjectKeyIdentifier=hash 2>/dev/null
ostree_ima=$dest$prefix/bin/ostree-ima
n=0
for exe in "$work/example-cmake/sign_commit" "$work/sign_commit-pc"; do
  n=$((n + 1))
  commit=$("$exe" repo example/base "example/signed$n" key.pem cert.pem)
  [ "$(ostree rev-parse --repo=repo "example/signed$n")" = "$commit" ] ||
    fail "$exe: example/signed$n is not $commit"
  "$ostree_ima" verify -q --repo=repo --cert=cert.pem --require-all "example/signed$n" ||
    fail "$exe: ostree-ima verify rejects example/signed$n"
done
if [ "$(id -u)" -eq 0 ]; then
  # Root: the checkout carries security.ima, and evmctl checks it.
  ostree checkout --repo=repo example/signed1 checkout
  openssl x509 -in cert.pem -outform DER -out cert.der
  for f in checkout/usr/bin/hello checkout/etc/example.conf; do
    evmctl ima_verify --key cert.der "$f" >/dev/null 2>&1 || fail "evmctl ima_verify rejects $f"
  done
  echo "check-install.sh: evmctl ima_verify: the checkout's files verify"
fi
echo "check-install.sh: the example (CMake and pkg-config) signed; finished in $(( $(date +%s) - start )) s"
