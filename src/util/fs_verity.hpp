// measure_verity: the fs-verity digest the kernel holds for an open file,
// which is what IMA appraises a sigv3 (fs-verity) signature against: not
// the content, which a file without fs-verity enabled may match perfectly.
#pragma once

#include <cstdint>
#include <vector>

namespace ostree_ima {

// FS_VERITY_HASH_ALG_* (linux/fsverity.h).
inline constexpr std::uint16_t kVeritySha256 = 1;
inline constexpr std::uint16_t kVeritySha512 = 2;

struct MeasuredVerity {
    int error = 0;               // errno of FS_IOC_MEASURE_VERITY; 0: measured
    std::uint16_t algorithm = 0; // kVeritySha256, ...
    std::vector<std::uint8_t> digest;
};

// error ENODATA: fs-verity is not enabled on the file; EOPNOTSUPP or
// ENOTTY: the filesystem, or this kernel, has no fs-verity.
MeasuredVerity measure_verity(int fd);

} // namespace ostree_ima
