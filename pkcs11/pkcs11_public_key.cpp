#include "pkcs11_public_key.hpp"

#include "ostree-ima/error.hpp"
#include "pkcs11_attributes.hpp"
#include "pkcs11_objects.hpp"
#include "pkcs11_strings.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace ostree_ima::pkcs11 {

namespace {

EvpPkeyPtr from_params(const char *type, OSSL_PARAM_BLD *builder)
{
    OsslParamPtr params(OSSL_PARAM_BLD_to_param(builder));
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
        throw Error(std::string("cannot build an OpenSSL ") + type + " public key");
    }
    EVP_PKEY *key = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return nullptr;
    }
    return EvpPkeyPtr(key);
}

// The curve's point size decides whether CKA_EC_POINT is raw or wrapped.
std::vector<std::uint8_t> unwrap_ec_point(std::span<const std::uint8_t> point,
                                          std::size_t field_bytes)
{
    const auto plausible = [&](std::span<const std::uint8_t> p) {
        return !p.empty() && ((p[0] == 0x04 && p.size() == 1 + 2 * field_bytes) ||
                              ((p[0] == 0x02 || p[0] == 0x03) && p.size() == 1 + field_bytes));
    };
    const unsigned char *in = point.data();
    Asn1OctetStringPtr octets(d2i_ASN1_OCTET_STRING(nullptr, &in, static_cast<long>(point.size())));
    if (octets && in == point.data() + point.size()) {
        const std::span<const std::uint8_t> inner(
            ASN1_STRING_get0_data(octets.get()),
            static_cast<std::size_t>(ASN1_STRING_length(octets.get())));
        if (plausible(inner)) {
            return {inner.begin(), inner.end()};
        }
    }
    return {point.begin(), point.end()};
}

} // namespace

EvpPkeyPtr rsa_public_key(std::span<const std::uint8_t> modulus,
                          std::span<const std::uint8_t> exponent)
{
    BignumPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
    BignumPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
    OsslParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!n || !e || !builder ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
        throw Error("cannot build an OpenSSL RSA public key");
    }
    return from_params("RSA", builder.get());
}

EvpPkeyPtr ec_public_key(std::span<const std::uint8_t> ec_params,
                         std::span<const std::uint8_t> ec_point)
{
    const unsigned char *in = ec_params.data();
    Asn1ObjectPtr oid(d2i_ASN1_OBJECT(nullptr, &in, static_cast<long>(ec_params.size())));
    if (!oid) {
        // Explicit curve parameters: the kernel only knows named curves anyway.
        throw Error("the key's EC parameters are not a named curve");
    }
    const int nid = OBJ_obj2nid(oid.get());
    const char *group_name = nid == NID_undef ? nullptr : OBJ_nid2sn(nid);
    EcGroupPtr group(nid == NID_undef ? nullptr : EC_GROUP_new_by_curve_name(nid));
    if (group_name == nullptr || !group) {
        char text[128] = {};
        OBJ_obj2txt(text, sizeof text, oid.get(), 1);
        throw Error(std::string("the key's curve ") + text + " is not known to OpenSSL");
    }
    const auto field_bytes = static_cast<std::size_t>((EC_GROUP_get_degree(group.get()) + 7) / 8);
    const auto point = unwrap_ec_point(ec_point, field_bytes);

    OsslParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0) !=
            1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
        throw Error("cannot build an OpenSSL EC public key");
    }
    return from_params("EC", builder.get());
}

EvpPkeyPtr public_key_from_object(const Session &session, CK_OBJECT_HANDLE object,
                                  CK_KEY_TYPE key_type)
{
    if (key_type == CKK_RSA) {
        const auto modulus = get_attribute(session, object, CKA_MODULUS);
        const auto exponent = get_attribute(session, object, CKA_PUBLIC_EXPONENT);
        if (modulus && exponent && !modulus->empty() && !exponent->empty()) {
            return rsa_public_key(*modulus, *exponent);
        }
    } else if (key_type == CKK_EC) {
        const auto params = get_attribute(session, object, CKA_EC_PARAMS);
        const auto point = get_attribute(session, object, CKA_EC_POINT);
        if (params && point && !params->empty() && !point->empty()) {
            return ec_public_key(*params, *point);
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
                              CK_KEY_TYPE key_type, std::span<const std::uint8_t> id)
{
    if (auto key = public_key_from_object(session, private_key, key_type)) {
        return key;
    }
    if (id.empty()) {
        return nullptr; // nothing to pair other objects with
    }
    const std::vector<std::uint8_t> wanted(id.begin(), id.end());
    EvpPkeyPtr result;
    ObjectTemplate pub_templ(CKO_PUBLIC_KEY, std::nullopt, wanted);
    for (const auto handle : find_objects(session, pub_templ.attributes())) {
        auto key = public_key_from_object(session, handle, key_type);
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
