# init-common.sh: what the initramfs inits of the kernel suites share
# (busybox sh, sourced from /lib/init-common.sh): the pseudo filesystems and
# modules, the report on the second serial port (fd 3, ttyS1: kernel
# messages stay on the console, ttyS0, and cannot interleave with it), the
# verdict of one access, the audit lines and the end.
# shellcheck shell=sh
# Functions only: the init calls guest_setup first; the deployment suite's
# check script, run in a chroot, sources this file for say and verdict.

guest_setup() {
  /bin/busybox mkdir -p /proc /sys /dev /mnt /tmp /usr/bin /usr/sbin /sbin
  /bin/busybox --install -s
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev
  mount -t securityfs securityfs /sys/kernel/security
  stty -F /dev/ttyS1 raw -echo 2>/dev/null
  exec 3>/dev/ttyS1
  # Every IMA denial is logged: lift printk's rate limit for the audit lines.
  echo 0 >/proc/sys/kernel/printk_ratelimit
  say "BOOT $(uname -r)"
  while read -r m; do
    insmod "/modules/$m.ko" || say "MODULE $m FAILED"
  done </modules/order
}

say() { echo "$*" >&3; }

wait_for_block() { # DEVICE: virtio_blk probes in the background
  i=0
  while [ ! -b "$1" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
  done
}

# OK, EACCES (what IMA answers) or ERR:<message without blanks>.
verdict() { # STATUS ERRFILE
  if [ "$1" -eq 0 ]; then
    echo OK
  elif grep -q "Permission denied" "$2"; then
    echo EACCES
  else
    echo "ERR:$(head -n1 "$2" | tr -c 'A-Za-z0-9:._/\n-' _)"
  fi
}

# The kernel's audit line of each IMA denial, the uptime, and off.
finish() {
  dmesg | grep 'cause=' | while read -r line; do say "AUDIT $line"; done
  read -r up _ </proc/uptime
  say "DONE uptime=$up"
  exec 3>&-
  sync
  poweroff -f
}
