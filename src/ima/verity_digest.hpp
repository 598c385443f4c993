// VerityDigest: the fs-verity digest of a file's content, as the kernel
// computes it when fs-verity is enabled with its defaults (sha256, 4096-byte
// Merkle tree blocks, no salt) and hands it to IMA for sigv3 appraisal.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima {

class VerityDigest {
  public:
    // The content in pieces, in order.
    void update(std::span<const std::uint8_t> data);
    // The 32-byte sha256 fs-verity digest; the object can be reused after.
    [[nodiscard]] std::vector<std::uint8_t> finish();

  private:
    // libfsverity pulls the content through a read callback once the size
    // is known, so the content is held until finish().
    std::vector<std::uint8_t> content_;
};

// The parameters `fsverity enable` and `fsverity digest` use by default.
inline constexpr std::uint32_t kVerityBlockSize = 4096;

} // namespace ostree_ima
