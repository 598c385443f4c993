#!/bin/bash
# make-token.sh [--force] [--label=LABEL] DIR [PIN] [SO_PIN]
#
# Builds a private SoftHSM2 token "ostree-ima-test" (or LABEL) in DIR for the
# ostree-ima PKCS#11 tests, the demo and the documentation's examples
# (scripts/check-docs-examples.sh makes one labelled "release").  All key pairs are generated ON the token (never
# as files); keys 01-04 get a self-signed code-signing certificate (SKID =
# SHA-1 of the subjectPublicKey, RFC 5280 method 1), stored both on the token
# (same CKA_ID/label as the key) and as DIR/certs/<label>.{pem,der}.
#
# Produces: DIR/softhsm2.conf, DIR/tokens/, DIR/certs/, DIR/pin (0600),
#           DIR/env (exports SOFTHSM2_CONF, SOFTHSM_MODULE),
#           DIR/openssl-pkcs11.cnf (OPENSSL_CONF loading libp11's engine).
set -euo pipefail

MODULE=/usr/lib/softhsm/libsofthsm2.so
ENGINE_SO=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so
TOKEN_LABEL=ostree-ima-test

die() { echo "make-token.sh: $*" >&2; exit 1; }
usage() { echo "usage: $0 [--force] [--label=LABEL] DIR [PIN] [SO_PIN]" >&2; exit 2; }

force=0
while [ $# -gt 0 ]; do
    case $1 in
        --force) force=1; shift;;
        --label=?*) TOKEN_LABEL=${1#--label=}; shift;;
        -*) usage;;
        *) break;;
    esac
done
if [ $# -lt 1 ] || [ $# -gt 3 ]; then usage; fi
DIR=$1
USER_PIN=${2:-1234}
SO_PIN=${3:-5678}

for tool in pkcs11-tool p11tool openssl; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
[ -e "$MODULE" ] || die "SoftHSM2 module $MODULE not found"
[ -e "$ENGINE_SO" ] || die "libp11 engine $ENGINE_SO not found (libengine-pkcs11-openssl)"

# Resolve before creating anything: never create in, operate on or wipe the
# system token store (/var/lib/softhsm) or anything above it.
DIR=$(realpath -m "$DIR")
case "$DIR/" in
    /var/lib/softhsm/*|/var/lib/|/var/|/) die "refusing to use $DIR (system location)";;
esac
mkdir -p "$DIR"

# Never add a second token next to an old one (slot numbering and
# "token=" lookups would become ambiguous): refuse, or wipe with --force.
if [ "$force" = 1 ]; then
    find "$DIR" -mindepth 1 -delete
elif [ -d "$DIR/tokens" ] && [ -n "$(ls -A "$DIR/tokens")" ]; then
    die "$DIR/tokens already holds a token; use --force to wipe $DIR"
fi

mkdir -p "$DIR/tokens" "$DIR/certs"
umask 077
cat > "$DIR/softhsm2.conf" <<CONF
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
chmod 0644 "$DIR/softhsm2.conf"
export SOFTHSM2_CONF=$DIR/softhsm2.conf

printf '%s\n' "$USER_PIN" > "$DIR/pin"
chmod 0600 "$DIR/pin"

# PINs are passed via the environment (pkcs11-tool "env:", GnuTLS GNUTLS_PIN)
# or a 0600 file (libp11 pin-source) so they do not show up in ps.
export MT_USER_PIN=$USER_PIN MT_SO_PIN=$SO_PIN GNUTLS_PIN=$USER_PIN GNUTLS_SO_PIN=$SO_PIN

p11() { pkcs11-tool --module "$MODULE" --token-label "$TOKEN_LABEL" "$@"; }

# Run a command silently (pkcs11-tool chats on stderr); show its output and
# stop only if it fails.
run() {
    local out
    if ! out=$("$@" 2>&1); then
        printf '%s\n' "$out" >&2
        die "failed: $*"
    fi
}

# A fresh tokendir has exactly one free slot, so --init-token picks it.
run pkcs11-tool --module "$MODULE" --init-token --label "$TOKEN_LABEL" \
    --so-pin env:MT_SO_PIN
run p11 --login --login-type so --so-pin env:MT_SO_PIN \
    --init-pin --new-pin env:MT_USER_PIN

gen() { # label id key-type
    run p11 --login --pin env:MT_USER_PIN --keypairgen --key-type "$3" \
        --id "$2" --label "$1" --usage-sign
}
gen rsa2048 01 rsa:2048
gen rsa4096 02 rsa:4096
gen ec-p256 03 EC:prime256v1
gen ec-p384 04 EC:secp384r1
# Two distinct keys sharing one label: "URI matches several keys".
gen dup 06 rsa:2048
gen dup 07 rsa:2048

# Key without CKA_SIGN.  pkcs11-tool (OpenSC 0.23) --usage-decrypt only sets
# CKA_DECRYPT and leaves CKA_SIGN to SoftHSM's default (true), so use GnuTLS
# p11tool, which writes CKA_SIGN=false explicitly when only --mark-decrypt.
run p11tool --provider "$MODULE" --login --generate-privkey rsa --bits 2048 \
    --label nosign --id 05 --mark-decrypt --outfile /dev/null \
    "pkcs11:token=$TOKEN_LABEL"
# (-O ignores --id, so pick the usage line of the ID 05 private key by hand.)
nosign_usage=$(p11 -O --login --pin env:MT_USER_PIN --type privkey 2>/dev/null |
    awk '/^[A-Z]/ {priv = /^Private Key/} priv && /ID: *05$/ {want = 1}
         want && /Usage:/ {print; exit}')
[ -n "$nosign_usage" ] || die "nosign private key not found"
if grep -qw sign <<<"$nosign_usage"; then
    die "nosign private key unexpectedly has CKA_SIGN"
fi

# OpenSSL config loading libp11's engine on SoftHSM; kept for the tests.
cat > "$DIR/openssl-pkcs11.cnf" <<CONF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $ENGINE_SO
MODULE_PATH = $MODULE
init = 0
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = unused
CONF
chmod 0644 "$DIR/openssl-pkcs11.cnf"

# SHA-1 over the subjectPublicKey BIT STRING contents (minus the unused-bits
# octet), i.e. RFC 5280 4.2.1.2 method 1, computed independently of OpenSSL's
# x509v3 code so a mismatch is noticed.
spki_sha1() { # cert.pem
    local der line off hl len
    der=$(mktemp)
    openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER -out "$der"
    # SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING }
    line=$(openssl asn1parse -inform DER -in "$der" | grep 'd=1 .*BIT STRING')
    off=$(sed -E 's/^ *([0-9]+):.*/\1/' <<<"$line")
    hl=$(sed -E 's/.*hl= *([0-9]+).*/\1/' <<<"$line")
    len=$(sed -E 's/.* l= *([0-9]+).*/\1/' <<<"$line")
    tail -c +$((off + hl + 2)) "$der" | head -c $((len - 1)) | sha1sum | cut -d' ' -f1
    rm -f "$der"
}

