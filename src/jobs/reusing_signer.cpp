#include "jobs/reusing_signer.hpp"

#include "ima/signature_check.hpp"

#include <chrono>

namespace ostree_ima {

ReusingSigner::ReusingSigner(KeyBackend &key, const KeyId &key_id, const KnownSignatures &known,
                             SignatureCacheWriter *cache)
    : key_(key), key_id_(key_id), known_(known), cache_(cache)
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

std::vector<std::uint8_t> ReusingSigner::sign(const HashAlgo &algo,
                                              std::span<const std::uint8_t> digest)
{
    std::string id(1, static_cast<char>(algo.kernel_id));
    id.append(reinterpret_cast<const char *>(digest.data()), digest.size());
    std::promise<std::vector<std::uint8_t>> promise;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (const auto it = done_.find(id); it != done_.end()) {
            const std::shared_future<std::vector<std::uint8_t>> ready = it->second;
            ++same_digest_;
            return ready.get(); // waits when another worker is making it
        }
        done_.emplace(id, promise.get_future().share());
    }
    try {
        std::optional<std::vector<std::uint8_t>> signature = known(algo, digest);
        if (!signature) {
            const auto start = std::chrono::steady_clock::now();
            signature = key_.sign(algo, digest);
            key_nanoseconds_ +=
                static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::steady_clock::now() - start)
                                               .count());
            ++made_;
            if (cache_ != nullptr)
                cache_->append({&algo, {digest.begin(), digest.end()}, key_id_, *signature});
        }
        promise.set_value(*signature);
        return *signature;
    } catch (...) {
        // Workers waiting for this digest get the same error; a later call
        // (a rerun of the job) asks again.
        promise.set_exception(std::current_exception());
        const std::lock_guard<std::mutex> lock(mutex_);
        done_.erase(id);
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
