// The digest an IMA fs-verity signature (sigv3) signs: the kernel's
// calc_file_id_hash (security/integrity/ima/ima_appraise.c) hashes the
// struct ima_file_id {u8 hash_type = 0x06; u8 hash_algorithm; u8 hash[]}
// cut right after the fs-verity digest, with the fs-verity hash algorithm.
#pragma once

#include "ostree-ima/hash_algo.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima {

// The 2 + digest-size bytes of the file id.
std::vector<std::uint8_t> verity_file_id(const HashAlgo &algo,
                                         std::span<const std::uint8_t> verity_digest);

// Whether `content` is itself a file id (0x06, a known algorithm, a digest
// of its size). A v2 signature of such content signs exactly what a sigv3
// signature of every file with that fs-verity digest signs, and the kernel
// tells the two apart only by the xattr's type byte.
bool is_verity_file_id(std::span<const std::uint8_t> content);

// The longest file id: 2 + the largest digest.
inline constexpr std::size_t kMaxVerityFileIdSize = 2 + 64;

// algo(file id): what every key backend signs for a sigv3 xattr.
std::vector<std::uint8_t> verity_file_id_digest(const HashAlgo &algo,
                                                std::span<const std::uint8_t> verity_digest);

} // namespace ostree_ima
