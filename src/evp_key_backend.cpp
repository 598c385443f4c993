#include "evp_key_backend.hpp"

#include "ostree-ima/error.hpp"
#include "ostree-ima/openssl_ptr.hpp"

#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace ostree_ima {

namespace {
// A public-only copy, so that key ids and certificate checks never touch the
// private half (which may live in an engine or provider).
EvpPkeyPtr public_copy(EVP_PKEY *key, const std::string &what)
{
    unsigned char *der = nullptr;
    const int len = i2d_PUBKEY(key, &der);
    if (len <= 0)
        throw Error("cannot read the public half of " + what + ": " + openssl_error_text());
    const unsigned char *p = der;
    EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &p, len));
    OPENSSL_free(der);
    if (!pub)
        throw Error("cannot read the public half of " + what + ": " + openssl_error_text());
    return pub;
}
} // namespace

EvpKeyBackend::EvpKeyBackend(EvpPkeyPtr private_key, std::string description, unsigned parallel,
                             std::shared_ptr<void> keep_alive)
    : keep_alive_(std::move(keep_alive)), private_key_(std::move(private_key)),
      public_key_(public_copy(private_key_.get(), description)),
      shape_(check_key_shape(public_key_.get(), description)), description_(std::move(description)),
      parallel_(parallel == 0 ? 1 : parallel)
{
}

std::vector<std::uint8_t> EvpKeyBackend::sign(const HashAlgo &algo,
                                              std::span<const std::uint8_t> digest)
{
    // One context per call: EVP_PKEY is shareable between threads, contexts are not.
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(private_key_.get(), nullptr));
    const EVP_MD *md = EVP_get_digestbyname(std::string(algo.openssl_name).c_str());
    if (!ctx || md == nullptr || EVP_PKEY_sign_init(ctx.get()) != 1)
        throw Error("cannot start signing with " + description_ + ": " + openssl_error_text());
    if (shape_.type == KeyType::Rsa &&
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1)
        throw Error("cannot select PKCS#1 v1.5 padding for " + description_ + ": " +
                    openssl_error_text());
    // With the digest named, RSA signs the DigestInfo and EC signs the raw digest.
    if (EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1)
        throw Error("key " + description_ + " cannot sign " + std::string(algo.name) +
                    " digests: " + openssl_error_text());
    std::size_t len = 0;
    if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1)
        throw Error("signing with " + description_ + " failed: " + openssl_error_text());
    std::vector<std::uint8_t> sig(len);
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1)
        throw Error("signing with " + description_ + " failed: " + openssl_error_text());
    sig.resize(len);
    return sig;
}

} // namespace ostree_ima
