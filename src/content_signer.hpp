// ContentSigner: turns one content object into its signed replacement.
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/key_backend.hpp"

#include <cstdint>
#include <ostree.h>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

struct ObjectOutcome {
    enum class Kind { NotRegular, Kept, Signed };
    Kind kind = Kind::NotRegular;
    std::string new_checksum; // equals the old one unless Signed
    std::uint64_t bytes_hashed = 0;
};

class ContentSigner {
  public:
    ContentSigner(OstreeRepo *repo, const HashAlgo &algo, const KeyId &key_id, KeyBackend &key,
                  bool overwrite, unsigned jobs);

    // Thread-safe: workers call it for distinct objects. Must run inside a
    // transaction.
    ObjectOutcome process(const std::string &checksum);

  private:
    ObjectOutcome process_archive(const std::string &checksum);
    ObjectOutcome process_any(const std::string &checksum);
    std::vector<std::uint8_t> signature_xattr(std::span<const std::uint8_t> digest);
    OstreeRepo *repo_;
    const HashAlgo &algo_;
    KeyId key_id_;
    KeyBackend &key_;
    bool overwrite_;
    bool archive_;
    std::uint64_t in_memory_limit_;
};

} // namespace ostree_ima
