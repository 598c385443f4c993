#include "pkcs11_ima_key_id.hpp"

#include "pkcs11_strings.hpp"

#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace ostree_ima::pkcs11 {

namespace {

struct X509Free {
    void operator()(X509 *x) const { X509_free(x); }
};
struct X509PubkeyFree {
    void operator()(X509_PUBKEY *x) const { X509_PUBKEY_free(x); }
};

ImaKeyId from_bit_string(const unsigned char *data, std::size_t size)
{
    unsigned char sha1[SHA_DIGEST_LENGTH];
    SHA1(data, size, sha1);
    return {to_hex(std::span<const std::uint8_t>(sha1 + SHA_DIGEST_LENGTH - 4, 4)),
            "SHA-1 of the public key"};
}

} // namespace

ImaKeyId ima_key_id_from_certificate(std::span<const std::uint8_t> der)
{
    const unsigned char *in = der.data();
    const std::unique_ptr<X509, X509Free> cert(
        d2i_X509(nullptr, &in, static_cast<long>(der.size())));
    if (!cert) {
        return {};
    }
    if (const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(cert.get());
        skid != nullptr && ASN1_STRING_length(skid) >= 4) {
        const auto length = static_cast<std::size_t>(ASN1_STRING_length(skid));
        return {to_hex(std::span<const std::uint8_t>(ASN1_STRING_get0_data(skid) + length - 4, 4)),
                "certificate subjectKeyIdentifier"};
    }
    const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(cert.get());
    if (bits == nullptr) {
        return {};
    }
    return from_bit_string(ASN1_STRING_get0_data(bits),
                           static_cast<std::size_t>(ASN1_STRING_length(bits)));
}

ImaKeyId ima_key_id_from_public_key(const EVP_PKEY *key)
{
    if (key == nullptr) {
        return {};
    }
    X509_PUBKEY *raw = nullptr;
    if (X509_PUBKEY_set(&raw, const_cast<EVP_PKEY *>(key)) != 1) {
        return {};
    }
    const std::unique_ptr<X509_PUBKEY, X509PubkeyFree> spki(raw);
    const unsigned char *data = nullptr;
    int length = 0;
    if (X509_PUBKEY_get0_param(nullptr, &data, &length, nullptr, spki.get()) != 1) {
        return {};
    }
    return from_bit_string(data, static_cast<std::size_t>(length));
}

} // namespace ostree_ima::pkcs11
