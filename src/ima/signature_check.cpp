#include "ima/signature_check.hpp"

#include "ostree-ima/openssl_ptr.hpp"

#include <openssl/rsa.h>
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
    if (ok && EVP_PKEY_is_a(key, "RSA"))
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1;
    // With the digest named, RSA checks the DigestInfo and EC the raw digest.
    ok = ok && EVP_PKEY_CTX_set_signature_md(ctx.get(), md) == 1;
    ok = ok && EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(),
                               digest.size()) == 1;
    (void)openssl_error_text(); // a failed check leaves errors queued
    return ok;
}

std::optional<std::vector<std::uint8_t>> recover_rsa_digest(const EVP_PKEY *key,
                                                            const HashAlgo &algo,
                                                            std::span<const std::uint8_t> signature)
{
    if (!EVP_PKEY_is_a(key, "RSA"))
        return std::nullopt;
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(const_cast<EVP_PKEY *>(key), nullptr));
    const EVP_MD *md = EVP_get_digestbyname(std::string(algo.openssl_name).c_str());
    std::vector<std::uint8_t> digest(EVP_MAX_MD_SIZE);
    std::size_t len = digest.size();
    // With the digest named, OpenSSL checks the DigestInfo and returns the
    // digest inside it.
    const bool ok = ctx && md != nullptr && EVP_PKEY_verify_recover_init(ctx.get()) == 1 &&
                    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
                    EVP_PKEY_CTX_set_signature_md(ctx.get(), md) == 1 &&
                    EVP_PKEY_verify_recover(ctx.get(), digest.data(), &len, signature.data(),
                                            signature.size()) == 1 &&
                    len == algo.digest_size;
    (void)openssl_error_text();
    if (!ok)
        return std::nullopt;
    digest.resize(len);
    return digest;
}

} // namespace ostree_ima
