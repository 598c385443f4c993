#!/bin/bash
# tpm-fixture.sh start DIR | stop DIR
#
# Private software-TPM fixture for the ostree-ima TPM tests:
#   swtpm (TCP on a free 127.0.0.1 port) <- tpm2-abrmd on a private D-Bus
#   session bus <- tpm2-pkcs11 token "ostree-ima-tpm" (user PIN 1234,
#   SO PIN 5678) with keys tpm-rsa2048 (CKA_ID 01) and tpm-ec-p256 (CKA_ID 02)
#   plus a persistent RSA-2048 key for the tpm2 OpenSSL provider.
#
# start writes into DIR:
#   env          source me: DBUS_SESSION_BUS_ADDRESS, TPM2_PKCS11_STORE,
#                TPM2_PKCS11_TCTI, TPM2TOOLS_TCTI, TPM2OPENSSL_TCTI,
#                TPM2_PKCS11_MODULE
#   pin          user PIN + newline (0600)
#   tpm-handle   provider key URI, e.g. "handle:0x81000001"
#   certs/{tpm-rsa2048,tpm-ec-p256,tpm-handle}.{pem,der}
#                self-signed codeSigning certs, SKID = SHA-1 of the
#                subjectPublicKey (RFC 5280 method 1)
#   swtpm.pid dbus.pid abrmd.pid swtpm.port *.log  (bookkeeping)
# stop kills abrmd, swtpm and dbus-daemon by those pid files and waits.
#
# Known pitfall: an OpenSSL ENGINE installed as *default* (ENGINE_set_default,
# as done by `openssl ... -engine pkcs11` and by evmctl --engine) hijacks the
# RSA/EC EVP_PKEY methods that tpm2-tss uses for its salted session, so
# tpm2-pkcs11's C_Login fails ("fromdata_init: operation not supported").
# Loading libp11 WITHOUT setting it default works.
set -euo pipefail

TPM2_MODULE=/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so
TOKEN_LABEL=ostree-ima-tpm
USER_PIN=1234
SO_PIN=5678
TCTI=tabrmd:bus_type=session
PROG=${0##*/}

usage() { echo "usage: $PROG start DIR | stop DIR" >&2; exit 2; }

# ---------------------------------------------------------------- stop ----

# True while pid exists and is not a zombie (our daemons are reparented to
# PID 1, which may reap them only later; a zombie has already exited).
alive() {
    local st
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}

# Kill the process named in a pid file if it is still the expected program
# (guards against a recycled pid), then wait for it to go away.
kill_pidfile() { # pidfile comm
    local pidfile=$1 comm=$2 pid
    [ -f "$pidfile" ] || return 0
    pid=$(tr -dc '0-9' < "$pidfile")
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 20); do alive "$pid" || break; sleep 0.1; done
        fi
    fi
    rm -f "$pidfile"
}

do_stop() { # DIR
    local dir=$1
    # Clients first: abrmd talks to both swtpm and the bus.
    kill_pidfile "$dir/abrmd.pid" tpm2-abrmd
    kill_pidfile "$dir/swtpm.pid" swtpm
    kill_pidfile "$dir/dbus.pid" dbus-daemon
    rm -f "$dir/dbus.sock"
}

# --------------------------------------------------------------- start ----

# Print a 127.0.0.1 port P such that P and P+1 are both free right now
# (swtpm needs a server and a control port).
free_port_pair() {
    python3 - <<'PY'
import socket
for _ in range(100):
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1))
    except OSError:
        continue
    finally:
        a.close(); b.close()
    print(p); break
else:
    raise SystemExit("no free port pair")
PY
}

# Retry a command for up to ~10 s (daemons need a moment to come up).
retry() {
    for _ in $(seq 100); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    return 1
}

CURRENT_STEP=""
step() { CURRENT_STEP=$1; echo "== $(date +%T.%N) $1" >>"$LOG"; }

# First free persistent handle in the owner range.
free_persistent_handle() {
    local used h
    used=$(tpm2_getcap handles-persistent | tr 'A-F' 'a-f')
    for h in $(seq $((0x81000001)) $((0x810000ff))); do
        h=$(printf '0x%08x' "$h")
        grep -q "$h" <<<"$used" || { echo "$h"; return 0; }
    done
    return 1
}

