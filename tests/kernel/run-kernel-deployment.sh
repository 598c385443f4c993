#!/usr/bin/env bash
# run-kernel-deployment.sh OSTREE_IMA_BINARY
#
# The kernel enforces a real deployment (issue #22 part 2). A small OS (the
# static busybox, dynamically linked binaries with their libraries and
# loader, scripts, data, a /usr/etc) is committed with the ostree CLI and
# signed by ostree-ima twice: `sign` (plainos) and `sign --evm` with an EVM
# key of its own (evmos). Both are deployed by `ostree admin deploy` into one
# sysroot on a loop-mounted ext4 image with a fixed UUID, each in its own
# stateroot. Then, on the host, as an attacker or an admin would:
#   both:    /usr/bin/tool.sh changed in place (it keeps its old signature)
#            /etc/edited.conf edited in place, /etc/replaced.conf replaced
#            editor-style (rename), /etc/added.conf added
#            /var/control/good.sh signed by evmctl with a loaded key (and,
#            in evmos, `evmctl sign --portable` with a loaded EVM key), and
#            /var/control/bad.sh unsigned: the controls
#   plainos: /usr/bin/true and /usr/bin/false swapped (each keeps its own
#            valid signature, at the other's path)
#   evmos:   /usr/share/test/mode.txt's mode changed (0644 -> 0600)
# Two boots of the test kernel, in parallel, one per deployment (the image
# read-only to both), each with the `ostree=` of its boot entry on the
# command line. tests/kernel/init-deployment runs the load-keys.sh of
# `ostree-ima policy --fsuuid <sysroot> --hooks=read` (with --evm-cert for
# evmos) as written, mounts the deployment as ostree-prepare-root does and
# has check-deployment.sh read every file of /usr, /etc and /var and run
# every executable one, chrooted into it. Expected: every /usr file readable
# and every executable one run (true and false swapped: the exit statuses
# say so), the changed file and mode denied, /etc as docs/deploying.md says
# for a policy that appraises the sysroot (copied: valid; edited, replaced,
# added: denied), /var's unsigned files denied, the controls as they must.
# Issue #22 part 1: the plainos boot also measures (ima-sig template), and
# its measurement list is judged by tests/keylime/check-measurements.py
# against the policies `keylime-policy` makes from the commit, binding paths
# and with --trust-signatures: clean passes both, the changed file fails
# both, the swapped pair fails the first and passes the second.
#
# Needs root, a loop device, qemu-system-x86_64, the kernel of
# scripts/fetch-test-kernel.sh, ostree, openssl, evmctl, keyctl. Without one
# it exits 77 (skipped), or 1 under OSTREE_IMA_REQUIRE_ALL=1.
# OSTREE_IMA_KEEP_TEST_DIRS=1 keeps the work directory.
# OSTREE_IMA_KERNEL_MUTATE breaks one thing on purpose, to show the test then
# fails: library-signature (the last byte of libc.so.6's security.ima in
# plainos), evm-signature (of /usr/share/test/owned.txt's security.evm in
# evmos), no-policy (both policies empty), no-measure (plainos's policy
# without its measure rules), keylime-trust-all (the path-binding policy made
# with --trust-signatures too).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OSTREE_IMA_BINARY" >&2; exit 2; }
binary=$(realpath -m "$1")
mutate=${OSTREE_IMA_KERNEL_MUTATE:-}
uuid=5f1d1b0e-8c1a-4d6e-9b3a-1ae5e5ed0022
kver=6.12.0-test

harness=kernel-deployment
# shellcheck source=../support/harness.sh
. "$here/../support/harness.sh"
# shellcheck source=../support/sysroot.sh
. "$here/../support/sysroot.sh"
# shellcheck source=kernel-harness.sh
. "$here/kernel-harness.sh"

missing=()
kernel_prerequisites
sysroot_prerequisites
command -v evmctl >/dev/null || missing+=(evmctl)
python3 -c 'import cryptography' 2>/dev/null || missing+=("python3 with cryptography (python3-cryptography)")
for tool in ls true false sha256sum; do # the programs, not shell builtins
  type -P "$tool" >/dev/null || missing+=("$tool")
