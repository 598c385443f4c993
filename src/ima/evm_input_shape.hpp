// Whether file content could be the message a portable EVM signature signs
// (evm_xattr.hpp). A v2 security.ima signature signs hash(content); a
// portable security.evm signature signs hash(security xattr values ||
// h_misc); the kernel tells them apart only by the xattr's type byte. So a
// key that signs both turns the v2 signature of a file whose content is
// another file's EVM message into a valid security.evm for that file: its
// owner and mode (setuid root) then pass EVM. One key per format stops it
// (docs/format.md); this check is the defence in depth for the content the
// tool signs itself, as is_verity_file_id is for fs-verity file ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ostree_ima {

// The largest xattr value the kernel stores (XATTR_SIZE_MAX).
inline constexpr std::size_t kMaxXattrValueSize = 65536;
// The end of the content the check reads: a security.ima value,
// security.capability (at most 24 bytes) and h_misc (at most 24 bytes).
inline constexpr std::size_t kEvmInputTailSize = kMaxXattrValueSize + 24 + 24;
// No EVM message is longer: every protected xattr at its largest (eight
// names, evm_protected_xattrs) and h_misc.
inline constexpr std::uint64_t kMaxEvmInputSize = 8 * kMaxXattrValueSize + 24;

// `tail`: the last min(total_size, kEvmInputTailSize) bytes of content of
// `total_size` bytes. True when the content ends in a struct h_misc as a
// portable signature hashes it (64-bit: 24 bytes, 32-bit: 20; ino and
// generation zero, a mode with a file type, zero padding), optionally
// preceded by a security.capability value (v1, v2 or v3), preceded by a
// value that parses exactly as a security.ima value (a v2 or sigv3
// signature, an ima-ng or sha1 digest): the kernel requires security.ima
// in every portable message. Whatever comes before (SELinux, Smack or
// AppArmor labels) is not looked at: any bytes can be a label.
bool looks_like_evm_input(std::span<const std::uint8_t> tail, std::uint64_t total_size);

} // namespace ostree_ima