# libp11's pin-source=file: takes the file verbatim (a trailing newline makes
# the PIN wrong), so give OpenSSL a newline-less private copy, removed on exit.
PINFILE=$DIR/.pin-nonl
trap 'rm -f "$PINFILE"' EXIT
printf '%s' "$USER_PIN" > "$PINFILE"

summary=()
for spec in rsa2048:01 rsa4096:02 ec-p256:03 ec-p384:04; do
    label=${spec%%:*} id=${spec##*:}
    pem=$DIR/certs/$label.pem der=$DIR/certs/$label.der
    # The private key stays on the token: OpenSSL signs through libp11;
    # the PIN comes from a file (pin-source), not the command line.
    OPENSSL_CONF=$DIR/openssl-pkcs11.cnf openssl req -new -x509 \
        -engine pkcs11 -keyform engine \
        -key "pkcs11:token=$TOKEN_LABEL;object=$label;type=private;pin-source=file:$PINFILE" \
        -sha256 -days 3650 -set_serial "0x$(openssl rand -hex 8)" \
        -subj "/CN=ostree-ima test $label" \
        -addext "subjectKeyIdentifier=hash" \
        -addext "basicConstraints=critical,CA:FALSE" \
        -addext "keyUsage=critical,digitalSignature" \
        -addext "extendedKeyUsage=codeSigning" \
        -out "$pem" >/dev/null 2>"$DIR/req.err" \
        || { cat "$DIR/req.err" >&2; rm -f "$DIR/req.err"; die "certificate for $label failed"; }
    rm -f "$DIR/req.err"
    openssl x509 -in "$pem" -outform DER -out "$der"
    chmod 0644 "$pem" "$der"

    skid=$(openssl x509 -in "$pem" -noout -ext subjectKeyIdentifier | tail -n1 | tr -d ' :\n' | tr 'A-F' 'a-f')
    [ "$skid" = "$(spki_sha1 "$pem")" ] || die "$label: SKID $skid is not SHA-1(subjectPublicKey)"

    run p11 --login --pin env:MT_USER_PIN --write-object "$der" --type cert \
        --id "$id" --label "$label"
    summary+=("$(printf '  %-8s id %s  ima-keyid %s  cert %s' "$label" "$id" "${skid: -8}" "$pem")")
done

cat > "$DIR/env" <<ENV
# source me: SoftHSM2 fixture token "$TOKEN_LABEL" (user PIN in $DIR/pin)
export SOFTHSM2_CONF=$DIR/softhsm2.conf
export SOFTHSM_MODULE=$MODULE
ENV
chmod 0644 "$DIR/env"

echo "token:  $TOKEN_LABEL  (SOFTHSM2_CONF=$DIR/softhsm2.conf)"
echo "module: $MODULE"
printf '%s\n' "${summary[@]}"
echo "  nosign   id 05  (CKA_SIGN=false, no cert)"
echo "  dup      id 06, 07  (same label, no cert)"
echo "env: $DIR/env  pin: $DIR/pin  openssl engine conf: $DIR/openssl-pkcs11.cnf"
