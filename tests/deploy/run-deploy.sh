#!/usr/bin/env bash
# run-deploy.sh OSTREE_IMA_BINARY
#
# What deployment does to signatures (issue #13 part 4), with libostree's own
# `ostree admin`: a commit signed by ostree-ima is deployed into a sysroot on
# a loop-mounted ext4 image (deploy freezes the filesystem holding /boot, so
# never the machine's own), then checked with evmctl, independent of
# ostree-ima: every /usr file verifies (hardlinks to the signed objects), /etc
# verifies at first (a copy of /usr/etc with its xattrs). Then /etc/some.conf
# is edited in place and /etc/other.conf replaced as editors save:
# `verify --deployment` reports the first stale and the second unsigned, /usr
# fine (exit 0), and a tampered /usr file fails it (exit 1). A second deploy
# shows the 3-way /etc merge carrying the stale signature on.
#
# Needs root, a loop device, unshare (where /dev/null is not a device), mkfs.ext4, ostree, openssl, evmctl, python3,
# getfattr. Without one it exits 77 (skipped), or 1 under
# OSTREE_IMA_REQUIRE_ALL=1. OSTREE_IMA_KEEP_TEST_DIRS=1 keeps the work
# directory.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OSTREE_IMA_BINARY" >&2; exit 2; }
binary=$(realpath -m "$1")
kver=6.1.0-test

harness=deploy
# shellcheck source=../support/harness.sh
. "$(dirname "$0")/../support/harness.sh"
# shellcheck source=../support/sysroot.sh
. "$(dirname "$0")/../support/sysroot.sh"

missing=()
for tool in openssl evmctl getfattr python3; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -x "$binary" ] || missing+=("$binary")
sysroot_prerequisites
skip_if_missing

work=$(mktemp -d "${TMPDIR:-/var/tmp}/deploy-test.XXXXXX")
cleanup() {
  sysroot_release
  remove_work
}
trap cleanup EXIT
exit_on_signals
cd "$work"

# --- a small OS, committed with ostree, signed with ostree-ima -------------
mkdir -p tree/usr/bin tree/usr/etc tree/usr/lib/modules/$kver
printf '#!/bin/sh\necho hello\n' > tree/usr/bin/hello
printf '#!/bin/sh\necho tool\n' > tree/usr/bin/tool
chmod 0755 tree/usr/bin/hello tree/usr/bin/tool
printf 'key=value\n' > tree/usr/etc/some.conf
printf 'other=1\n' > tree/usr/etc/other.conf
printf 'ID=ostreeimatest\nNAME=test\n' > tree/usr/lib/os-release
ln -s ../usr/lib/os-release tree/usr/etc/os-release
printf 'not a kernel\n' > tree/usr/lib/modules/$kver/vmlinuz
printf 'not an initramfs\n' > tree/usr/lib/modules/$kver/initramfs.img
run openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 30 \
  -subj /CN=deploy-test -addext subjectKeyIdentifier=hash -addext basicConstraints=CA:FALSE
run openssl x509 -in cert.pem -outform DER -out cert.der
run ostree init --repo=repo --mode=bare
run ostree commit --repo=repo --branch=os --tree=dir=tree
"$binary" sign --repo=repo --key key.pem os os 2>sign.err >/dev/null || { cat sign.err >&2; fail sign; }
grep -q 'warning: signed 2 files under /usr/etc' sign.err || { cat sign.err >&2; fail "no /usr/etc warning"; }

