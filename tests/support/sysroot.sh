# sysroot.sh: an OSTree sysroot on a loop-mounted ext4 image, deployed with
# libostree's own `ostree admin`, for the shell suites that deploy
# (tests/deploy/run-deploy.sh, tests/kernel/run-kernel-deployment.sh). Source
# it after harness.sh; `work` names the scratch directory.
# shellcheck shell=bash

# Adds what a sysroot needs and this machine lacks to the array `missing`.
sysroot_prerequisites() {
  local tool
  [ "$(id -u)" -eq 0 ] || missing+=("root (mounts, security.ima)")
  for tool in ostree losetup mkfs.ext4 unshare mknod mount umount mountpoint; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if [ ${#missing[@]} -eq 0 ] && ! losetup -f >/dev/null 2>&1; then
    missing+=("a free loop device")
  fi
  # Where /dev/null is not a device, deploy runs in a private mount namespace
  # with a real one bound over it (sysroot_deploy); unshare cannot make the
  # mounts private when / is not a mount point (a chroot made by debootstrap).
  if [ ! -c /dev/null ] && ! mountpoint -q /; then
    missing+=("a real /dev/null, or a root that is a mount point: this looks like a chroot; bind its root onto itself (mount --bind DIR DIR) before entering it")
  fi
}

# sysroot_mount IMAGE DIR: loop-mounts IMAGE on DIR; sysroot_release (for the
# EXIT trap too) unmounts it and frees the loop device.
sysroot_loop=
sysroot_dir=
sysroot_mount() {
  sysroot_loop=$(losetup -f --show "$1") || fail "losetup $1"
  sysroot_dir=$2
  mkdir -p "$2"
  run mount "$sysroot_loop" "$2"
}
sysroot_release() {
  if [ -n "$sysroot_dir" ] && mountpoint -q "$sysroot_dir" 2>/dev/null; then
    umount "$sysroot_dir" || umount -l "$sysroot_dir" || true
  fi
  if [ -n "$sysroot_loop" ]; then losetup -d "$sysroot_loop" 2>/dev/null || true; fi
  sysroot_loop=
}

# sysroot_deploy SYSROOT OS REF: `ostree admin deploy --karg-none`. Deploy
# freezes the filesystem of /boot (the image, not this machine's) and its
# watchdog writes to /dev/null, which may be a regular file here: a real one
# is then bound over it in a private mount namespace. A real /dev/null is
# used as it is, with no namespace (a device node made here could sit on a
# nodev mount; unshare fails in a chroot whose root is no mount point).
sysroot_deploy() {
  if [ -c /dev/null ]; then
    run ostree admin --sysroot="$1" deploy --os="$2" --karg-none "$3"
    return
  fi
  [ -c "$work/devnull" ] || mknod -m 666 "$work/devnull" c 1 3
  # shellcheck disable=SC2016 # $1... are the inner shell's
  run unshare --mount --propagation private sh -c \
    'mount --bind "$1" /dev/null &&
     ostree admin --sysroot="$2" deploy --os="$3" --karg-none "$4"' \
    sh "$work/devnull" "$1" "$2" "$3"
}
