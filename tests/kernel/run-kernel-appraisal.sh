#!/usr/bin/env bash
# run-kernel-appraisal.sh OSTREE_IMA_BINARY
#
# The kernel as the test oracle (issue #13): commits signed by ostree-ima are
# checked out onto one ext4 image, which a real kernel with IMA appraisal
# enforced (Debian's 6.12 cloud kernel, under QEMU with TCG) reads and
# executes file by file in one boot. See docs/testing.md.
#
# Signed trees (every regular file must be readable and, if executable,
# executable), one per key and hash:
#   file-<key>-<hash>/  key files made with openssl (--key, --cert)
#   hsm-<key>-<hash>/   the SoftHSM2 token of softhsm-fixtures/make-token.sh
#                       (a pkcs11: URI, key id from the token)
#   <key>: rsa2048 rsa4096 ec-p256 ec-p384   <hash>: sha256 sha512
# Must be denied (EACCES on open and execve):
#   denied/tampered-<tree>.sh  a signed file of <tree>, content changed after
#   denied/unsigned.sh         the unsigned commit's file
#   denied/foreign-<key>.sh    signed by a key whose certificate is not loaded
# Controls, independent of ostree-ima, which a broken harness fails:
#   control/good.sh  signed by evmctl with a throw-away key that is loaded
#   control/bad.sh   unsigned
# fs-verity signatures (sigv3), on a second image (ext4 with the verity
# feature, writable: the guest enables fs-verity on every file before the
# policy `digest_type=verity appraise_type=sigv3` for its fsuuid is loaded):
#   verity/verity-<key>/          signed by `sign --verity`: readable, executable
#     <key>: file-rsa2048 file-ec-p256 hsm-ec-p256
#   verity/denied/changed-<t>.sh  signed, content changed after (verity
#                                 enabled on the new content): denied
#   verity/denied/unsigned.sh, verity/denied/v2.sh (a v2 signature): denied
#   verity/control/good.sh        sigv3 made here with openssl and fsverity
#                                 (independent of ostree-ima): readable
# Portable EVM signatures (security.evm type 5), on a third image appraised
# last, after the guest loads the `_evm` keyring and switches EVM X.509 on
# (`echo 2 > /sys/kernel/security/evm`): from then on every appraised file
# needs a valid security.evm, so its files are opened only then:
#   evm/evm-<t>/          signed by `sign --evm`, each with an --evm-key of its
#                         own (one key per format): readable, executable;
#                         owned.txt is uid 1234, gid 4321 in the commit, so
#                         the signed owner is not root's all-zero one
#     <t>: file-rsa2048 (--evm-key evm-rsa2048), file-ec-p256 (evm-ec-p256),
#     hsm-ec-p256 (--key file-rsa2048, --evm-key the token's ec-p256), split
#     (--key rsa2048, --evm-key evm-ec-p256)
#   evm/denied/owner.sh, mode.sh   a signed file whose owner or mode changed
#   evm/denied/owned-uid.txt, owned-gid.txt
#                                  owned.txt with only its uid (1235) or
#                                  only its gid (4322) changed
#   evm/denied/resigned-ima.sh     a valid security.ima by another loaded key
#                                  under the old security.evm
#   evm/denied/no-evm.sh           security.evm removed (security.ima valid)
#   evm/denied/forged-ima-key.sh   issue #19 part 1: a signed file made setuid
#                                  root, its security.evm the v2 signature (by
#                                  its IMA key, re-typed 03 -> 05) of a file
#                                  holding its EVM message: denied, since the
#                                  IMA key is not in _evm
#   evm/forged/evm-key.sh          the same forgery with a key in _evm: read
#                                  and run (the re-typing itself is valid)
#   evm/control/good.sh            IMA and EVM signatures made by evmctl
#                                  (ima_sign, then sign --portable with the
#                                  control's EVM key): readable
#
# Needs root (checkouts that keep security.ima), qemu-system-x86_64, the
# kernel of scripts/fetch-test-kernel.sh (OSTREE_IMA_KERNEL_DIR, default
# /var/cache/ostree-ima-kernel), keyctl, mkfs.ext4/debugfs, ostree, openssl,
# evmctl and SoftHSM2's tools. Without one it exits 77 (skipped), or 1 under
# OSTREE_IMA_REQUIRE_ALL=1.
# OSTREE_IMA_KEEP_TEST_DIRS=1 keeps the work directory (under $TMPDIR or
# /var/tmp). OSTREE_IMA_KERNEL_MUTATE breaks one thing on purpose, to show
# the suite then fails: signature-byte, key-id (the data.txt of every signed
# tree, fs-verity ones included), policy-uuid, no-policy, no-keys,
# evm-signature-byte, evm-key-id (security.evm of every EVM tree's
# data.txt), no-evm-keys (the `_evm` keyring left empty).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OSTREE_IMA_BINARY" >&2; exit 2; }
binary=$(realpath -m "$1")
mutate=${OSTREE_IMA_KERNEL_MUTATE:-}
uuid=5f1d1b0e-8c1a-4d6e-9b3a-1ae5e5ed0013
verity_uuid=5f1d1b0e-8c1a-4d6e-9b3a-1ae5e5ed0014
evm_uuid=5f1d1b0e-8c1a-4d6e-9b3a-1ae5e5ed0015
keys=(rsa2048 rsa4096 ec-p256 ec-p384)
hashes=(sha256 sha512)

