#include "keys/evp_key_backend.hpp"

#include "ostree-ima/error.hpp"
#include "util/openssl_ptr.hpp"

#include <algorithm>
#include <mutex>
#include <openssl/provider.h>
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
                             std::shared_ptr<void> keep_alive, bool engine_key)
    : keep_alive_(std::move(keep_alive)), engine_key_(engine_key),
      private_key_(std::move(private_key)),
      public_key_(public_copy(private_key_.get(), description)),
      algorithm_(&check_key_shape(public_key_.get(), description)),
      description_(std::move(description)), parallel_(parallel == 0 ? 1 : parallel)
{
    if (const OSSL_PROVIDER *prov = EVP_PKEY_get0_provider(private_key_.get())) {
        provider_query_ = std::string("?provider=") + OSSL_PROVIDER_get0_name(prov);
        software_key_ = std::string(OSSL_PROVIDER_get0_name(prov)) == "default";
    }
}

std::vector<std::uint8_t> EvpKeyBackend::sign(const HashAlgo &algo,
                                              std::span<const std::uint8_t> digest)
{
    // One context per call: EVP_PKEY is shareable between threads, contexts are not.
    // Provider keys (e.g. tpm2) must be used through their own provider:
    // EVP_PKEY_CTX_new_from_pkey keeps the operation there. Engine keys are
    // legacy keys and need EVP_PKEY_CTX_new.
    // Provider keys may live in a device context that is not thread-safe
    // (the tpm2 provider's ESYS context is not): one signature at a time.
    std::unique_lock<std::mutex> serial(mutex_, std::defer_lock);
    if (!provider_query_.empty() && !software_key_)
        serial.lock();
    // The property query prefers the key's own provider: once "default" is
    // active, OpenSSL 3.0 may otherwise pick its RSA and hand it only the
    // exportable (public) half of a hardware key.
    EvpPkeyCtxPtr ctx(engine_key_ ? EVP_PKEY_CTX_new(private_key_.get(), nullptr)
                                  : EVP_PKEY_CTX_new_from_pkey(nullptr, private_key_.get(),
                                                               provider_query_.c_str()));
    const EVP_MD *md = EVP_get_digestbyname(std::string(algo.openssl_name).c_str());
    if (!ctx || md == nullptr || EVP_PKEY_sign_init(ctx.get()) != 1)
        throw Error("cannot start signing with " + description_ + ": " + openssl_error_text());
    if (!algorithm_->select_padding(ctx.get()))
        throw Error("cannot select " + std::string(algorithm_->padding_name()) + " padding for " +
                    description_ + ": " + openssl_error_text());
    // With the digest named, RSA signs the DigestInfo and EC signs the raw digest.
    if (EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1)
        throw Error("key " + description_ + " cannot sign " + std::string(algo.name) +
                    " digests: " + openssl_error_text());
    std::size_t len = 0;
    if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1)
        throw Error("signing with " + description_ + " failed: " + openssl_error_text());
    // Some providers (tpm2 1.1) answer the size query with 0: size the buffer
    // from the key as well.
    len =
        std::max({len, static_cast<std::size_t>(std::max(EVP_PKEY_get_size(public_key_.get()), 0)),
                  static_cast<std::size_t>(std::max(EVP_PKEY_get_size(private_key_.get()), 0))});
    std::vector<std::uint8_t> sig(len);
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1)
        throw Error("signing with " + description_ + " failed: " + openssl_error_text());
    sig.resize(len);
    return sig;
}

} // namespace ostree_ima
