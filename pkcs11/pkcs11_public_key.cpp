#include "pkcs11_public_key.hpp"

#include "ostree-ima/error.hpp"
#include "pkcs11_attributes.hpp"
#include "pkcs11_objects.hpp"
#include "pkcs11_strings.hpp"

#include <openssl/x509.h>

#include <memory>
#include <string>
#include <type_traits>

namespace ostree_ima::pkcs11 {

// The key algorithms hold Cryptoki numbers without Cryptoki's header.
static_assert(std::is_same_v<Pkcs11Number, CK_ULONG>);
static_assert(std::is_same_v<CK_KEY_TYPE, CK_ULONG>);
static_assert(std::is_same_v<CK_MECHANISM_TYPE, CK_ULONG>);
static_assert(std::is_same_v<CK_ATTRIBUTE_TYPE, CK_ULONG>);

EvpPkeyPtr public_key_from_object(const Session &session, CK_OBJECT_HANDLE object,
                                  const KeyAlgorithm *algorithm)
{
    if (algorithm != nullptr) {
        // Every attribute is read, even after a missing one: the calls a
        // token sees stay those of the tool before the algorithm objects.
        bool complete = true;
        std::vector<std::vector<std::uint8_t>> values;
        for (const Pkcs11Number type : algorithm->pkcs11_public_key_attributes()) {
            auto value = get_attribute(session, object, type);
            complete = complete && value && !value->empty();
            values.push_back(value ? std::move(*value) : std::vector<std::uint8_t>());
        }
        if (complete) {
            return algorithm->public_key_from_attributes(values);
        }
    }
    // PKCS#11 2.40: some modules give the SubjectPublicKeyInfo directly.
    if (const auto spki = get_attribute(session, object, CKA_PUBLIC_KEY_INFO);
        spki && !spki->empty()) {
        const unsigned char *in = spki->data();
        EvpPkeyPtr key(d2i_PUBKEY(nullptr, &in, static_cast<long>(spki->size())));
        if (key) {
            return key;
        }
    }
    return nullptr;
}

EvpPkeyPtr public_key_from_certificate(std::span<const std::uint8_t> der)
{
    const unsigned char *in = der.data();
    X509Ptr cert(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
    if (!cert) {
        return nullptr;
    }
    return EvpPkeyPtr(X509_get_pubkey(cert.get()));
}

EvpPkeyPtr public_key_for_key(const Session &session, CK_OBJECT_HANDLE private_key,
                              const KeyAlgorithm *algorithm, std::span<const std::uint8_t> id)
{
    if (auto key = public_key_from_object(session, private_key, algorithm)) {
        return key;
    }
    if (id.empty()) {
        return nullptr; // nothing to pair other objects with
    }
    const std::vector<std::uint8_t> wanted(id.begin(), id.end());
    EvpPkeyPtr result;
    ObjectTemplate pub_templ(CKO_PUBLIC_KEY, std::nullopt, wanted);
    for (const auto handle : find_objects(session, pub_templ.attributes())) {
        auto key = public_key_from_object(session, handle, algorithm);
        if (!key) {
            continue;
        }
        if (result && EVP_PKEY_eq(result.get(), key.get()) != 1) {
            throw Error("the token holds several different public keys with CKA_ID " + to_hex(id));
        }
        result = std::move(key);
    }
    if (result) {
        return result;
    }
    ObjectTemplate cert_templ(CKO_CERTIFICATE, std::nullopt, wanted);
    for (const auto handle : find_objects(session, cert_templ.attributes())) {
        if (const auto der = get_attribute(session, handle, CKA_VALUE)) {
            if (auto key = public_key_from_certificate(*der)) {
                return key;
            }
        }
    }
    return nullptr;
}

} // namespace ostree_ima::pkcs11
