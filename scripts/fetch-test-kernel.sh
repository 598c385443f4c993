#!/usr/bin/env bash
# fetch-test-kernel.sh [DIR]
#
# Puts what the kernel appraisal suite (tests/kernel/) boots into DIR
# (default: $OSTREE_IMA_KERNEL_DIR, else /var/cache/ostree-ima-kernel):
#   vmlinuz        Debian's linux-image-6.12-cloud-amd64 (bookworm-security):
#                  IMA appraisal, ECDSA and sha512 built in
#   config         its configuration
#   modules/*.ko   what the image needs and the kernel lacks (virtio_blk),
#                  decompressed, with the modules they depend on
#   busybox        a static busybox (Debian's busybox-static), for the initramfs
#   VERSION        the two packages and versions, written last
# The packages are fetched with `apt-get download` and extracted with
# dpkg-deb: nothing is installed, the machine's kernel and busybox are not
# touched. A DIR whose VERSION names the current candidates is kept as it is,
# so a rerun costs nothing.
set -euo pipefail

DIR=${1:-${OSTREE_IMA_KERNEL_DIR:-/var/cache/ostree-ima-kernel}}
META=linux-image-6.12-cloud-amd64
BUSYBOX=busybox-static
MODULES=(virtio_blk)

die() { echo "fetch-test-kernel.sh: $*" >&2; exit 1; }

for tool in apt-cache apt-get dpkg-deb xz; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

# The apt line of Debian's security archive beside the mirror this machine
# uses (a mirror's .../debian has .../debian-security next to it).
security_line() {
  local mirror
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -n 's|^deb \(\[[^]]*\] \)\{0,1\}\([a-z]*://[^ ]*/debian\)/\{0,1\} bookworm .*|\2|p' | head -n1)
  [ -n "$mirror" ] || mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    sed -n 's|^URIs: *\([a-z]*://[^ ]*/debian\)/\{0,1\}$|\1|p' | head -n1)
  echo "deb ${mirror:-<your Debian mirror>/debian}-security bookworm-security main"
}

# The versioned image package the meta-package depends on, and versions.
resolve() {
  image=$(apt-cache depends "$META" 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n1)
  image_version=$(apt-cache policy "$image" 2>/dev/null | sed -n 's/^ *Candidate: //p')
  busybox_version=$(apt-cache policy "$BUSYBOX" 2>/dev/null | sed -n 's/^ *Candidate: //p')
  [ -n "$image" ] && [ -n "$image_version" ] && [ "$image_version" != "(none)" ] &&
    [ -n "$busybox_version" ] && [ "$busybox_version" != "(none)" ]
}
if ! resolve; then
  # Package lists not fetched yet (a fresh machine): fetch them once.
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q >/dev/null
  resolve || die "apt knows no $META or $BUSYBOX. $META comes from bookworm-security, which a machine made with debootstrap lacks: add this line to /etc/apt/sources.list, then run again: $(security_line)"
fi
want="$image $image_version
$BUSYBOX $busybox_version"
if [ -f "$DIR/VERSION" ] && [ "$(cat "$DIR/VERSION")" = "$want" ]; then
  echo "fetch-test-kernel.sh: $DIR has $image $image_version"
  exit 0
fi

# Built next to DIR and renamed into place: a suite never sees half of it.
mkdir -p "$(dirname "$DIR")"
work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-test-kernel.XXXXXX")
out=$(mktemp -d "$DIR.new.XXXXXX")
trap 'rm -rf "$work" "$out"' EXIT
# apt's sandbox user must be able to write where it downloads.
if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$work"; fi
(cd "$work" && apt-get download -q "$image=$image_version" "$BUSYBOX=$busybox_version" >/dev/null) ||
  die "apt-get download $image $BUSYBOX failed"
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/busybox-static_*.deb "$work/busybox"

kver=${image#linux-image-}
moddir=$work/kernel/lib/modules/$kver
[ -f "$work/kernel/boot/vmlinuz-$kver" ] || die "$image has no /boot/vmlinuz-$kver"

mkdir -p "$out/modules"
# A module and what it depends on (the "depends=" of its .modinfo).
add_module() {
  local name=$1 file dep
  [ -f "$out/modules/$name.ko" ] && return 0
  file=$(find "$moddir" -name "$name.ko.xz" -o -name "$name.ko" | head -n1)
  [ -n "$file" ] || die "$image has no module $name"
  case "$file" in
    *.xz) xz -dc "$file" >"$out/modules/$name.ko" ;;
    *) cp "$file" "$out/modules/$name.ko" ;;
  esac
  for dep in $(tr '\0' '\n' <"$out/modules/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
    add_module "$dep"
    # Loaded in this order by the initramfs: dependencies first.
  done
  echo "$name" >>"$out/modules/order"
}
: >"$out/modules/order"
for m in "${MODULES[@]}"; do
  add_module "$m"
done

cp "$work/kernel/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$work/kernel/boot/config-$kver" "$out/config"
install -m 0755 "$work/busybox/bin/busybox" "$out/busybox"
for opt in CONFIG_IMA_APPRAISE CONFIG_CRYPTO_ECDSA CONFIG_CRYPTO_SHA512 CONFIG_EXT4_FS; do
  grep -qx "$opt=y" "$out/config" || die "$image lacks $opt=y"
done
printf '%s\n' "$want" >"$out/VERSION"
chmod 0755 "$out"
rm -rf "$DIR.old"
if [ -e "$DIR" ]; then mv "$DIR" "$DIR.old"; fi
mv "$out" "$DIR"
rm -rf "$DIR.old"
echo "fetch-test-kernel.sh: $DIR has $image $image_version ($(du -sh "$DIR" | cut -f1))"
