#include "ima/measurement_algo.hpp"

#include "ostree-ima/ima_verity_xattr.hpp"
#include "ostree-ima/ima_xattr.hpp"

namespace ostree_ima {

namespace {
// security.ima types (security/integrity/integrity.h).
constexpr std::uint8_t kXattrTypeDigest = 0x01;   // sha1 digest
constexpr std::uint8_t kXattrTypeDigestNg = 0x04; // algorithm byte, digest
// enum hash_algo (include/uapi/linux/hash_info.h).
constexpr std::uint8_t kKernelHashMd5 = 1;
constexpr std::uint8_t kKernelHashSha1 = 2;
} // namespace

const HashAlgo *measurement_algo(const std::optional<std::vector<std::uint8_t>> &xattr)
{
    if (!xattr || xattr->size() < 2)
        return nullptr;
    const std::vector<std::uint8_t> &v = *xattr;
    switch (v[0]) {
    case kEvmImaXattrDigsig:
    case kImaVerityDigsig:
        // A signature header (type, version, hash_algo, key id, size): the
        // kernel takes hash_algo once the value is longer than the header,
        // whether or not the rest is well formed.
        if (v[1] != (v[0] == kEvmImaXattrDigsig ? 2 : 3) || v.size() <= kImaSigHeaderSize)
            return nullptr;
        return hash_algo_by_kernel_id(v[2]);
    case kXattrTypeDigestNg:
        return hash_algo_by_kernel_id(v[1]);
    case kXattrTypeDigest:
        // The old digest-only value: 20 bytes sha1 (md5 when its last 4 of
        // them are zero), 16 bytes md5, as the kernel tells them apart.
        if (v.size() == 21)
            return hash_algo_by_kernel_id(v[17] == 0 && v[18] == 0 && v[19] == 0 && v[20] == 0
                                              ? kKernelHashMd5
                                              : kKernelHashSha1);
        return v.size() == 17 ? hash_algo_by_kernel_id(kKernelHashMd5) : nullptr;
    default:
        return nullptr;
    }
}

} // namespace ostree_ima
