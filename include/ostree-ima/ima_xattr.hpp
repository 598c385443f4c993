// ImaXattr: encode and decode the security.ima value, digital signature v2.
#pragma once

#include "ostree-ima/export.hpp"
#include "ostree-ima/hash_algo.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

inline constexpr const char *kImaXattrName = "security.ima";
inline constexpr std::uint8_t kEvmImaXattrDigsig = 0x03;
inline constexpr std::uint8_t kDigsigVersion2 = 2;
inline constexpr std::size_t kImaSigHeaderSize = 9;

using KeyId = std::array<std::uint8_t, 4>;

struct ImaSignatureV2 {
    const HashAlgo *algo = nullptr; // from the kernel id in byte 2
    std::uint8_t hash_id = 0;       // raw byte 2, also when unknown
    KeyId key_id{};
    std::vector<std::uint8_t> signature;
};

// Serialises: 03 02 <hash id> <key id:4> <sig size:2 BE> <sig>.
// Throws Error if the signature does not fit in 16 bits.
OSTREE_IMA_EXPORT std::vector<std::uint8_t>
encode_ima_signature(const HashAlgo &algo, const KeyId &key_id,
                     std::span<const std::uint8_t> signature);

// Result of decoding outside data; never throws.
struct ImaDecodeResult {
    bool ok = false;
    std::string problem; // why it is malformed, when !ok
    ImaSignatureV2 value;
};
OSTREE_IMA_EXPORT ImaDecodeResult decode_ima_signature(std::span<const std::uint8_t> xattr);

OSTREE_IMA_EXPORT std::string key_id_hex(const KeyId &id);
// Parses 8 hex digits (an optional 0x prefix); throws UsageError otherwise.
OSTREE_IMA_EXPORT KeyId parse_key_id(const std::string &hex);

} // namespace ostree_ima
