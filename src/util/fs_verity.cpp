#include "util/fs_verity.hpp"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <linux/fsverity.h>
#include <sys/ioctl.h>

namespace ostree_ima {

MeasuredVerity measure_verity(int fd)
{
    // struct fsverity_digest ends in a flexible array: room for the largest
    // digest (sha512) after its two 16-bit fields.
    constexpr std::size_t kMaxDigest = 64;
    alignas(fsverity_digest) std::uint8_t buf[sizeof(fsverity_digest) + kMaxDigest] = {};
    auto *d = reinterpret_cast<fsverity_digest *>(buf);
    d->digest_size = kMaxDigest;
    MeasuredVerity out;
    if (::ioctl(fd, FS_IOC_MEASURE_VERITY, d) != 0) {
        out.error = errno;
        return out;
    }
    out.algorithm = d->digest_algorithm;
    const std::uint8_t *digest = buf + sizeof(fsverity_digest);
    out.digest.assign(digest, digest + std::min<std::size_t>(d->digest_size, kMaxDigest));
    return out;
}

} // namespace ostree_ima