done
[ -x "$binary" ] || missing+=("$binary")
skip_if_missing

start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/var/tmp}/kernel-deployment.XXXXXX")
cleanup() {
  kill_boots
  sysroot_release
  remove_work
}
trap cleanup EXIT
exit_on_signals
cd "$work"

# --- keys ----------------------------------------------------------------------
# shellcheck disable=SC2046 # options, split on purpose
key_pair ima $(key_spec rsa2048)
# shellcheck disable=SC2046
key_pair evm $(key_spec ec-p256)
# shellcheck disable=SC2046
key_pair control $(key_spec rsa2048)
# shellcheck disable=SC2046
key_pair control-evm $(key_spec ec-p256)

# --- the OS ----------------------------------------------------------------------
# Real programs: the static busybox (also /bin/sh of the scripts), and
# dynamically linked ones with the libraries they link and the loader, at the
# paths a merged-/usr Debian has them (/lib, /lib64 and /bin are symlinks into
# /usr), so the kernel appraises the loader and the libraries it maps.
t=tree
mkdir -p $t/usr/bin $t/usr/lib64 $t/usr/share/test $t/usr/etc "$t/usr/lib/modules/$kver"
for d in dev proc sys run tmp var sysroot; do mkdir $t/$d; done
ln -s usr/bin $t/bin
ln -s usr/lib $t/lib
ln -s usr/lib64 $t/lib64
cp "$kernel_dir/busybox" $t/usr/bin/busybox
ln -s busybox $t/usr/bin/sh
programs=(ls keyctl true false sha256sum)
for p in "${programs[@]}"; do
  bin=$(type -P "$p")
  cp "$bin" "$t/usr/bin/$p"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    case $lib in
      */ld-linux*) dest=$t/usr/lib64/$(basename "$lib") ;;
      *) dest=$t/usr/lib/x86_64-linux-gnu/$(basename "$lib") ;;
    esac
    mkdir -p "$(dirname "$dest")"
    cp -L "$lib" "$dest"
  done
done
if [ ! -e $t/usr/lib64/ld-linux-x86-64.so.2 ] || [ ! -e $t/usr/lib/x86_64-linux-gnu/libc.so.6 ]; then
  fail "no loader or libc.so.6 in the tree (ldd of ${programs[*]})"
fi
printf '#!/bin/sh\necho ran-ok\n' >$t/usr/bin/tool.sh
printf '#!/bin/sh\necho hello\n' >$t/usr/bin/hello.sh
chmod 0755 $t/usr/bin/tool.sh $t/usr/bin/hello.sh
printf 'data\n' >$t/usr/share/test/data.txt
: >$t/usr/share/test/empty
printf 'mode 0644\n' >$t/usr/share/test/mode.txt
chmod 0644 $t/usr/share/test/mode.txt
# Not root's: an EVM signature covers uid and gid.
printf 'owned by 1234:4321\n' >$t/usr/share/test/owned.txt
chown 1234:4321 $t/usr/share/test/owned.txt
for c in copied edited replaced; do printf '%s=1\n' "$c" >"$t/usr/etc/$c.conf"; done
printf '#!/bin/sh\necho hook\n' >$t/usr/etc/hook.sh
chmod 0755 $t/usr/etc/hook.sh
printf 'ID=ostreeimatest\nNAME=test\n' >$t/usr/lib/os-release
ln -s ../usr/lib/os-release $t/usr/etc/os-release
printf 'not a kernel\n' >"$t/usr/lib/modules/$kver/vmlinuz"
printf 'not an initramfs\n' >"$t/usr/lib/modules/$kver/initramfs.img"

run ostree init --repo=repo --mode=bare
run ostree commit --repo=repo --branch=os --tree=dir=$t -s "kernel deployment test"
run "$binary" sign --repo=repo -q --key=keys/ima.key.pem --cert=keys/ima.cert.der os os-plain
run "$binary" sign --repo=repo -q --key=keys/ima.key.pem --cert=keys/ima.cert.der \
  --evm --evm-key=keys/evm.key.pem --evm-cert=keys/evm.cert.der os os-evm