# SHA-1 over the subjectPublicKey BIT STRING contents (RFC 5280 method 1),
# computed by hand to check what OpenSSL put into the SKID extension.
spki_sha1() { # cert.pem
    local der line off hl len
    der=$(mktemp)
    openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER -out "$der"
    line=$(openssl asn1parse -inform DER -in "$der" | grep 'd=1 .*BIT STRING')
    off=$(sed -E 's/^ *([0-9]+):.*/\1/' <<<"$line")
    hl=$(sed -E 's/.*hl= *([0-9]+).*/\1/' <<<"$line")
    len=$(sed -E 's/.* l= *([0-9]+).*/\1/' <<<"$line")
    tail -c +$((off + hl + 2)) "$der" | head -c $((len - 1)) | sha1sum | cut -d' ' -f1
    rm -f "$der"
}

# Self-signed code-signing certificate through the tpm2 OpenSSL provider
# (no ENGINE involved), then check the SKID.
make_cert() { # key-uri subject-label out-basename
    local key=$1 label=$2 base=$3
    OPENSSL_CONF=/dev/null openssl req -provider tpm2 -provider default -new -x509 \
        -key "$key" -sha256 -days 3650 \
        -set_serial "0x$(openssl rand -hex 8)" \
        -subj "/CN=ostree-ima test $label" \
        -addext "subjectKeyIdentifier=hash" \
        -addext "basicConstraints=critical,CA:FALSE" \
        -addext "keyUsage=critical,digitalSignature" \
        -addext "extendedKeyUsage=codeSigning" \
        -out "$base.pem" || return 1
    openssl x509 -in "$base.pem" -outform DER -out "$base.der"
    chmod 0644 "$base.pem" "$base.der"
    check_skid "$label" "$base.pem"
}

check_skid() { # label cert.pem
    local skid
    skid=$(openssl x509 -in "$2" -noout -ext subjectKeyIdentifier | tail -n1 | tr -d ' :\n' | tr 'A-F' 'a-f')
    [ "$skid" = "$(spki_sha1 "$2")" ] || { echo "$1: SKID $skid is not method 1" >&2; return 1; }
    echo "$1 ima-keyid ${skid: -8}" >>"$DIR/summary"
}

# Print the n-th depth-1 element (header included) of a DER SEQUENCE.
der_elem() { # file.der n
    local line off hl len
    line=$(openssl asn1parse -inform DER -in "$1" | grep 'd=1 ' | sed -n "$2p")
    off=$(sed -E 's/^ *([0-9]+):.*/\1/' <<<"$line")
    hl=$(sed -E 's/.*hl= *([0-9]+).*/\1/' <<<"$line")
    len=$(sed -E 's/.* l= *([0-9]+).*/\1/' <<<"$line")
    tail -c +$((off + 1)) "$1" | head -c $((hl + len))
}

# Certificate for a tpm2-pkcs11 key, signed through PKCS#11 only:
# - GnuTLS certtool (3.7.9) is unusable: its SKID is SHA-1 over the whole
#   SubjectPublicKeyInfo (not method 1) and it rejects a supplied SKID;
# - OpenSSL's pkcs11 engine breaks tpm2-pkcs11 when made default (see top);
# - the tpm2 provider (1.1.1) on an exported key writes a NULL parameter
#   into the ecdsa-with-SHA256 AlgorithmIdentifier (not RFC 5758).
# So OpenSSL builds the TBSCertificate (token public key forced in, signed by
# a throw-away key of the same type just to get the layout and the right
# AlgorithmIdentifier), the token signs the TBS, and we splice the result.
pkcs11_key_cert() { # key-label id(hex) rsa|ec
    local kl=$1 id=$2 type=$3 t=$DIR/.cert-$1 base=$DIR/certs/$1 mech
    local p11=(pkcs11-tool --module "$TPM2_MODULE" --token-label "$TOKEN_LABEL")
    mkdir -p "$t"
    "${p11[@]}" --read-object --type pubkey --id "$id" -o "$t/pub.der"
    case $type in
        rsa) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$t/dummy.pem"
             mech=(-m SHA256-RSA-PKCS) ;;
        ec)  openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$t/dummy.pem"
             mech=(-m ECDSA --signature-format openssl) ;;
    esac
    cat >"$t/ext.cnf" <<EXT
