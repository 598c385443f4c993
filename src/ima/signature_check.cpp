#include "ima/signature_check.hpp"

#include "ima/algorithms/key_algorithm.hpp"
#include "util/openssl_ptr.hpp"

#include <string>

namespace ostree_ima {

bool verify_digest_signature(const EVP_PKEY *key, const HashAlgo &algo,
                             std::span<const std::uint8_t> digest,
                             std::span<const std::uint8_t> signature)
{
    // OpenSSL takes the key non-const but only reads it; one context per call
    // keeps this safe on worker threads.
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(const_cast<EVP_PKEY *>(key), nullptr));
    const EVP_MD *md = EVP_get_digestbyname(std::string(algo.openssl_name).c_str());
    bool ok = ctx && md != nullptr && EVP_PKEY_verify_init(ctx.get()) == 1;
    // A key of no algorithm of ours is checked with OpenSSL's defaults.
    if (const KeyAlgorithm *algorithm = find_key_algorithm(key); ok && algorithm != nullptr)
        ok = algorithm->select_padding(ctx.get());
    // With the digest named, RSA checks the DigestInfo and EC the raw digest.
    ok = ok && EVP_PKEY_CTX_set_signature_md(ctx.get(), md) == 1;
    ok = ok && EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(),
                               digest.size()) == 1;
    (void)openssl_error_text(); // a failed check leaves errors queued
    return ok;
}

} // namespace ostree_ima