harness=kernel-appraisal
# shellcheck source=../support/harness.sh
. "$here/../support/harness.sh"
# shellcheck source=kernel-harness.sh
. "$here/kernel-harness.sh"

# --- prerequisites ---------------------------------------------------------
missing=()
kernel_prerequisites
for tool in mkfs.ext4 debugfs ostree evmctl pkcs11-tool p11tool fsverity gcc xxd; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -e /usr/lib/softhsm/libsofthsm2.so ] || missing+=(/usr/lib/softhsm/libsofthsm2.so)
[ -x "$binary" ] || missing+=("$binary")
skip_if_missing

start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/var/tmp}/kernel-appraisal.XXXXXX")
cleanup() {
  kill_boots
  remove_work
}
trap cleanup EXIT
exit_on_signals # clean up on CTest's timeout or ^C too (QEMU included)
cd "$work"

# --- keys ------------------------------------------------------------------
for k in "${keys[@]}"; do
  # shellcheck disable=SC2046 # options, split on purpose
  key_pair "file-$k" $(key_spec "$k")
done
# Signed the denied/foreign-* files; never loaded.
# shellcheck disable=SC2046
key_pair foreign-rsa2048 $(key_spec rsa2048)
# shellcheck disable=SC2046
key_pair foreign-ec-p256 $(key_spec ec-p256)
# The controls' key (evmctl signs with it); loaded.
# shellcheck disable=SC2046
key_pair control $(key_spec rsa2048)
# EVM keys, in _evm only: one key per format.
# shellcheck disable=SC2046
key_pair evm-rsa2048 $(key_spec rsa2048)
# shellcheck disable=SC2046
key_pair evm-ec-p256 $(key_spec ec-p256)
# shellcheck disable=SC2046
key_pair control-evm $(key_spec rsa2048)
# Retried once, aloud, as tests/support/tokens.cpp does: SoftHSM2 has failed
# a key generation under load on these machines.
if ! "$source_dir/softhsm-fixtures/make-token.sh" "$work/hsm" >"$work/cmd.log" 2>&1; then
  log "make-token.sh failed, once more: $(tail -n1 "$work/cmd.log")"
  run "$source_dir/softhsm-fixtures/make-token.sh" --force "$work/hsm"
fi
log "keys made ($((SECONDS - start)) s)"

# --- the repository and its signed commits ---------------------------------
mkdir -p tree/sub/dir tree/bin
printf 'ostree-ima kernel appraisal test\n' >tree/data.txt
: >tree/empty
printf 'nested=1\n' >tree/sub/dir/nested.conf
head -c 65536 /dev/urandom >tree/blob.bin
printf '#!/bin/sh\necho ran-ok\n' >tree/script.sh
# An ELF executable: the initramfs's busybox runs its echo applet from here.
cp "$kernel_dir/busybox" tree/bin/busybox
chmod 0755 tree/script.sh tree/bin/busybox
ln -s data.txt tree/link
# Not root's: an EVM signature covers uid and gid, which root's zeros cannot
# tell apart from a field left out, swapped or misplaced.
printf 'owned by 1234:4321\n' >tree/owned.txt
chown 1234:4321 tree/owned.txt
repo=$work/repo
run ostree init --repo="$repo" --mode=archive
run ostree commit --repo="$repo" -b main --tree=dir=tree -s "kernel appraisal test"

