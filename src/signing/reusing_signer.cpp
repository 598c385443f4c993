#include "signing/reusing_signer.hpp"

#include "ima/signature_check.hpp"
#include "ostree-ima/error.hpp"
#include "signing/checked_signature.hpp"

#include <cstring>

namespace ostree_ima {

ReusingSigner::ReusingSigner(KeyBackend &key, const KeyId &key_id, const KnownSignatures &known,
                             SignatureCacheWriter *cache, int repo_dfd)
    : key_(key), key_id_(key_id), known_(known), cache_(cache), store_(repo_dfd)
{
}

std::optional<std::vector<std::uint8_t>> ReusingSigner::known(const HashAlgo &algo,
                                                              std::span<const std::uint8_t> digest)
{
    for (const KnownSignature &candidate : known_.find(algo, digest)) {
        if (verify_digest_signature(key_.public_key(), algo, digest, candidate.signature)) {
            ++(candidate.origin == SignatureOrigin::Commit ? from_commit_ : from_cache_);
            return candidate.signature;
        }
        ++rejected_;
    }
    return std::nullopt;
}

std::size_t ReusingSigner::DigestKeyHash::operator()(const DigestKey &key) const noexcept
{
    // Digests are uniformly distributed: their first bytes are a hash.
    std::size_t h = 0;
    std::memcpy(&h, key.bytes.data() + 1, sizeof h);
    return h ^ key.bytes[0];
}

ReusingSigner::DigestKey ReusingSigner::key_of(const HashAlgo &algo,
                                               std::span<const std::uint8_t> digest)
{
    DigestKey key;
    if (digest.size() + 1 > key.bytes.size() || digest.size() < sizeof(std::size_t))
        throw Error("internal error: a " + std::to_string(digest.size()) + "-byte " +
                    std::string(algo.name) + " digest");
    key.bytes[0] = static_cast<std::uint8_t>(algo.kernel_id);
    std::copy(digest.begin(), digest.end(), key.bytes.begin() + 1);
    key.size = static_cast<std::uint8_t>(digest.size() + 1);
    return key;
}

std::vector<std::uint8_t> ReusingSigner::sign(const HashAlgo &algo,
                                              std::span<const std::uint8_t> digest)
{
    const DigestKey id = key_of(algo, digest);
    std::promise<std::vector<std::uint8_t>> promise;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        if (const auto it = done_.find(id); it != done_.end()) {
            ++same_digest_;
            return store_.get(it->second);
        }
        if (const auto it = in_flight_.find(id); it != in_flight_.end()) {
            const std::shared_future<std::vector<std::uint8_t>> pending = it->second;
            lock.unlock();
            ++same_digest_;
            return pending.get(); // another worker is making it
        }
        in_flight_.emplace(id, promise.get_future().share());
    }
    try {
        std::optional<std::vector<std::uint8_t>> signature = known(algo, digest);
        if (!signature) {
            // Checked before it is stored, cached or written.
            signature = sign_checked(key_, algo, digest);
            ++made_;
            if (cache_ != nullptr)
                cache_->append(
                    {&known_.scheme(), &algo, {digest.begin(), digest.end()}, key_id_, *signature});
        }
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            done_.emplace(id, store_.put(*signature));
            in_flight_.erase(id);
        }
        promise.set_value(*signature);
        return *signature;
    } catch (...) {
        // Workers waiting for this digest get the same error; a later call
        // (a rerun of the job) asks again.
        promise.set_exception(std::current_exception());
        const std::lock_guard<std::mutex> lock(mutex_);
        in_flight_.erase(id);
        throw;
    }
}

SignatureCounts ReusingSigner::counts() const
{
    SignatureCounts counts;
    counts.made = made_.load();
    counts.from_commit = from_commit_.load();
    counts.from_cache = from_cache_.load();
    counts.same_digest = same_digest_.load();
    counts.rejected = rejected_.load();
    return counts;
}

} // namespace ostree_ima
