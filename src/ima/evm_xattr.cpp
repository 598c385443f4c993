#include "ima/evm_xattr.hpp"

#include "ima/file_digest.hpp"

#include <array>

namespace ostree_ima {

namespace {
constexpr std::array<std::string_view, 8> kProtected{
    "security.selinux",     "security.SMACK64",
    "security.SMACK64EXEC", "security.SMACK64TRANSMUTE",
    "security.SMACK64MMAP", "security.apparmor",
    "security.ima",         "security.capability",
};

void put_le32(std::array<std::uint8_t, 24> &out, std::size_t at, std::uint32_t value)
{
    for (std::size_t i = 0; i < 4; ++i)
        out[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}
} // namespace

std::span<const std::string_view> evm_protected_xattrs()
{
    return kProtected;
}

std::vector<std::uint8_t> evm_portable_digest(const HashAlgo &algo, const XattrLookup &xattr,
                                              const EvmFileMeta &meta)
{
    FileDigest digest(algo);
    for (const std::string_view name : kProtected)
        if (const auto value = xattr(name))
            digest.update(*value);
    // struct h_misc on x86_64: ino (8) and generation (4) stay 0 for a
    // portable signature, uid at 12, gid at 16, mode (u16) at 20, padding.
    std::array<std::uint8_t, 24> misc{};
    put_le32(misc, 12, meta.uid);
    put_le32(misc, 16, meta.gid);
    misc[20] = static_cast<std::uint8_t>(meta.mode & 0xff);
    misc[21] = static_cast<std::uint8_t>((meta.mode >> 8) & 0xff);
    digest.update(misc);
    return digest.finish();
}

// The header is security.ima's v2 one: its codec does the work, with the
// type byte swapped.
std::vector<std::uint8_t> encode_evm_portable_signature(const HashAlgo &algo, const KeyId &key_id,
                                                        std::span<const std::uint8_t> signature)
{
    std::vector<std::uint8_t> out = encode_ima_signature(algo, key_id, signature);
    out[0] = kEvmXattrPortableDigsig;
    return out;
}

ImaDecodeResult decode_evm_portable_signature(std::span<const std::uint8_t> xattr)
{
    if (xattr.empty() || xattr[0] != kEvmXattrPortableDigsig) {
        ImaDecodeResult r;
        r.problem = xattr.empty() ? "empty xattr"
                                  : "security.evm type " + std::to_string(xattr[0]) +
                                        " is not a portable signature (5)";
        return r;
    }
    std::vector<std::uint8_t> as_ima(xattr.begin(), xattr.end());
    as_ima[0] = kEvmImaXattrDigsig;
    return decode_ima_signature(as_ima);
}

} // namespace ostree_ima
