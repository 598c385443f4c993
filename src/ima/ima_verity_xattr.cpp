#include "ostree-ima/ima_verity_xattr.hpp"

#include <string>

namespace ostree_ima {

// The version 3 header has the v2 layout; only the type and version bytes
// differ, so the v2 codec does the rest.
std::vector<std::uint8_t> encode_ima_verity_signature(const HashAlgo &algo, const KeyId &key_id,
                                                      std::span<const std::uint8_t> signature)
{
    std::vector<std::uint8_t> out = encode_ima_signature(algo, key_id, signature);
    out[0] = kImaVerityDigsig;
    out[1] = kDigsigVersion3;
    return out;
}

bool is_ima_verity_xattr(std::span<const std::uint8_t> xattr)
{
    return !xattr.empty() && xattr[0] == kImaVerityDigsig;
}

ImaDecodeResult decode_ima_verity_signature(std::span<const std::uint8_t> xattr)
{
    ImaDecodeResult r;
    if (!is_ima_verity_xattr(xattr)) {
        r.problem = xattr.empty() ? "empty xattr"
                                  : "xattr type " + std::to_string(xattr[0]) +
                                        " is not an fs-verity signature (6)";
        return r;
    }
    if (xattr.size() < kImaSigHeaderSize) {
        r.problem = "truncated header (" + std::to_string(xattr.size()) + " bytes)";
        return r;
    }
    if (xattr[1] != kDigsigVersion3) {
        r.problem = "signature version " + std::to_string(xattr[1]) + " is not 3";
        return r;
    }
    std::vector<std::uint8_t> as_v2(xattr.begin(), xattr.end());
    as_v2[0] = kEvmImaXattrDigsig;
    as_v2[1] = kDigsigVersion2;
    return decode_ima_signature(as_v2);
}

} // namespace ostree_ima
