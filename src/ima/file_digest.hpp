// FileDigest: the IMA file digest, the hash of a file's content only.
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "util/openssl_ptr.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima {

class FileDigest {
  public:
    explicit FileDigest(const HashAlgo &algo);
    void update(std::span<const std::uint8_t> data);
    // The digest; the object can be reused after reset().
    [[nodiscard]] std::vector<std::uint8_t> finish();
    void reset();

  private:
    const EVP_MD *md_;
    EvpMdCtxPtr ctx_;
};

} // namespace ostree_ima
