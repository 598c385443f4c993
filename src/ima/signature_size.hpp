// The largest signature ostree-ima carries: what a key may return, what the
// signature cache and the signatures file hold, what a --reuse commit may
// give. One number for every path, so that no path refuses what another
// made (docs/format.md, "Signature sizes").
#pragma once

#include <cstddef>

namespace ostree_ima {

// Room for post-quantum signatures: ML-DSA-44/65/87 (FIPS 204) sign with
// 2,420, 3,309 and 4,627 bytes, SLH-DSA-128s (FIPS 205) with 7,856; today's
// keys with at most 512 (RSA-4096). Far below what the v2 header's 16-bit
// size field and the kernel's 64 KiB xattr limit allow.
inline constexpr std::size_t kMaxSignatureBytes = 8192;

// Its base64 text, as the cache and the signatures file write it.
inline constexpr std::size_t kMaxSignatureBase64Chars = (kMaxSignatureBytes + 2) / 3 * 4;

} // namespace ostree_ima
