// SignedDigest: the digest an IMA signature of a given format signs, from a
// file's content: the file digest (v2), or the hash of the fs-verity file id
// (sigv3, ima/verity_file_id.hpp). What every key backend is handed.
#pragma once

#include "ima/file_digest.hpp"
#include "ima/verity_digest.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/signature_format.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ostree_ima {

class SignedDigest {
  public:
    // Throws UsageError for a verity digest with another algorithm than
    // fs-verity's sha256 (the kernel hashes the file id with it).
    SignedDigest(SignatureFormat format, const HashAlgo &algo);
    void update(std::span<const std::uint8_t> data);
    [[nodiscard]] std::vector<std::uint8_t> finish();

  private:
    const HashAlgo &algo_;
    std::optional<FileDigest> file_;
    std::optional<VerityDigest> verity_;
};

// The hash algorithm of fs-verity signatures (sha256).
const HashAlgo &verity_hash_algo();

} // namespace ostree_ima
