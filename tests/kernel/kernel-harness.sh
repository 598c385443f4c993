# kernel-harness.sh: what the kernel suites (run-kernel-appraisal.sh,
# run-kernel-deployment.sh) share: their prerequisites, key pairs made with
# openssl, the initramfs (static busybox, keyctl, the kernel's missing
# modules, init-common.sh), a QEMU boot that reports on a second serial port,
# and the xattr helpers. Source it after tests/support/harness.sh, with
# `work` set.
# shellcheck shell=bash

kernel_harness_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

kernel_dir=${OSTREE_IMA_KERNEL_DIR:-/var/cache/ostree-ima-kernel}
boot_timeout=${OSTREE_IMA_KERNEL_TIMEOUT:-300}

# Adds what a boot needs and this machine lacks to the array `missing`.
kernel_prerequisites() {
  local tool f
  [ "$(id -u)" -eq 0 ] || missing+=("root (security.ima on files)")
  for tool in qemu-system-x86_64 keyctl timeout getfattr setfattr openssl ldd; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  for f in vmlinuz busybox modules/order VERSION; do
    [ -e "$kernel_dir/$f" ] || missing+=("$kernel_dir/$f (scripts/fetch-test-kernel.sh)")
  done
}

# keys/NAME.key.pem, .cert.pem, .cert.der: a self-signed certificate with the
# subjectKeyIdentifier the kernel finds the key by.
key_pair() { # NAME ALGORITHM-OPTIONS...
  local name=$1
  shift
  mkdir -p keys
  run openssl genpkey "$@" -out "keys/$name.key.pem"
  run openssl req -new -x509 -key "keys/$name.key.pem" -subj "/CN=ostree-ima kernel test $name" \
    -addext subjectKeyIdentifier=hash -days 30 -out "keys/$name.cert.pem"
  run openssl x509 -in "keys/$name.cert.pem" -outform DER -out "keys/$name.cert.der"
}
key_spec() { # KEY (rsa2048, ec-p256, ...) -> openssl genpkey options
  case $1 in
    rsa*) echo "-algorithm RSA -pkeyopt rsa_keygen_bits:${1#rsa}" ;;
    ec-p*) echo "-algorithm EC -pkeyopt ec_paramgen_curve:P-${1#ec-p}" ;;
  esac
}

# FILE [XATTR] -> security.ima (or XATTR) in hex, or nothing.
ima_hex() {
  local name=${2:-security.ima}
  { getfattr --absolute-names -e hex -n "$name" "$1" 2>/dev/null || true; } |
    sed -n "s/^$name=0x//p"
}
set_ima_hex() { setfattr -n security.ima -v "0x$2" "$1"; }

# DIR: the initramfs every suite starts from: the static busybox, keyctl and
# the libraries it links (at the paths it was linked with), the modules the
# kernel lacks, /dev/console and /lib/init-common.sh. The caller adds /init.
initramfs_base() {
  local ird=$1 keyctl lib
  mkdir -p "$ird/bin" "$ird/modules" "$ird/dev" "$ird/lib"
  # The console init's output goes to before devtmpfs is mounted.
  mknod "$ird/dev/console" c 5 1
  cp "$kernel_dir/busybox" "$ird/bin/busybox"
  cp "$kernel_dir"/modules/*.ko "$kernel_dir/modules/order" "$ird/modules/"
  install -m 0644 "$kernel_harness_dir/init-common.sh" "$ird/lib/init-common.sh"
  keyctl=$(command -v keyctl)
  cp "$keyctl" "$ird/bin/keyctl"
  for lib in $(ldd "$keyctl" | grep -o '/[^ ]*'); do
    mkdir -p "$ird$(dirname "$lib")"
    cp -L "$lib" "$ird$lib"
  done
}
initramfs_pack() { # DIR OUT.cpio
  (cd "$1" && find . | sort | "$kernel_dir/busybox" cpio -o -H newc 2>/dev/null) >"$2"
  [ -s "$2" ] || fail "cpio made no initramfs"
}

# boot NAME INITRAMFS APPEND [QEMU-ARGS...]: boots the test kernel, the
# console to NAME.console, the guest's report (ttyS1) to NAME.report (no
# CRs). Writes NAME.status (QEMU's exit status, 124/137 on the timeout) and
# NAME.seconds; QEMU's pid is in NAME.pid while it runs, for kill_boots. It
# can run in the background (`boot ... &`): nothing is shared but files.
boot() {
  local name=$1 initramfs=$2 append=$3 status=0 t0=$SECONDS pid
  shift 3
  : >"$work/$name.console"
  : >"$work/$name.report.raw"
  timeout --kill-after=10 "$boot_timeout" qemu-system-x86_64 -accel tcg -smp 1 -m 512 \
    -nodefaults -display none -no-reboot \
    -kernel "$kernel_dir/vmlinuz" -initrd "$initramfs" \
    -append "console=ttyS0 quiet ima_appraise=enforce rdinit=/init panic=-1 $append" \
    "$@" -serial "file:$work/$name.console" -serial "file:$work/$name.report.raw" &
  pid=$!
  echo "$pid" >"$work/$name.pid"
  wait "$pid" || status=$?
  rm -f "$work/$name.pid"
  tr -d '\r' <"$work/$name.report.raw" >"$work/$name.report"
  echo "$status" >"$work/$name.status"
  echo $((SECONDS - t0)) >"$work/$name.seconds"
}
kill_boots() { # the EXIT trap's: every QEMU still running
  local p
  for p in "$work"/*.pid; do
    [ -e "$p" ] || continue
    kill "$(cat "$p")" 2>/dev/null || true
  done
}
# NAME: appends to the array `problems` what went wrong with the boot itself.
boot_problems() {
  local name=$1 status seconds
  status=$(cat "$work/$name.status" 2>/dev/null || echo 1)
  seconds=$(cat "$work/$name.seconds" 2>/dev/null || echo '?')
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    problems+=("$name: the boot did not finish within $boot_timeout s")
  elif [ "$status" -ne 0 ]; then
    problems+=("$name: qemu exited with $status")
  fi
  if grep -q '^DONE ' "$work/$name.report"; then
    log "$name: booted $(sed -n 's/^BOOT //p' "$work/$name.report") ($(head -n1 "$kernel_dir/VERSION")): $seconds s, guest uptime $(sed -n 's/^DONE uptime=//p' "$work/$name.report") s"
  else
    problems+=("$name: the guest did not report DONE (after $seconds s)")
  fi
}
# NAME: the console's end, for a failure message.
boot_console_tail() {
  echo "--- $1: console (last 30 lines) ---"
  tail -n 30 "$work/$1.console" | tr -d '\r'
  echo "---"
}