mkdir image other
sign() { # REF KEY-ARGS...
  local ref=$1
  shift
  run env SOFTHSM2_CONF="$work/hsm/softhsm2.conf" "$binary" sign --repo="$repo" "$@" main "$ref"
}
trees=()
for k in "${keys[@]}"; do
  for h in "${hashes[@]}"; do
    sign "file-$k-$h" --key="keys/file-$k.key.pem" --cert="keys/file-$k.cert.der" --hash="$h"
    sign "hsm-$k-$h" --key="pkcs11:token=ostree-ima-test;object=$k;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so" \
      --pin-file="$work/hsm/pin" --hash="$h"
    trees+=("file-$k-$h" "hsm-$k-$h")
  done
done
sign foreign-rsa2048 --key=keys/foreign-rsa2048.key.pem --cert=keys/foreign-rsa2048.cert.der
sign foreign-ec-p256 --key=keys/foreign-ec-p256.key.pem --cert=keys/foreign-ec-p256.cert.der
# Checked out as root, without -U: security.ima is kept on every file.
for t in "${trees[@]}"; do
  run ostree checkout --repo="$repo" "$t" "image/$t"
done
for ref in main foreign-rsa2048 foreign-ec-p256; do
  run ostree checkout --repo="$repo" "$ref" "other/$ref"
done
vtrees=(verity-file-rsa2048 verity-file-ec-p256 verity-hsm-ec-p256)
sign verity-file-rsa2048 --verity --key=keys/file-rsa2048.key.pem --cert=keys/file-rsa2048.cert.der
sign verity-file-ec-p256 --verity --key=keys/file-ec-p256.key.pem --cert=keys/file-ec-p256.cert.der
sign verity-hsm-ec-p256 --verity --pin-file="$work/hsm/pin" \
  --key="pkcs11:token=ostree-ima-test;object=ec-p256;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so"
mkdir vimage
for t in "${vtrees[@]}"; do
  run ostree checkout --repo="$repo" "$t" "vimage/$t"
done
hsm_ec="pkcs11:token=ostree-ima-test;object=ec-p256;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so"
etrees=(evm-file-rsa2048 evm-file-ec-p256 evm-hsm-ec-p256 evm-split)
sign evm-file-rsa2048 --key=keys/file-rsa2048.key.pem --cert=keys/file-rsa2048.cert.der \
  --evm --evm-key=keys/evm-rsa2048.key.pem --evm-cert=keys/evm-rsa2048.cert.der
sign evm-file-ec-p256 --key=keys/file-ec-p256.key.pem --cert=keys/file-ec-p256.cert.der \
  --evm --evm-key=keys/evm-ec-p256.key.pem --evm-cert=keys/evm-ec-p256.cert.der
sign evm-hsm-ec-p256 --key=keys/file-rsa2048.key.pem --cert=keys/file-rsa2048.cert.der \
  --evm --pin-file="$work/hsm/pin" --evm-key="$hsm_ec"
sign evm-split --key=keys/file-rsa2048.key.pem --cert=keys/file-rsa2048.cert.der \
  --evm --evm-key=keys/evm-ec-p256.key.pem --evm-cert=keys/evm-ec-p256.cert.der
mkdir eimage
for t in "${etrees[@]}"; do
  run ostree checkout --repo="$repo" "$t" "eimage/$t"
done
log "${#trees[@]} + ${#vtrees[@]} (fs-verity) + ${#etrees[@]} (EVM) commits signed and checked out ($((SECONDS - start)) s)"

mkdir image/denied image/control
for t in "${trees[@]}"; do
  cp --preserve=mode,xattr "image/$t/script.sh" "image/denied/tampered-$t.sh"
  printf 'echo tampered\n' >>"image/denied/tampered-$t.sh"
