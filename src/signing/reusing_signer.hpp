// ReusingSigner: a KeyBackend in front of the signing key that asks it only
// for what no earlier signature covers. For each digest, in order: a
// signature this run already made or took (the same content under other
// modes or xattrs is one signature), a known one (KnownSignatures: --reuse,
// --signature-cache) that verifies against the key's public key for this
// digest, else the key, once per digest even when several workers ask at
// the same time. What the key makes is verified against its public key
// (sign_checked: WrongKeySignature when it does not verify), then appended
// to the signature cache.
#pragma once

#include "formats/signature_cache.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/signature_counts.hpp"
#include "signing/known_signatures.hpp"
#include "signing/signature_store.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ostree_ima {

class ReusingSigner final : public KeyBackend {
  public:
    // `key`, `known` and `cache` (may be null) must outlive the signer;
    // `key_id` and the format of `known` are what the cache records.
    // `repo_dfd` (>= 0): finished signatures are kept in an unnamed file of
    // the repository's tmp/ rather than in memory (SignatureStore).
    ReusingSigner(KeyBackend &key, const KeyId &key_id, const KnownSignatures &known,
                  SignatureCacheWriter *cache, int repo_dfd = -1);

    [[nodiscard]] const EVP_PKEY *public_key() const override { return key_.public_key(); }
    [[nodiscard]] std::string description() const override { return key_.description(); }
    [[nodiscard]] std::vector<std::uint8_t> certificate_der() const override
    {
        return key_.certificate_der();
    }
    [[nodiscard]] unsigned max_parallel() const override { return key_.max_parallel(); }
    [[nodiscard]] std::vector<std::uint8_t> sign(const HashAlgo &algo,
                                                 std::span<const std::uint8_t> digest) override;

    [[nodiscard]] SignatureCounts counts() const;

  private:
    // A digest and its algorithm as a map key, held inline: no allocation
    // per digest (a commit of 200,000 files has as many).
    struct DigestKey {
        std::array<std::uint8_t, 65> bytes{}; // kernel hash id, then the digest
        std::uint8_t size = 0;
        bool operator==(const DigestKey &other) const
        {
            return size == other.size &&
                   std::equal(bytes.begin(), bytes.begin() + size, other.bytes.begin());
        }
    };
    struct DigestKeyHash {
        std::size_t operator()(const DigestKey &key) const noexcept;
    };
    static DigestKey key_of(const HashAlgo &algo, std::span<const std::uint8_t> digest);
    std::optional<std::vector<std::uint8_t>> known(const HashAlgo &algo,
                                                   std::span<const std::uint8_t> digest);

    KeyBackend &key_;
    KeyId key_id_;
    const KnownSignatures &known_;
    SignatureCacheWriter *cache_;
    std::mutex mutex_;
    // Every digest of this run: the finished ones by where their signature
    // is kept (`store_`, under mutex_), those being made as futures that
    // waiting workers share. A future's shared state costs more than the
    // signature, so a finished one moves to `done_`.
    std::unordered_map<DigestKey, SignatureStore::Ref, DigestKeyHash> done_;
    std::unordered_map<DigestKey, std::shared_future<std::vector<std::uint8_t>>, DigestKeyHash>
        in_flight_;
    SignatureStore store_;
    std::atomic<std::uint64_t> made_{0}, from_commit_{0}, from_cache_{0}, same_digest_{0},
        rejected_{0};
};

} // namespace ostree_ima