[ext]
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
EXT
    OPENSSL_CONF=/dev/null openssl x509 -new -subj "/CN=ostree-ima test $kl" \
        -key "$t/dummy.pem" -force_pubkey "$t/pub.der" \
        -extfile "$t/ext.cnf" -extensions ext -days 3650 -sha256 \
        -set_serial "0x$(openssl rand -hex 8)" -outform DER -out "$t/draft.der"
    # Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, sig }
    der_elem "$t/draft.der" 1 >"$t/tbs.der"
    der_elem "$t/draft.der" 2 >"$t/alg.der"
    if [ "$type" = ec ]; then  # CKM_ECDSA signs a digest; SHA256-RSA-PKCS hashes itself
        openssl dgst -sha256 -binary -out "$t/tbs.in" "$t/tbs.der"
    else
        cp "$t/tbs.der" "$t/tbs.in"
    fi
    "${p11[@]}" --login --pin env:TPMFX_PIN --sign "${mech[@]}" --id "$id" \
        -i "$t/tbs.in" -o "$t/sig.bin"
    python3 - "$t/tbs.der" "$t/alg.der" "$t/sig.bin" "$base.der" <<'PY'
import sys
def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        hdr = bytes([n])
    else:
        nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
        hdr = bytes([0x80 | len(nb)]) + nb
    return bytes([tag]) + hdr + body
tbs, alg, sig = (open(f, "rb").read() for f in sys.argv[1:4])
open(sys.argv[4], "wb").write(tlv(0x30, tbs + alg + tlv(0x03, b"\0" + sig)))
PY
    openssl x509 -inform DER -in "$base.der" -out "$base.pem"
    chmod 0644 "$base.pem" "$base.der"
    rm -rf "$t"
    # The token's signature must verify against the public key in the cert.
    openssl verify -CAfile "$base.pem" "$base.pem"
    check_skid "$kl" "$base.pem"
    # addcert gives the certificate object the key's CKA_ID and label.
    tpm2_ptool addcert --label "$TOKEN_LABEL" --key-label "$kl" "$base.pem"
}

on_start_exit() {
    local rc=$?
    [ "$rc" = 0 ] && return 0
    do_stop "$DIR" >/dev/null 2>&1 || true
    echo "$PROG: start failed at step '$CURRENT_STEP' (details: $LOG); stopped everything" >&3
    exit "$rc"
}

