// SignedDigest: the digest an IMA signature of a given scheme signs, from a
// file's content (the scheme decides: the file digest for v2, the hash of
// the fs-verity file id for sigv3). What every key backend is handed.
#pragma once

#include "ima/schemes/signature_scheme.hpp"
#include "ostree-ima/hash_algo.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace ostree_ima {

class SignedDigest {
  public:
    // Throws UsageError when the scheme cannot sign with `algo` (fs-verity:
    // sha256 only, the algorithm the kernel hashes the file id with).
    SignedDigest(const SignatureScheme &scheme, const HashAlgo &algo) : digest_(scheme.digest(algo))
    {
    }
    void update(std::span<const std::uint8_t> data) { digest_->update(data); }
    [[nodiscard]] std::vector<std::uint8_t> finish() { return digest_->finish(); }

  private:
    std::unique_ptr<SchemeDigest> digest_;
};

} // namespace ostree_ima
