// ImaVerityXattr: encode and decode the security.ima value of an fs-verity
// signature (IMA_VERITY_DIGSIG, signature header version 3), which the
// kernel appraises with `digest_type=verity appraise_type=sigv3`.
#pragma once

#include "ostree-ima/export.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima {

inline constexpr std::uint8_t kImaVerityDigsig = 0x06;
inline constexpr std::uint8_t kDigsigVersion3 = 3;

// Serialises: 06 03 <hash id> <key id:4> <sig size:2 BE> <sig>; the
// signature is over the file-id digest (ima/verity_file_id.hpp).
// Throws Error if the signature does not fit in 16 bits.
OSTREE_IMA_EXPORT std::vector<std::uint8_t>
encode_ima_verity_signature(const HashAlgo &algo, const KeyId &key_id,
                            std::span<const std::uint8_t> signature);

// Decodes outside data; never throws.
OSTREE_IMA_EXPORT ImaDecodeResult decode_ima_verity_signature(std::span<const std::uint8_t> xattr);

// Whether a security.ima value claims to be an fs-verity signature (its
// type byte), well-formed or not.
OSTREE_IMA_EXPORT bool is_ima_verity_xattr(std::span<const std::uint8_t> xattr);

} // namespace ostree_ima