do_start() {
    local port abrmd_pid handle
    for tool in swtpm dbus-daemon tpm2-abrmd tpm2_ptool tpm2_getrandom openssl python3; do
        command -v "$tool" >/dev/null || { echo "$PROG: $tool not found" >&2; exit 1; }
    done
    [ -e "$TPM2_MODULE" ] || { echo "$PROG: $TPM2_MODULE not found" >&2; exit 1; }

    mkdir -p "$DIR"
    DIR=$(realpath "$DIR")
    # Re-use only a DIR this script made (marker file), after stopping it.
    if [ -e "$DIR/.tpm-fixture" ]; then
        do_stop "$DIR"
        find "$DIR" -mindepth 1 -delete
    elif [ -n "$(ls -A "$DIR")" ]; then
        echo "$PROG: $DIR is not empty and not a tpm fixture; refusing" >&2
        exit 1
    fi
    # D-Bus unix socket paths are limited to 108 bytes.
    [ ${#DIR} -le 90 ] || { echo "$PROG: DIR path too long for a unix socket" >&2; exit 1; }
    touch "$DIR/.tpm-fixture"
    mkdir -p "$DIR/swtpm-state" "$DIR/tpm2-pkcs11-store" "$DIR/certs"
    LOG=$DIR/start.log
    : >"$LOG"
    # Tool chatter goes to the log; our own messages to the saved fds 3/4.
    # The daemons get neither (nor the caller's stdio), so that callers
    # capturing our output, e.g. $(tpm-fixture.sh start DIR), do not hang.
    exec 3>&2 4>&1 >>"$LOG" 2>&1
    trap on_start_exit EXIT
    umask 022

    step "swtpm"
    # A free port can be taken between probing and binding: retry a few times.
    for _ in 1 2 3 4 5; do
        port=$(free_port_pair)
        rm -f "$DIR/swtpm.pid"
        if swtpm socket --tpm2 --tpmstate dir="$DIR/swtpm-state" \
                --server type=tcp,port="$port",bindaddr=127.0.0.1 \
                --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
                --flags not-need-init,startup-clear \
                --log file="$DIR/swtpm.log" \
                --daemon --pid file="$DIR/swtpm.pid" </dev/null 3>&- 4>&- \
           && retry test -s "$DIR/swtpm.pid" \
           && retry tpm2_getrandom -T "swtpm:host=127.0.0.1,port=$port" 8; then
            break
        fi
        do_stop "$DIR"
        port=""
    done
    [ -n "$port" ]
    echo "$port" >"$DIR/swtpm.port"

    step "dbus-daemon"
    dbus-daemon --session --fork --nopidfile --address="unix:path=$DIR/dbus.sock" \
        --print-pid </dev/null >"$DIR/dbus.pid" 3>&- 4>&-
    [ -s "$DIR/dbus.pid" ]
    export DBUS_SESSION_BUS_ADDRESS="unix:path=$DIR/dbus.sock"

    step "tpm2-abrmd"
    setsid tpm2-abrmd --session --tcti="swtpm:host=127.0.0.1,port=$port" \
        --allow-root </dev/null >>"$DIR/abrmd.log" 2>&1 3>&- 4>&- &
    abrmd_pid=$!
    echo "$abrmd_pid" >"$DIR/abrmd.pid"
    retry tpm2_getrandom -T "$TCTI" 8
    kill -0 "$abrmd_pid"

    export TPM2_PKCS11_STORE=$DIR/tpm2-pkcs11-store TPM2_PKCS11_TCTI=$TCTI
    export TPM2TOOLS_TCTI=$TCTI TPM2OPENSSL_TCTI=$TCTI

    # The provider key goes first so it normally lands on 0x81000001
    # (tpm2_ptool init then takes the next free handle for its primary).
    step "persistent provider key"
    tpm2_createprimary -Q -C o -c "$DIR/primary.ctx"
    tpm2_create -Q -C "$DIR/primary.ctx" -G rsa2048 \
        -u "$DIR/handle-key.pub" -r "$DIR/handle-key.priv"
    tpm2_load -Q -C "$DIR/primary.ctx" -u "$DIR/handle-key.pub" \
        -r "$DIR/handle-key.priv" -c "$DIR/handle-key.ctx"
    handle=$(free_persistent_handle)
    tpm2_evictcontrol -Q -C o -c "$DIR/handle-key.ctx" "$handle"
    echo "handle:$handle" >"$DIR/tpm-handle"

    step "provider certificate"
    : >"$DIR/summary"
    make_cert "handle:$handle" tpm-handle "$DIR/certs/tpm-handle"

    step "tpm2-pkcs11 token"
    tpm2_ptool init
    tpm2_ptool addtoken --pid=1 --sopin="$SO_PIN" --userpin="$USER_PIN" \
        --label="$TOKEN_LABEL"
    # --id is taken as raw bytes: \x01 gives CKA_ID 01 like the SoftHSM token.
    tpm2_ptool addkey --algorithm=rsa2048 --label="$TOKEN_LABEL" \
        --userpin="$USER_PIN" --key-label=tpm-rsa2048 --id=$'\x01'
    tpm2_ptool addkey --algorithm=ecc256 --label="$TOKEN_LABEL" \
        --userpin="$USER_PIN" --key-label=tpm-ec-p256 --id=$'\x02'

    step "tpm2-pkcs11 certificates"
    export TPMFX_PIN=$USER_PIN   # pkcs11-tool reads it via --pin env:
    pkcs11_key_cert tpm-rsa2048 01 rsa
    pkcs11_key_cert tpm-ec-p256 02 ec

    step "env files"
    umask 077
    printf '%s\n' "$USER_PIN" >"$DIR/pin"
    umask 022
    cat >"$DIR/env" <<ENV
# source me: tpm fixture in $DIR (user PIN in $DIR/pin)
export DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS
export TPM2_PKCS11_STORE=$TPM2_PKCS11_STORE
export TPM2_PKCS11_TCTI=$TCTI
export TPM2TOOLS_TCTI=$TCTI
export TPM2OPENSSL_TCTI=$TCTI
export TPM2_PKCS11_MODULE=$TPM2_MODULE
ENV

    exec >&4 2>&3 3>&- 4>&-
    trap - EXIT
    echo "tpm fixture up in $DIR: swtpm 127.0.0.1:$port, token $TOKEN_LABEL," \
         "provider key $(cat "$DIR/tpm-handle")"
    sed 's/^/  /' "$DIR/summary"
    echo "  source $DIR/env; PIN in $DIR/pin; stop with: $0 stop $DIR"
}

[ $# -eq 2 ] || usage
DIR=$2
case $1 in
    start) do_start ;;
    stop)  [ -d "$DIR" ] && do_stop "$(realpath "$DIR")"; exit 0 ;;
    *)     usage ;;
esac