log "keys made, the OS committed and signed twice ($((SECONDS - start)) s)"

# --- the sysroot ---------------------------------------------------------------------
truncate -s 160M sysroot.img
run mkfs.ext4 -q -F -U "$uuid" -L ostree-ima-sysroot sysroot.img
sysroot_mount sysroot.img mnt
run ostree admin init-fs mnt
run ostree admin --sysroot=mnt os-init plainos
run ostree admin --sysroot=mnt os-init evmos
run ostree --repo=mnt/ostree/repo pull-local repo os-plain os-evm
sysroot_deploy mnt plainos os-plain
sysroot_deploy mnt evmos os-evm
declare -A dep=() var=() karg=()
for os in plainos evmos; do
  dep[$os]=$(ls -d mnt/ostree/deploy/$os/deploy/*.0)
  var[$os]=mnt/ostree/deploy/$os/var
  # The kernel argument the boot entry passes to ostree-prepare-root.
  karg[$os]=$(grep -l "ostree=/ostree/boot.[01]/$os/" mnt/boot/loader/entries/*.conf |
    xargs sed -n 's/^options .*\(ostree=[^ ]*\).*/\1/p')
  [ -n "${karg[$os]}" ] || fail "no boot entry for $os in mnt/boot/loader/entries"
done

# What deployment kept: every /usr and /etc file of both deployments signed
# (evmos: with security.evm too), /usr files the repository's objects.
for os in plainos evmos; do
  n=0
  while IFS= read -r -d '' f; do
    x=$(ima_hex "$f")
    [ "${x:0:4}" = 0302 ] || fail "$f: no v2 signature after deploy (0x${x:0:8})"
    if [ $os = evmos ]; then
      e=$(ima_hex "$f" security.evm)
      [ "${e:0:4}" = 0502 ] || fail "$f: no portable EVM signature after deploy (0x${e:0:8})"
    fi
    n=$((n + 1))
  done < <(find "${dep[$os]}/usr" "${dep[$os]}/etc" -type f -print0)
  log "$os: ${karg[$os]}, $n files of /usr and /etc signed as deployed"
done
[ "$(stat -c %h "${dep[plainos]}/usr/bin/ls")" -ge 2 ] || fail "/usr/bin/ls is not a hardlink"
[ "$(stat -c %u:%g "${dep[evmos]}/usr/share/test/owned.txt")" = 1234:4321 ] ||
  fail "owned.txt is not 1234:4321 as deployed"

# --- attackers and admins ------------------------------------------------------------
for os in plainos evmos; do
  d=${dep[$os]}
  printf 'echo changed\n' >>"$d/usr/bin/tool.sh"
  printf 'edited=2\n' >>"$d/etc/edited.conf"
  printf 'replaced=2\n' >"$d/etc/.replaced.conf.tmp"
  mv "$d/etc/.replaced.conf.tmp" "$d/etc/replaced.conf"
  printf 'added=1\n' >"$d/etc/added.conf"
  mkdir "${var[$os]}/control"
  printf '#!/bin/sh\necho ran-ok\n# control: good\n' >"${var[$os]}/control/good.sh"
  printf '#!/bin/sh\necho ran-ok\n# control: bad\n' >"${var[$os]}/control/bad.sh"
  chmod 0755 "${var[$os]}/control/good.sh" "${var[$os]}/control/bad.sh"
  run evmctl ima_sign --key keys/control.key.pem -a sha256 "${var[$os]}/control/good.sh"
done
run evmctl sign --portable --key keys/control-evm.key.pem -a sha256 "${var[evmos]}/control/good.sh"
p=${dep[plainos]}/usr/bin
mv "$p/true" "$p/.swap" && mv "$p/false" "$p/true" && mv "$p/.swap" "$p/false"
chmod 0600 "${dep[evmos]}/usr/share/test/mode.txt"
case $mutate in
  '' | no-policy | no-measure | keylime-trust-all) ;;
  library-signature | evm-signature)
    if [ "$mutate" = library-signature ]; then
      f=${dep[plainos]}/usr/lib/x86_64-linux-gnu/libc.so.6 xattr=security.ima
    else
      f=${dep[evmos]}/usr/share/test/owned.txt xattr=security.evm
    fi
    x=$(ima_hex "$f" $xattr)
    setfattr -n $xattr -v "0x${x:0:${#x}-2}$(printf '%02x' $((0x${x: -2} ^ 0xff)))" "$f"
    ;;
  *) fail "unknown OSTREE_IMA_KERNEL_MUTATE=$mutate" ;;
