// EvpKeyBackend: signs with an OpenSSL EVP_PKEY private key, wherever it came
// from (a key file, an engine, a provider's store).
#pragma once

#include "ima/algorithms/key_algorithm.hpp"
#include "ostree-ima/key_backend.hpp"

#include <functional>
#include <mutex>
#include <string>

namespace ostree_ima {

class EvpKeyBackend final : public KeyBackend {
  public:
    // `keep_alive` holds whatever must outlive the key (an ENGINE, providers).
    // `engine_key`: a legacy key from an ENGINE (signed through the engine).
    EvpKeyBackend(EvpPkeyPtr private_key, std::string description, unsigned parallel,
                  std::shared_ptr<void> keep_alive = nullptr, bool engine_key = false);

    [[nodiscard]] const EVP_PKEY *public_key() const override { return public_key_.get(); }
    [[nodiscard]] std::string description() const override { return description_; }
    [[nodiscard]] unsigned max_parallel() const override { return parallel_; }
    [[nodiscard]] std::vector<std::uint8_t> sign(const HashAlgo &algo,
                                                 std::span<const std::uint8_t> digest) override;

  private:
    std::shared_ptr<void> keep_alive_;
    bool engine_key_;
    EvpPkeyPtr private_key_;
    EvpPkeyPtr public_key_;
    const KeyAlgorithm *algorithm_; // shape checked
    std::string description_;
    unsigned parallel_;
    std::string provider_query_; // "?provider=NAME" of the key's provider
    bool software_key_ = false;  // held by OpenSSL's default provider (key files)
    std::mutex mutex_;
};

} // namespace ostree_ima
