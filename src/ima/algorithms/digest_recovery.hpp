// DigestRecovery: the digests that signatures of one key and hash algorithm
// sign, recovered from the signatures alone (RSA), for checking many
// signatures: the context is set up once and copied per signature, which
// spares OpenSSL's lookups (a quarter of each check, docs/benchmarks.md).
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "util/openssl_ptr.hpp"

#include <cstdint>
#include <openssl/evp.h>
#include <optional>
#include <span>
#include <vector>

namespace ostree_ima {

class DigestRecovery {
  public:
    // Usable only when the key's algorithm recovers digests (available()).
    DigestRecovery(const EVP_PKEY *key, const HashAlgo &algo);

    [[nodiscard]] bool available() const { return prepared_ != nullptr; }
    // The `algo` digest that `signature` signs with the key; nullopt when it
    // is no such signature, or recovery is not available. Safe to call from
    // several threads at once.
    [[nodiscard]] std::optional<std::vector<std::uint8_t>>
    recover(std::span<const std::uint8_t> signature) const;

  private:
    EvpPkeyCtxPtr prepared_;
    std::size_t digest_size_;
};

} // namespace ostree_ima
