// VerityDigest: the fs-verity digest of a file's content, as the kernel
// computes it when fs-verity is enabled with its defaults (sha256, 4096-byte
// Merkle tree blocks, no salt) and hands it to IMA for sigv3 appraisal.
//
// Streaming: the Merkle tree is built level by level as content arrives,
// holding one partial block per level (a few KiB for any file size), so a
// large file costs no more memory than a small one. The format is the
// kernel's (Documentation/filesystems/fsverity.rst); the tests compare it
// with the fsverity CLI (libfsverity) at every tree shape.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima {

// The parameters `fsverity enable` and `fsverity digest` use by default.
inline constexpr std::uint32_t kVerityBlockSize = 4096;

class VerityDigest {
  public:
    // The content in pieces, in order.
    void update(std::span<const std::uint8_t> data);
    // The 32-byte sha256 fs-verity digest; the object can be reused after.
    [[nodiscard]] std::vector<std::uint8_t> finish();

  private:
    using Hash = std::array<std::uint8_t, 32>;
    // Adds a block's hash to tree level `level`; a full hash block is hashed
    // into the level above.
    void add_hash(std::size_t level, const Hash &hash);

    std::vector<std::uint8_t> block_;               // the data block being filled
    std::vector<std::vector<std::uint8_t>> levels_; // per level, the hash block being filled
    std::uint64_t size_ = 0;
};

} // namespace ostree_ima
