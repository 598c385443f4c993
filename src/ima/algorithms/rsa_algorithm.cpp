// RSA: PKCS#1 v1.5 signatures over the DigestInfo, 2048 to 4096 bits.
#include "ima/algorithms/digest_info.hpp"
#include "ima/algorithms/key_algorithm.hpp"
#include "ima/algorithms/public_key_params.hpp"

#include "ostree-ima/error.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <p11-kit/pkcs11.h>

namespace ostree_ima {

namespace {

class RsaAlgorithm final : public KeyAlgorithm {
  public:
    [[nodiscard]] std::string_view name() const override { return "RSA"; }
    [[nodiscard]] bool holds(const EVP_PKEY *key) const override
    {
        return EVP_PKEY_is_a(key, "RSA") == 1;
    }

    std::string check_shape(const EVP_PKEY *key, const std::string &what) const override
    {
        const int bits = EVP_PKEY_get_bits(key);
        if (bits < 2048 || bits > 4096)
            throw Error(what + " is RSA-" + std::to_string(bits) +
                        ": use an RSA key of 2048 to 4096 bits, or EC P-256/P-384");
        return "RSA-" + std::to_string(bits);
    }
    [[nodiscard]] KeySize size(const EVP_PKEY *key) const override
    {
        return {EVP_PKEY_get_bits(key), {}};
    }
    [[nodiscard]] std::string_view kernel_requirement() const override { return {}; }

    bool select_padding(EVP_PKEY_CTX *ctx) const override
    {
        return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    }
    [[nodiscard]] std::string_view padding_name() const override { return "PKCS#1 v1.5"; }

    [[nodiscard]] bool recovers_digest() const override { return true; }
    [[nodiscard]] EvpPkeyCtxPtr prepare_recovery(const EVP_PKEY *key,
                                                 const HashAlgo &algo) const override
    {
        if (!holds(key))
            return nullptr;
        EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(const_cast<EVP_PKEY *>(key), nullptr));
        const EVP_MD *md = EVP_get_digestbyname(std::string(algo.openssl_name).c_str());
        // With the digest named, OpenSSL checks the DigestInfo and returns the
        // digest inside it.
        const bool ok = ctx && md != nullptr && EVP_PKEY_verify_recover_init(ctx.get()) == 1 &&
                        select_padding(ctx.get()) &&
                        EVP_PKEY_CTX_set_signature_md(ctx.get(), md) == 1;
        (void)openssl_error_text();
        return ok ? std::move(ctx) : nullptr;
    }

    [[nodiscard]] Pkcs11Number pkcs11_key_type() const override { return CKK_RSA; }
    [[nodiscard]] Pkcs11Number pkcs11_mechanism() const override { return CKM_RSA_PKCS; }
    [[nodiscard]] std::vector<Pkcs11Number> pkcs11_public_key_attributes() const override
    {
        return {CKA_MODULUS, CKA_PUBLIC_EXPONENT};
    }
    [[nodiscard]] EvpPkeyPtr
    public_key_from_attributes(std::span<const std::vector<std::uint8_t>> values) const override
    {
        const std::vector<std::uint8_t> &modulus = values[0];
        const std::vector<std::uint8_t> &exponent = values[1];
        BignumPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
        BignumPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
        OsslParamBldPtr builder(OSSL_PARAM_BLD_new());
        if (!n || !e || !builder ||
            OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
            OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
            throw Error("cannot build an OpenSSL RSA public key");
        }
        return public_key_from_params("RSA", builder.get());
    }
    [[nodiscard]] std::optional<Pkcs11Number> pkcs11_size_attribute() const override
    {
        return CKA_MODULUS_BITS;
    }

    // CKM_RSA_PKCS pads whatever it is given: the DigestInfo is ours to build.
    std::vector<std::uint8_t> token_input(const EVP_PKEY * /*public_key*/, const HashAlgo &algo,
                                          std::span<const std::uint8_t> digest) const override
    {
        return rsa_digest_info(algo, digest);
    }
    [[nodiscard]] std::size_t token_signature_size(const EVP_PKEY *public_key) const override
    {
        return static_cast<std::size_t>(EVP_PKEY_get_size(public_key));
    }
    std::vector<std::uint8_t> from_token_signature(const EVP_PKEY *public_key,
                                                   std::vector<std::uint8_t> signature,
                                                   const std::string &context) const override
    {
        // An RSA signature is exactly as long as the modulus; a module that
        // drops leading zero bytes gets them back.
        const std::size_t modulus_bytes = token_signature_size(public_key);
        if (signature.size() < modulus_bytes) {
            signature.insert(signature.begin(), modulus_bytes - signature.size(), 0);
        } else if (signature.size() > modulus_bytes) {
            throw Error(context + ": the token returned " + std::to_string(signature.size()) +
                        " bytes for a " + std::to_string(modulus_bytes * 8) + "-bit RSA key");
        }
        return signature;
    }
};

} // namespace

const KeyAlgorithm &rsa_key_algorithm()
{
    static const RsaAlgorithm algorithm;
    return algorithm;
}

} // namespace ostree_ima
