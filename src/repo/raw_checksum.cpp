#include "repo/raw_checksum.hpp"

#include "ostree-ima/error.hpp"
#include "repo/commit_walker.hpp"

#include <ostree.h>

namespace ostree_ima {

RawChecksum raw_checksum_from_variant(GVariant *bytes)
{
    gsize len = 0;
    const auto *data = static_cast<const std::uint8_t *>(g_variant_get_fixed_array(bytes, &len, 1));
    if (len != OSTREE_SHA256_DIGEST_LEN)
        throw Error("corrupted metadata: checksum of " + std::to_string(len) + " bytes");
    RawChecksum raw{};
    std::memcpy(raw.data(), data, raw.size());
    return raw;
}

RawChecksum raw_checksum_from_hex(const std::string &hex)
{
    RawChecksum raw{};
    ostree_checksum_inplace_to_bytes(hex.c_str(), raw.data());
    return raw;
}

GVariant *raw_checksum_variant(const RawChecksum &raw)
{
    return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, raw.data(), raw.size(), 1);
}

std::string hex_of(const RawChecksum &raw)
{
    return checksum_from_raw(raw.data());
}

} // namespace ostree_ima
