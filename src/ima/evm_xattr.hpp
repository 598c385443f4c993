// EvmXattr: the portable EVM signature (security.evm, type 5,
// EVM_XATTR_PORTABLE_DIGSIG) and the digest it signs. No I/O.
//
// The digest is the kernel's (security/integrity/evm/evm_crypto.c,
// evm_calc_hmac_or_hash and hmac_add_misc), with the algorithm the signature
// header names: the value of each xattr of the kernel's fixed list that the
// file has, in that order (a portable signature covers every listed xattr,
// whether its LSM is enabled or not), then x86_64's struct h_misc { unsigned
// long ino; u32 generation; uid_t uid; gid_t gid; umode_t mode; }: 24 bytes
// with padding, zeroed, ino and generation left 0 and no filesystem UUID
// (portable), the rest little-endian, mode with its file type bits.
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ostree_ima {

inline constexpr const char *kEvmXattrName = "security.evm";
inline constexpr std::uint8_t kEvmXattrPortableDigsig = 0x05;

// The xattrs EVM protects, in the kernel's order
// (evm_main.c, evm_config_default_xattrnames).
std::span<const std::string_view> evm_protected_xattrs();

struct EvmFileMeta {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint32_t mode = 0; // with S_IFREG
};

// The value of an xattr of the file, if it has it.
using XattrLookup = std::function<std::optional<std::vector<std::uint8_t>>(std::string_view)>;

// The digest a portable signature of this file signs, with `algo`.
std::vector<std::uint8_t> evm_portable_digest(const HashAlgo &algo, const XattrLookup &xattr,
                                              const EvmFileMeta &meta);

// 05 02 <hash id> <key id:4> <sig size:2 BE> <sig>: the v2 header of
// security.ima behind type 5. Throws Error if the signature does not fit.
std::vector<std::uint8_t> encode_evm_portable_signature(const HashAlgo &algo, const KeyId &key_id,
                                                        std::span<const std::uint8_t> signature);

// Never throws; the same checks as decode_ima_signature, type 5 required.
ImaDecodeResult decode_evm_portable_signature(std::span<const std::uint8_t> xattr);

} // namespace ostree_ima
