#include "ima/algorithms/digest_recovery.hpp"

#include "ima/algorithms/key_algorithm.hpp"

namespace ostree_ima {

DigestRecovery::DigestRecovery(const EVP_PKEY *key, const HashAlgo &algo)
    : digest_size_(algo.digest_size)
{
    const KeyAlgorithm *algorithm = find_key_algorithm(key);
    if (algorithm != nullptr && algorithm->recovers_digest())
        prepared_ = algorithm->prepare_recovery(key, algo);
}

std::optional<std::vector<std::uint8_t>>
DigestRecovery::recover(std::span<const std::uint8_t> signature) const
{
    if (!prepared_)
        return std::nullopt;
    // A copy per call: the prepared context is only read, so threads share it.
    const EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_dup(prepared_.get()));
    std::vector<std::uint8_t> digest(EVP_MAX_MD_SIZE);
    std::size_t len = digest.size();
    const bool ok = ctx &&
                    EVP_PKEY_verify_recover(ctx.get(), digest.data(), &len, signature.data(),
                                            signature.size()) == 1 &&
                    len == digest_size_;
    (void)openssl_error_text();
    if (!ok)
        return std::nullopt;
    digest.resize(len);
    return digest;
}

} // namespace ostree_ima