esac
[ -z "$mutate" ] || log "MUTATION: $mutate (this run must fail)"

# --- expectations: PATH READ EXEC STATUS ('-' when not executable) ------------------
for os in plainos evmos; do
  : >"$os.expect"
  while read -r f; do
    case $f in
      "${var[$os]}"/*) path=/var/${f#"${var[$os]}"/} ;;
      *) path=/${f#"${dep[$os]}"/} ;;
    esac
    want=OK
    case $os:$path in
      *:/usr/bin/tool.sh | *:/etc/edited.conf | *:/etc/replaced.conf | *:/etc/added.conf) want=EACCES ;;
      evmos:/usr/share/test/mode.txt) want=EACCES ;;
      *:/var/control/good.sh) ;;
      *:/var/*) want=EACCES ;; # unsigned, on the appraised sysroot
    esac
    wex=- st=-
    if [ -x "$f" ]; then
      wex=$want
      st=126 # the shell's status when execve fails
      if [ "$want" = OK ]; then
        st=0
        # plainos's true is false's program; evmos's false is false.
        case $os:$path in plainos:/usr/bin/true | evmos:/usr/bin/false) st=1 ;; esac
      fi
    fi
    echo "$path $want $wex $st" >>"$os.expect"
  done < <(find "${dep[$os]}/usr" "${dep[$os]}/etc" "${var[$os]}" -type f | sort)
done
sysroot_release
log "deployed and changed; $(wc -l <plainos.expect) + $(wc -l <evmos.expect) files expected ($((SECONDS - start)) s)"

# --- keys and rules: `ostree-ima policy`, as written ------------------------------------
ird=$work/initramfs
initramfs_base "$ird"
install -m 0755 "$here/init-deployment" "$ird/init"
install -m 0644 "$here/check-deployment.sh" "$ird/check-deployment.sh"
run "$binary" policy -q --cert=keys/ima.cert.der --cert=keys/control.cert.der \
  --fsuuid="$uuid" --hooks=read -o "$ird/keys-plainos"
run "$binary" policy -q --cert=keys/ima.cert.der --cert=keys/control.cert.der \
  --evm-cert=keys/evm.cert.der --evm-cert=keys/control-evm.cert.der \
  --fsuuid="$uuid" --hooks=read -o "$ird/keys-evmos"
# plainos also measures what it appraises, for issue #22 part 1's check of
# the measurement list (ima_template=ima-sig on its command line): the rules
# `policy` writes do not measure, so these three are added to its ima-policy
# (one file, still one write).
if [ "$mutate" != no-measure ]; then
  for hook in "func=BPRM_CHECK" "func=MMAP_CHECK mask=MAY_EXEC" "func=FILE_CHECK mask=MAY_READ"; do
    echo "measure $hook fsuuid=$uuid"
  done >>"$ird/keys-plainos/ima-policy"
fi
if [ "$mutate" = no-policy ]; then
  : >"$ird/keys-plainos/ima-policy"
  : >"$ird/keys-evmos/ima-policy"
fi
initramfs_pack "$ird" initramfs.cpio

# --- two boots, one per deployment, in parallel -----------------------------------------
boot0=$SECONDS
for os in plainos evmos; do
  extra=
  [ $os = evmos ] || extra=" ima_template=ima-sig"
  boot "$os" initramfs.cpio "${karg[$os]} ostree_ima_keys=keys-$os$extra" \
    -drive "file=sysroot.img,format=raw,if=virtio,readonly=on" &
done
wait
boot_s=$((SECONDS - boot0))

# --- the verdicts ---------------------------------------------------------------------------
problems=()
row() { printf '%-8s %-48s %-7s %-7s %-6s %-14s %s\n' "$@"; }
echo
row "boot" "file" "read" "exec" "status" "expected" "cause (audit)"
for os in plainos evmos; do
  r=$os.report
  boot_problems "$os"
  grep -q '^LOADKEYS OK$' "$r" || problems+=("$os: load-keys.sh: $(grep '^LOADKEYS' "$r" || echo no report)")
  grep -q '^KEYRING _ima 2$' "$r" || problems+=("$os: _ima: $(grep '^KEYRING _ima' "$r" || echo no report), not 2 keys")
  if [ $os = evmos ]; then
    grep -q '^KEYRING _evm 2$' "$r" || problems+=("$os: _evm: $(grep '^KEYRING _evm' "$r" || echo no report), not 2 keys")
    grep -q '^EVM 2$' "$r" || problems+=("$os: EVM not switched on: $(grep '^EVM' "$r" || echo no report)")
  fi
  grep -q '^MOUNT OK$' "$r" || problems+=("$os: the sysroot was not mounted")
  grep -q "^DEPLOYMENT /ostree/deploy/$os/deploy/" "$r" ||
    problems+=("$os: $(grep '^DEPLOYMENT' "$r" || echo "no deployment found")")
  grep -q '^ROOT OK$' "$r" || problems+=("$os: the deployment was not mounted as the root")
  grep -q '^USR ro,' "$r" || problems+=("$os: /usr is not read-only: $(grep '^USR' "$r" || echo no report)")
  declare -A got=()
  while read -r _ path rd ex st; do
    got[$path]="${rd#read=} ${ex#exec=} ${st#status=}"
  done < <(grep '^FILE ' "$r")
  [ ${#got[@]} -gt 0 ] || problems+=("$os: no FILE reports")
  while read -r path want wex wst; do
    g=${got[$path]:-MISSING MISSING MISSING}
    read -r grd gex gst <<<"$g"
    cause=$(sed -n "s|^AUDIT .*cause=\\([^ ]*\\) .*name=\"$path\".*|\\1|p" "$r" | sort -u | paste -sd, -)
    if [ "$grd $gex $gst" != "$want $wex $wst" ]; then
      problems+=("$os: $path: read=$grd exec=$gex status=$gst, expected read=$want exec=$wex status=$wst")
      row "$os" "$path" "$grd" "$gex" "$gst" "$want/$wex/$wst  MISMATCH" "$cause"
    elif [ "$want" != OK ] || [ "$wst" = 1 ] || [ "${path#/var/control/}" != "$path" ]; then
      row "$os" "$path" "$grd" "$gex" "$gst" "$want/$wex/$wst" "$cause"
    fi
    unset "got[$path]"
  done <"$os.expect"
  for path in "${!got[@]}"; do problems+=("$os: $path reported by the guest but not expected"); done
  unset got
  n_ok=$(awk '$2 == "OK"' "$os.expect" | wc -l)
  n_ex=$(awk '$3 == "OK"' "$os.expect" | wc -l)
  row "$os" "(all others)" "OK" "OK" "0" "" "$n_ok files readable, $n_ex executables run"
  # Controls: if they fail, the harness is broken, whatever else says.
  for c in good:OK bad:EACCES; do
    line=$(grep "^FILE /var/control/${c%%:*}.sh " "$r" || true)
    [[ $line == *" read=${c#*:} exec=${c#*:} "* ]] ||
      problems+=("$os: control /var/control/${c%%:*}.sh: '${line:-not reported}', must be ${c#*:}: the harness is broken")
  done
done
echo

# --- issue #22 part 1: plainos's measurement list, judged by Keylime's rules ------------
# Policies made by `keylime-policy` from the commit deployed, in both modes;
# tests/keylime/check-measurements.py applies Keylime's validation. The
# lists: the kernel's, whole, and without the entries of the changed file or
# of the swapped pair (each entry is judged on its own; the running PCR
# aggregate is not checked without a TPM): clean (neither), changed (the
# changed file only), swapped (the pair only).
sed -n 's/^MEASURE //p' plainos.report >measurements.all
changed_path=/usr/bin/tool.sh
swapped_paths=(/usr/bin/true /usr/bin/false)
list_without() { # OUT PATH...: measurements.all without the entries of PATH...
  local out=$1
  shift
  awk -v skip=" $* " '$3 == "ima-sig" && index(skip, " " $5 " ") { next } { print }' \
    measurements.all >"$out"
}
list_without measurements.clean $changed_path "${swapped_paths[@]}"
list_without measurements.changed "${swapped_paths[@]}"
list_without measurements.swapped $changed_path
# What the list must hold: an ima-sig entry for every /usr file read or run.
while read -r path want _; do
  [ "$want" = OK ] || [ "$path" = $changed_path ] || continue
  case $path in /usr/*) ;; *) continue ;; esac
  awk -v p="$path" '$3 == "ima-sig" && $5 == p { found = 1 } END { exit !found }' \
    measurements.all || problems+=("plainos: $path is not in the measurement list (ima-sig)")
done <plainos.expect
paths_mode=()
[ "$mutate" != keylime-trust-all ] || paths_mode=(--trust-signatures --cert=keys/ima.cert.der)
run "$binary" keylime-policy --repo=repo -q "${paths_mode[@]}" os-plain -o keylime-paths.json
run "$binary" keylime-policy --repo=repo -q --trust-signatures --cert=keys/ima.cert.der \
  os-plain -o keylime-signatures.json
# keylime_check POLICY LIST FAILING-PATHS...: the checker must fail exactly the
# entries of FAILING-PATHS (none: it must pass).
keylime_check() {
  local policy=$1 list=$2 rc=0 failing want
  shift 2
  python3 "$here/../keylime/check-measurements.py" "keylime-$policy.json" "measurements.$list" \
    >"keylime-$policy-$list.out" 2>&1 || rc=$?
  failing=$(sed -n 's/^line [0-9]*: \(\/[^:]*\): .*/\1/p' "keylime-$policy-$list.out" | sort -u | paste -sd' ' -)
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort -u | paste -sd' ' -)
  local verdict=passes
  [ $rc -eq 0 ] || verdict="fails ($failing)"
  row keylime "$policy policy, $list list" "" "" "$rc" "" "$verdict"
  if [ -z "$want" ] && [ $rc -ne 0 ]; then
    problems+=("keylime: the $policy policy fails the $list list: $(head -n3 "keylime-$policy-$list.out" | paste -sd' ' -)")
  elif [ -n "$want" ] && { [ $rc -ne 1 ] || [ "$failing" != "$want" ]; }; then
    problems+=("keylime: the $policy policy on the $list list: exit $rc, failing '$failing', expected exit 1 failing '$want'")
  fi
}
row "check" "policy and list" "" "" "exit" "" "verdict (failing paths)"
keylime_check paths clean
keylime_check paths changed $changed_path
keylime_check paths swapped "${swapped_paths[@]}"
keylime_check paths all $changed_path "${swapped_paths[@]}"
keylime_check signatures clean
keylime_check signatures changed $changed_path
keylime_check signatures swapped
keylime_check signatures all $changed_path
log "measurement list: $(wc -l <measurements.all) entries, $(wc -l <measurements.clean) in the clean list"
echo

if [ ${#problems[@]} -gt 0 ]; then
  for os in plainos evmos; do boot_console_tail "$os"; done
  printf 'kernel-deployment: FAILED: %s\n' "${problems[@]}" >&2
  echo "kernel-deployment: ${#problems[@]} problems, $((SECONDS - start)) s (boots $boot_s s)" >&2
  exit 1
fi
log "both deployments as expected; controls hold; $((SECONDS - start)) s (boots $boot_s s)"
