#include "ostree-ima/ima_xattr.hpp"

#include "ima/signature_size.hpp"
#include "ostree-ima/error.hpp"
#include "util/quoted_input.hpp"

#include <cctype>
#include <cstdio>

namespace ostree_ima {

// The codec takes what the header's 16-bit size field holds, so that a
// value made elsewhere decodes as what it is; what the tool itself carries
// is bounded by kMaxSignatureBytes, which must fit.
static_assert(kMaxSignatureBytes <= 0xffff);

std::vector<std::uint8_t> encode_ima_signature(const HashAlgo &algo, const KeyId &key_id,
                                               std::span<const std::uint8_t> signature)
{
    if (signature.empty() || signature.size() > 0xffff)
        throw Error("signature of " + std::to_string(signature.size()) +
                    " bytes cannot be stored in an IMA v2 xattr");
    std::vector<std::uint8_t> out;
    out.reserve(kImaSigHeaderSize + signature.size());
    out.push_back(kEvmImaXattrDigsig);
    out.push_back(kDigsigVersion2);
    out.push_back(algo.kernel_id);
    out.insert(out.end(), key_id.begin(), key_id.end());
    out.push_back(static_cast<std::uint8_t>(signature.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(signature.size() & 0xff));
    out.insert(out.end(), signature.begin(), signature.end());
    return out;
}

ImaDecodeResult decode_ima_signature(std::span<const std::uint8_t> xattr)
{
    ImaDecodeResult r;
    if (xattr.empty()) {
        r.problem = "empty xattr";
        return r;
    }
    if (xattr[0] != kEvmImaXattrDigsig) {
        r.problem = "xattr type " + std::to_string(xattr[0]) + " is not a digital signature (3)";
        return r;
    }
    if (xattr.size() < kImaSigHeaderSize) {
        r.problem = "truncated header (" + std::to_string(xattr.size()) + " bytes)";
        return r;
    }
    if (xattr[1] != kDigsigVersion2) {
        r.problem = "signature version " + std::to_string(xattr[1]) + " is not 2";
        return r;
    }
    r.value.hash_id = xattr[2];
    r.value.algo = hash_algo_by_kernel_id(xattr[2]);
    for (std::size_t i = 0; i < 4; ++i)
        r.value.key_id[i] = xattr[3 + i];
    const std::size_t size = (static_cast<std::size_t>(xattr[7]) << 8) | xattr[8];
    if (size == 0 || xattr.size() != kImaSigHeaderSize + size) {
        r.problem = "signature size field says " + std::to_string(size) + " bytes but " +
                    std::to_string(xattr.size() - kImaSigHeaderSize) + " follow";
        return r;
    }
    if (r.value.algo == nullptr) {
        r.problem = "unknown hash algorithm id " + std::to_string(xattr[2]);
        return r;
    }
    r.value.signature.assign(xattr.begin() + kImaSigHeaderSize, xattr.end());
    r.ok = true;
    return r;
}

std::string key_id_hex(const KeyId &id)
{
    char buf[9];
    std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x", id[0], id[1], id[2], id[3]);
    return buf;
}

KeyId parse_key_id(const std::string &hex)
{
    std::string h = hex;
    if (h.size() > 2 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
        h = h.substr(2);
    auto bad = [&] {
        return UsageError("--keyid " + quoted_input(hex) + " is not 8 hex digits (4 bytes)");
    };
    if (h.size() != 8)
        throw bad();
    KeyId id{};
    for (std::size_t i = 0; i < 4; ++i) {
        unsigned value = 0;
        for (std::size_t j = 0; j < 2; ++j) {
            const char c = h[2 * i + j];
            if (std::isxdigit(static_cast<unsigned char>(c)) == 0)
                throw bad();
            value = value * 16 + static_cast<unsigned>(
                                     std::isdigit(static_cast<unsigned char>(c)) != 0
                                         ? c - '0'
                                         : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
        }
        id[i] = static_cast<std::uint8_t>(value);
    }
    return id;
}

} // namespace ostree_ima
