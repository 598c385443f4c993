#!/usr/bin/env bash
# Installs what ostree-ima needs on Debian 12. Run as root (or with sudo).
# Skips apt when every package is already there.
#   install-deps.sh         everything: build, tests, analysis, packages,
#                           benchmarks (what scripts/test.sh, so CI, uses)
#   install-deps.sh --tests the build and the CTest suites, the kernel
#                           suite's QEMU included (QUICK=1 scripts/test.sh);
#                           no clang, analysers, packaging tools or benchmarks
#   install-deps.sh --demo  only what building the tool and the README's
#                           demo use (a fast first contact)
set -euo pipefail

MODE=${1:-all}
case "$MODE" in
  all | --tests | --demo) ;;
  *) echo "install-deps.sh: unknown option $MODE (--tests, --demo or none)" >&2; exit 2 ;;
esac
PACKAGES=(
  # build
  g++ cmake make pkg-config
  libostree-dev libglib2.0-dev zlib1g-dev libssl-dev libp11-kit-dev libp11-dev
  libcli11-dev nlohmann-json3-dev
  # what the demo runs: ostree, a SoftHSM2 token made with OpenSC's and
  # GnuTLS's tools, evmctl as the independent verifier, an HTTP server
  ostree ima-evm-utils openssl softhsm2 opensc gnutls-bin p11-kit
  libengine-pkcs11-openssl python3
)
if [ "$MODE" != --demo ]; then
  PACKAGES+=(
    libboost-test-dev
    scdoc  # the man page (docs/man/ostree-ima.1.scd; CMake builds it when scdoc is found)
    # tools the tests run for real
    attr p11-kit-modules
    fsverity  # the fs-verity digests the unit tests compare with
    man-db  # man -l renders the built page (test man_page_renders)
    python3-cryptography  # test_keylime_policy: Keylime's own crypto library checks its rules
    swtpm swtpm-tools tpm2-tools tpm2-abrmd libtss2-tcti-tabrmd0 libtss2-tcti-swtpm0 dbus
    libtpm2-pkcs11-1 libtpm2-pkcs11-tools tpm2-openssl
    # the kernel appraisal suite (tests/kernel/): QEMU (TCG), the initramfs's
    # keyctl, ext4 images with xattrs, a static helper that enables fs-verity
    # in the guest (libc6-dev's libc.a) and xxd for the sigv3 control; the
    # kernel and a static busybox are fetched below, not installed
    qemu-system-x86 keyutils e2fsprogs xz-utils libc6-dev xxd
  )
fi
if [ "$MODE" = all ]; then
  PACKAGES+=(
    # analysis, and the instrumented build (ASan, UBSan, libFuzzer)
    clang clang-tidy clang-format cppcheck libfuzzer-14-dev libclang-rt-14-dev
    # benchmarks
    hyperfine time
    # the Debian packages (debian/, scripts/check-packages.sh); fakeroot lets
    # a developer who is not root run dpkg-buildpackage
    debhelper dpkg-dev lintian fakeroot
  )
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ "$MODE" != --demo ]; then
  # Debian's 6.12 cloud kernel and busybox-static, extracted into a cache
  # (/var/cache/ostree-ima-kernel, or OSTREE_IMA_KERNEL_DIR) for the kernel
  # appraisal suite; nothing is fetched when the cache is current.
  $SUDO env ${OSTREE_IMA_KERNEL_DIR:+OSTREE_IMA_KERNEL_DIR="$OSTREE_IMA_KERNEL_DIR"} \
    "$(dirname "$0")/fetch-test-kernel.sh"
fi