# --- the sysroot on its own filesystem --------------------------------------
truncate -s 128M sysroot.img
run mkfs.ext4 -q -F sysroot.img
sysroot_mount sysroot.img mnt
run ostree admin init-fs mnt
run ostree admin --sysroot=mnt os-init testos
run ostree --repo=mnt/ostree/repo pull-local repo os
deploy() { sysroot_deploy mnt testos os; }
deploy
dep=$(ls -d mnt/ostree/deploy/testos/deploy/*.0)
log "deployed $(basename "$dep")"

# --- evmctl, file by file -----------------------------------------------------
verify_file() { evmctl ima_verify --key cert.der "$1" >/dev/null 2>&1; }
n=0
while IFS= read -r -d '' f; do
  verify_file "$f" || fail "evmctl: $f does not verify after deploy"
  n=$((n + 1))
done < <(find "$dep/usr" "$dep/etc" -type f -print0)
[ "$n" -eq 9 ] || fail "expected 9 regular files under /usr and /etc, found $n"
# /usr is the repository's objects (hardlinks), /etc a copy.
[ "$(stat -c %h "$dep/usr/bin/hello")" -ge 2 ] || fail "/usr/bin/hello is not a hardlink"
[ "$(stat -c %i "$dep/etc/some.conf")" != "$(stat -c %i "$dep/usr/etc/some.conf")" ] ||
  fail "/etc/some.conf is not a copy"
log "evmctl: all $n files of /usr and /etc verify"

"$binary" verify --cert cert.der --deployment "$dep" >fresh.out || { cat fresh.out >&2; fail "verify --deployment of a fresh deployment"; }
grep -q '/etc: 2 files, 2 valid, 0 stale, 0 unsigned' fresh.out || { cat fresh.out >&2; fail "fresh summary"; }

# --- admins at work ----------------------------------------------------------
printf 'key=edited\n' >> "$dep/etc/some.conf"                        # in place
printf 'other=2\n' > "$dep/etc/.other.conf.swp" && mv "$dep/etc/.other.conf.swp" "$dep/etc/other.conf"
! verify_file "$dep/etc/some.conf" || fail "evmctl: the edited file still verifies"
getfattr -n security.ima "$dep/etc/some.conf" >/dev/null 2>&1 || fail "the edited file lost security.ima"
! getfattr -n security.ima "$dep/etc/other.conf" >/dev/null 2>&1 || fail "the replaced file has security.ima"

"$binary" verify --cert cert.der --deployment "$dep" --json >edited.json || { cat edited.json >&2; fail "verify --deployment: /etc findings must not fail"; }
python3 - edited.json <<'PY' || fail "verify --deployment report after the edits"
import json, sys
j = json.load(open(sys.argv[1]))
f = {x["path"]: x for x in j["findings"]}
assert j["valid"] and j["files_invalid"] == 0 and j["files_unsigned"] == 0, j
assert set(f) == {"/etc/some.conf", "/etc/other.conf"}, f
assert f["/etc/some.conf"]["etc"] == "stale", f
assert "edited since deployment" in f["/etc/some.conf"]["detail"], f
assert f["/etc/other.conf"]["etc"] == "unsigned", f
assert "replaced since deployment" in f["/etc/other.conf"]["detail"], f
assert not any(x["fatal"] for x in j["findings"]), f
PY
log "verify --deployment: /etc/some.conf stale, /etc/other.conf unsigned, /usr fine"

# --- the 3-way merge carries the stale signature into the next deployment ----
deploy
dep1=$(ls -d mnt/ostree/deploy/testos/deploy/*.1)
grep -q 'key=edited' "$dep1/etc/some.conf" || fail "the merge did not keep the edit"
getfattr -n security.ima "$dep1/etc/some.conf" >/dev/null 2>&1 || fail "the merge dropped the stale signature"
! verify_file "$dep1/etc/some.conf" || fail "evmctl: the merged file verifies"
"$binary" verify -v --cert cert.der --deployment "$dep1" >merged.out || { cat merged.out >&2; fail "verify of the second deployment"; }
grep -q '^/etc/some.conf: stale: edited since deployment' merged.out || { cat merged.out >&2; fail "the merged stale signature not reported"; }
log "second deploy: the merge carried the stale signature; verify --deployment says so"

# --- a changed /usr file fails it ----------------------------------------------
# A new inode with the old xattrs (the hardlinked object stays as it is).
cp -a "$dep1/usr/bin/tool" "$dep1/usr/bin/.tool.tmp"
printf 'echo changed\n' >> "$dep1/usr/bin/.tool.tmp"
mv "$dep1/usr/bin/.tool.tmp" "$dep1/usr/bin/tool"
if "$binary" verify --cert cert.der --deployment "$dep1" >usr.out; then
  cat usr.out >&2; fail "verify --deployment passed with a changed /usr file"
fi
grep -q '^/usr/bin/tool: bad_signature' usr.out || { cat usr.out >&2; fail "the /usr finding"; }
log "a changed /usr file fails verify --deployment"
log "passed in $SECONDS s"