done
cp --preserve=mode,xattr other/main/script.sh image/denied/unsigned.sh
for k in rsa2048 ec-p256; do
  cp --preserve=mode,xattr "other/foreign-$k/script.sh" "image/denied/foreign-$k.sh"
done
printf '#!/bin/sh\necho ran-ok\n# control: good\n' >image/control/good.sh
printf '#!/bin/sh\necho ran-ok\n# control: bad\n' >image/control/bad.sh
chmod 0755 image/control/good.sh image/control/bad.sh
run evmctl ima_sign --key keys/control.key.pem -a sha256 image/control/good.sh

mkdir vimage/denied vimage/control
for t in "${vtrees[@]}"; do
  cp --preserve=mode,xattr "vimage/$t/script.sh" "vimage/denied/changed-$t.sh"
  printf 'echo changed\n' >>"vimage/denied/changed-$t.sh"
done
cp --preserve=mode,xattr other/main/script.sh vimage/denied/unsigned.sh
cp --preserve=mode,xattr image/file-rsa2048-sha256/script.sh vimage/denied/v2.sh
# The sigv3 control, made without ostree-ima: sha256 over the file id
# {0x06, 0x04 (sha256), fs-verity digest}, signed by openssl, behind a
# header 06 03 04, the key id (the last 4 bytes of the SKID), the size.
printf '#!/bin/sh\necho ran-ok\n# control: good verity\n' >vimage/control/good.sh
chmod 0755 vimage/control/good.sh
digest=$(fsverity digest vimage/control/good.sh | sed -n 's/^sha256:\([0-9a-f]*\) .*/\1/p')
[ ${#digest} -eq 64 ] || fail "fsverity digest printed no sha256 digest"
printf '0604%s' "$digest" | xxd -r -p >control-file-id
run openssl dgst -sha256 -sign keys/control.key.pem -out control-verity.sig control-file-id
skid=$(openssl x509 -in keys/control.cert.pem -noout -ext subjectKeyIdentifier | tail -n1 | tr -d ' :\n')
sig_hex=$(xxd -p control-verity.sig | tr -d '\n')
setfattr -n security.ima -v "0x060304${skid: -8}$(printf '%04x' $(( ${#sig_hex} / 2 )))$sig_hex" \
  vimage/control/good.sh

# EVM: the changes made on the host, each to a copy of a signed file that
# keeps its xattrs; mkfs.ext4 -d copies owner, mode and xattrs.
mkdir eimage/denied eimage/control
evm_src=eimage/evm-file-rsa2048/script.sh
evm_copy() { # DEST [SRC]: cp skips security.evm (libattr's /etc/xattr.conf), so set it
  local src=${2:-$evm_src}
  cp --preserve=mode,ownership,xattr "$src" "$1"
  setfattr -n security.evm -v "0x$(ima_hex "$src" security.evm)" "$1"
}
evm_copy eimage/denied/owner.sh
chown 4242:4242 eimage/denied/owner.sh
owned=eimage/evm-file-rsa2048/owned.txt
[ "$(stat -c %u:%g "$owned")" = 1234:4321 ] || fail "$owned is not owned by 1234:4321"
evm_copy eimage/denied/owned-uid.txt "$owned"
chown 1235 eimage/denied/owned-uid.txt
evm_copy eimage/denied/owned-gid.txt "$owned"
chgrp 4322 eimage/denied/owned-gid.txt
evm_copy eimage/denied/mode.sh
chmod 0775 eimage/denied/mode.sh
evm_copy eimage/denied/resigned-ima.sh
set_ima_hex eimage/denied/resigned-ima.sh "$(ima_hex image/file-ec-p256-sha256/script.sh)"
cp --preserve=mode,ownership,xattr "$evm_src" eimage/denied/no-evm.sh
# The forgery of issue #19 part 1: DEST, a copy of a signed file made setuid
# root, gets as security.evm the v2 signature by KEY of a file whose content
# is DEST's EVM message (its security.ima, then x86_64's h_misc: ino and
# generation 0, uid 0, gid 0, mode 0104755 little-endian, padding), re-typed.
forge() { # DEST KEY
  cp --preserve=mode,ownership,xattr "$evm_src" "$1"
  chmod 4755 "$1"
  [ "$(stat -c %u:%g:%f "$1")" = 0:0:89ed ] || fail "forge: $1 is not root's 0104755"
  { ima_hex "$1" security.ima | xxd -r -p
    printf '000000000000000000000000''00000000''00000000''ed89''0000' | xxd -r -p; } >"$work/message"
  run evmctl ima_sign --key "$2" -a sha256 "$work/message"
  local v2
  v2=$(ima_hex "$work/message" security.ima)
  [ "${v2:0:2}" = 03 ] || fail "forge: no v2 signature from evmctl"
  setfattr -n security.evm -v "0x05${v2:2}" "$1"
}
forge eimage/denied/forged-ima-key.sh keys/file-rsa2048.key.pem
mkdir eimage/forged
forge eimage/forged/evm-key.sh keys/evm-rsa2048.key.pem
printf '#!/bin/sh\necho ran-ok\n# control: good evm\n' >eimage/control/good.sh
chmod 0755 eimage/control/good.sh
run evmctl ima_sign --key keys/control.key.pem -a sha256 eimage/control/good.sh
run evmctl sign --portable --key keys/control-evm.key.pem -a sha256 eimage/control/good.sh
case $mutate in
  '' | policy-uuid | no-policy | no-keys | no-evm-keys) ;;
  evm-signature-byte | evm-key-id)
    for t in "${etrees[@]}"; do
      f=eimage/$t/data.txt
      x=$(ima_hex "$f" security.evm)
      if [ "$mutate" = evm-signature-byte ]; then
        last=$(( 0x${x: -2} ^ 0xff ))
        x=${x:0:${#x}-2}$(printf '%02x' "$last")
      else
        x=${x:0:6}$(printf '%08x' $(( 0x${x:6:8} ^ 0x01 )))${x:14}
      fi
      setfattr -n security.evm -v "0x$x" "$f"
    done
    ;;
  signature-byte | key-id)
    for t in "${trees[@]}" "${vtrees[@]}"; do
      f=image/$t/data.txt
      [ -e "$f" ] || f=vimage/$t/data.txt
      x=$(ima_hex "$f")
      if [ "$mutate" = signature-byte ]; then
        # The last byte of the signature, flipped.
        last=$(( 0x${x: -2} ^ 0xff ))
        x=${x:0:${#x}-2}$(printf '%02x' "$last")
      else
        # Header: type, version, hash algorithm, then the 4-byte key id.
        x=${x:0:6}$(printf '%08x' $(( 0x${x:6:8} ^ 0x01 )))${x:14}
      fi
      set_ima_hex "$f" "$x"
    done
    ;;
  *) fail "unknown OSTREE_IMA_KERNEL_MUTATE=$mutate" ;;
esac
[ -z "$mutate" ] || log "MUTATION: $mutate (this run must fail)"

# --- expectations, and the xattrs as they were written ---------------------
# expect: PATH READ EXEC ('-' when not executable)
hash_id() { case $1 in sha256) echo 04 ;; sha512) echo 06 ;; esac; }
: >expect
while read -r f; do
  case $f in
    vimage/*) p=verity/${f#vimage/} ;;
    eimage/*) p=evm/${f#eimage/} ;;
    *) p=${f#image/} ;;
  esac
  top=${p%%/*}
  x=$(ima_hex "$f")
  case $p in
    denied/* | control/bad.sh | verity/denied/* | evm/denied/*) want=EACCES ;;
    *) want=OK ;;
  esac
  case $p in
    evm/*)
      [ "${x:0:4}" = 0302 ] || fail "$p: security.ima is not a v2 signature (0x${x:0:8}...)"
      e=$(ima_hex "$f" security.evm)
      if [ "$p" = evm/denied/no-evm.sh ]; then
        [ -z "$e" ] || fail "$p should have no security.evm"
      else
        [ "${e:0:4}" = 0502 ] || fail "$p: security.evm is not a portable signature (0x${e:0:8}...)"
      fi
      ;;
  esac
  case $p in
    verity/verity-* | verity/denied/changed-* | verity/control/good.sh)
      [ "${x:0:6}" = 060304 ] || fail "$p: security.ima is not a sha256 sigv3 (0x${x:0:8}...)"
      ;;
    verity/denied/v2.sh) [ "${x:0:4}" = 0302 ] || fail "$p: no v2 signature" ;;
    verity/denied/unsigned.sh) [ -z "$x" ] || fail "$p should be unsigned" ;;
    evm/*) ;;
    file-* | hsm-* | denied/tampered-* | denied/foreign-* | control/good.sh)
      [ -n "$x" ] || fail "$p has no security.ima after checkout"
      [ "${x:0:4}" = 0302 ] || fail "$p: security.ima is not a v2 signature (0x${x:0:8}...)"
      ;;
    *) [ -z "$x" ] || fail "$p should be unsigned but has security.ima" ;;
  esac
  case $top in
    file-* | hsm-*)
      [ "${x:4:2}" = "$(hash_id "${top##*-}")" ] || fail "$p: hash id 0x${x:4:2} for ${top##*-}"
      ;;
  esac
  if [ -x "$f" ]; then ex=$want; else ex=-; fi
  echo "$p $want $ex" >>expect
done < <(find image vimage eimage -type f | sort)
log "$(wc -l <expect) files expected, signatures checked on the checkouts"

# --- the image --------------------------------------------------------------
# 512-byte inodes: an RSA-4096 signature (520 bytes) goes to an xattr block,
# smaller ones stay in the inode; both must reach the kernel.
size_kib=$(( $(du -sk image | cut -f1) * 3 / 2 + 16384 ))
run mkfs.ext4 -q -F -t ext4 -I 512 -O ^has_journal -U "$uuid" -L ima-kernel-test \
  -d image image.ext4 "${size_kib}k"
# What mkfs copied, compared with what the checkout holds.
cut -d' ' -f1 expect | sed 's|^\(.*\)$|ea_get -x /\1 security.ima|' >debugfs.cmds
debugfs -f debugfs.cmds image.ext4 2>&1 |
  awk '/^debugfs: ea_get -x / { path = substr($4, 2); next }
       /^security.ima \(/ { sub(/^[^=]*= /, ""); gsub(/ /, ""); print path, $0 }' >image.xattrs
copied=0
while read -r p _ _; do
  x=$(ima_hex "image/$p")
  got=$(awk -v p="$p" '$1 == p { print $2 }' image.xattrs)
  [ "$x" = "$got" ] || fail "the image's security.ima of $p differs from the checkout's"
  [ -z "$x" ] || copied=$((copied + 1))
done <expect
log "image made: $((size_kib / 1024)) MiB, $copied signatures copied (debugfs) ($((SECONDS - start)) s)"
# The fs-verity image: 4096-byte blocks (fs-verity's Merkle tree blocks).
vsize_kib=$(( $(du -sk vimage | cut -f1) * 2 + 16384 ))
run mkfs.ext4 -q -F -t ext4 -b 4096 -I 512 -O verity,^has_journal -U "$verity_uuid" \
  -L ima-verity-test -d vimage verity.ext4 "${vsize_kib}k"
verity_files=$(find vimage -type f | wc -l)
# The EVM image, and what mkfs copied of security.evm.
esize_kib=$(( $(du -sk eimage | cut -f1) * 3 / 2 + 8192 ))
run mkfs.ext4 -q -F -t ext4 -I 512 -O ^has_journal -U "$evm_uuid" -L ima-evm-test \
  -d eimage evm.ext4 "${esize_kib}k"
(cd eimage && find . -type f | sort) | sed 's|^\./\(.*\)$|ea_get -x /\1 security.evm|' >debugfs-evm.cmds
debugfs -f debugfs-evm.cmds evm.ext4 2>&1 |
  awk '/^debugfs: ea_get -x / { path = substr($4, 2); next }
       /^security.evm \(/ { sub(/^[^=]*= /, ""); gsub(/ /, ""); print path, $0 }' >evm.xattrs
while read -r f; do
  f=${f#./}
  got=$(awk -v p="$f" '$1 == p { print $2 }' evm.xattrs)
  [ "$(ima_hex "eimage/$f" security.evm)" = "$got" ] ||
    fail "the EVM image's security.evm of $f differs from the checkout's"
done < <(cd eimage && find . -type f | sort)

# --- the initramfs -----------------------------------------------------------
ird=$work/initramfs
initramfs_base "$ird"
mkdir -p "$ird/certs"
run gcc -static -O2 -o "$ird/bin/enable-verity" "$here/enable-verity.c"
install -m 0755 "$here/init" "$ird/init"
# The certificates (DER) and the rules the kernel gets are what
# `ostree-ima policy` writes (--hooks=read: BPRM_CHECK, MMAP_CHECK MAY_EXEC
# and FILE_CHECK MAY_READ, each bound to a test image's fsuuid), so the boot
# judges the tool's recipe too (docs/deploying.md).
ima_certs=()
for k in "${keys[@]}"; do
  ima_certs+=("--cert=keys/file-$k.cert.der" "--cert=hsm/certs/$k.der")
done
ima_certs+=(--cert=keys/control.cert.der)
v2_uuids=(--fsuuid="$uuid" --fsuuid="$evm_uuid")
verity_uuids=(--fsuuid="$verity_uuid")
if [ "$mutate" = policy-uuid ]; then
  v2_uuids=(--fsuuid="${uuid%-*}-000000000000" --fsuuid="${evm_uuid%-*}-000000000001")
fi
run "$binary" policy -q "${ima_certs[@]}" "${v2_uuids[@]}" --hooks=read -o policy-v2
run "$binary" policy -q "${ima_certs[@]}" --verity "${verity_uuids[@]}" --hooks=read \
  -o policy-verity
[ "$(find policy-v2 -name 'ima-*.der' | wc -l)" -eq $((2 * ${#keys[@]} + 1)) ] ||
  fail "ostree-ima policy did not write one DER certificate per --cert"
if [ "$mutate" != no-keys ]; then
  cp policy-v2/ima-*.der "$ird/certs/"
fi
# The `_evm` keyring: the EVM trees' keys and the control's, none of them in
# _ima but the token's ec-p256 (the IMA trees of the token use it too: one
# run and one `policy` keep formats apart, this test's keyrings need not).
mkdir -p "$ird/certs-evm"
if [ "$mutate" != no-evm-keys ]; then
  cp keys/evm-rsa2048.cert.der keys/evm-ec-p256.cert.der keys/control-evm.cert.der "$ird/certs-evm/"
  cp hsm/certs/ec-p256.der "$ird/certs-evm/hsm-ec-p256.der"
fi
if [ "$mutate" = no-policy ]; then
  : >"$ird/policy"
else
  cat policy-v2/ima-policy policy-verity/ima-policy >"$ird/policy"
fi
initramfs_pack "$ird" initramfs.cpio

# --- the boot ------------------------------------------------------------------
boot appraisal initramfs.cpio "" \
  -drive "file=image.ext4,format=raw,if=virtio,readonly=on" \
  -drive "file=verity.ext4,format=raw,if=virtio" \
  -drive "file=evm.ext4,format=raw,if=virtio,readonly=on"
cp appraisal.report report
boot_s=$(cat appraisal.seconds)
problems=()
boot_problems appraisal

# --- the verdicts ----------------------------------------------------------------
loaded=$(grep -c '^KEY .* [0-9][0-9]*$' report || true)
want_keys=$((2 * ${#keys[@]} + 1))
[ "$mutate" = no-keys ] && want_keys=0
[ "$loaded" -eq "$want_keys" ] || problems+=("$loaded certificates loaded into _ima, not $want_keys")
grep -q '^POLICY OK$' report || problems+=("the policy was not loaded ($(grep '^POLICY' report || echo no report))")
grep -q '^MOUNT OK$' report || problems+=("the image was not mounted")
grep -q '^VMOUNT OK$' report || problems+=("the fs-verity image was not mounted")
grep -q '^EMOUNT OK$' report || problems+=("the EVM image was not mounted")
grep -q '^EVM OK' report || problems+=("EVM was not switched on ($(grep '^EVM' report || echo no report))")
evm_loaded=$(grep -c '^EVMKEY .* [0-9][0-9]*$' report || true)
want_evm_keys=4
[ "$mutate" = no-evm-keys ] && want_evm_keys=0
[ "$evm_loaded" -eq "$want_evm_keys" ] || problems+=("$evm_loaded certificates loaded into _evm, not $want_evm_keys")
enabled=$(grep -c '^VERITY .* OK$' report || true)
[ "$enabled" -eq "$verity_files" ] ||
  problems+=("fs-verity enabled on $enabled files of $verity_files ($(grep -m1 '^VERITY .*FAILED' report || true))")
grep '^[A-Z]* .*FAILED' report | sed 's/^/guest: /' || true

# The cause of each denial, from the kernel's audit line.
cause_of() {
  local name=/mnt/$1
  case $1 in
    verity/*) name=/vmnt/${1#verity/} ;;
    evm/*) name=/emnt/${1#evm/} ;;
  esac
  sed -n "s|^AUDIT .*cause=\\([^ ]*\\) .*name=\"$name\".*|\\1|p" report | sort -u | paste -sd, -
}
declare -A got_read=() got_exec=()
while read -r _ p r e; do
  got_read[$p]=${r#read=}
  got_exec[$p]=${e#exec=}
done < <(grep '^FILE ' report)
[ ${#got_read[@]} -gt 0 ] || problems+=("no FILE reports")

mismatch=()
declare -A group_files=() group_read=() group_exec=() group_execs=()
row() { printf '%-40s %-7s %-7s %-8s %s\n' "$@"; }
echo
row "file" "read" "exec" "expected" "cause (audit)"
while read -r p want wex; do
  r=${got_read[$p]:-MISSING}
  e=${got_exec[$p]:-MISSING}
  ok=1
  if [ "$r" != "$want" ] || [ "$e" != "$wex" ]; then
    ok=0
    mismatch+=("$p: read=$r exec=$e, expected read=$want exec=$wex")
  fi
  top=${p%%/*}
  case $top in
    file-* | hsm-*)
      # One line per signed tree; its files on their own only if wrong.
      group_files[$top]=$((${group_files[$top]:-0} + 1))
      [ "$r" != OK ] || group_read[$top]=$((${group_read[$top]:-0} + 1))
      if [ "$wex" != - ]; then
        group_execs[$top]=$((${group_execs[$top]:-0} + 1))
        [ "$e" != OK ] || group_exec[$top]=$((${group_exec[$top]:-0} + 1))
      fi
      [ $ok = 1 ] || row "$p" "$r" "$e" "$want" "$(cause_of "$p")"
      ;;
    *) row "$p" "$r" "$e" "$want" "$(cause_of "$p")" ;;
  esac
done <expect
for t in "${trees[@]}"; do
  row "$t/*" "${group_read[$t]:-0}/${group_files[$t]:-0}" \
    "${group_exec[$t]:-0}/${group_execs[$t]:-0}" "OK" \
    "security.ima of data.txt: $(($(ima_hex "image/$t/data.txt" | wc -c) / 2)) bytes"
done
for p in "${!got_read[@]}"; do
  grep -q "^$p " expect || mismatch+=("$p: reported by the guest but not in the image")
done
echo

# Controls first: if they fail, the harness is broken, whatever else says.
for c in control/good.sh control/bad.sh verity/control/good.sh evm/control/good.sh; do
  w=$(awk -v p="$c" '$1 == p { print $2 }' expect)
  [ "${got_read[$c]:-MISSING}" = "$w" ] && [ "${got_exec[$c]:-MISSING}" = "$w" ] ||
    problems+=("control $c: read=${got_read[$c]:-MISSING} exec=${got_exec[$c]:-MISSING}, must be $w: the harness is broken")
done
for m in "${mismatch[@]}"; do problems+=("$m"); done

if [ ${#problems[@]} -gt 0 ]; then
  boot_console_tail appraisal
  printf 'kernel-appraisal: FAILED: %s\n' "${problems[@]}" >&2
  echo "kernel-appraisal: ${#problems[@]} problems, $((SECONDS - start)) s (boot $boot_s s)" >&2
  exit 1
fi
log "all $(wc -l <expect) files as expected; controls hold; $((SECONDS - start)) s (boot $boot_s s)"
