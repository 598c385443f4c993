// EC: ECDSA signatures as a DER ECDSA-Sig-Value, on P-256 or P-384.
#include "ima/algorithms/ecdsa_sig_value.hpp"
#include "ima/algorithms/key_algorithm.hpp"
#include "ima/algorithms/public_key_params.hpp"

#include "ostree-ima/error.hpp"

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <p11-kit/pkcs11.h>

namespace ostree_ima {

namespace {

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

// The size of r and of s: the curve order's bytes.
std::size_t order_bytes(const EVP_PKEY *public_key)
{
    return static_cast<std::size_t>((EVP_PKEY_get_bits(public_key) + 7) / 8);
}

class EcAlgorithm final : public KeyAlgorithm {
  public:
    [[nodiscard]] std::string_view name() const override { return "EC"; }
    [[nodiscard]] bool holds(const EVP_PKEY *key) const override
    {
        return EVP_PKEY_is_a(key, "EC") == 1;
    }

    std::string check_shape(const EVP_PKEY *key, const std::string &what) const override
    {
        char group[64] = {};
        std::size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &len) != 1)
            throw Error(what + " is an EC key with explicit or unknown curve parameters: use a "
                               "named curve, P-256 or P-384");
        const std::string name(group, len);
        if (name == "prime256v1" || name == "P-256")
            return "EC P-256";
        if (name == "secp384r1" || name == "P-384")
            return "EC P-384";
        throw Error(what + " is an EC key on curve " + name +
                    ", which the kernel's IMA cannot verify: use P-256 or P-384");
    }
    [[nodiscard]] KeySize size(const EVP_PKEY *key) const override
    {
        KeySize size{EVP_PKEY_get_bits(key), {}};
        char group[80] = {};
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           nullptr) == 1) {
            const char *nist = EC_curve_nid2nist(OBJ_sn2nid(group));
            size.curve = nist != nullptr ? nist : group;
        }
        return size;
    }
    [[nodiscard]] std::string_view kernel_requirement() const override
    {
        return "the kernel needs CONFIG_CRYPTO_ECDSA, e.g. Linux 6.12; Debian 12's 6.1 denies "
               "EC-signed files";
    }

    // OpenSSL signs and verifies a DER ECDSA-Sig-Value, the form IMA carries.
    bool select_padding(EVP_PKEY_CTX * /*ctx*/) const override { return true; }
    [[nodiscard]] std::string_view padding_name() const override { return "no"; }

    // An ECDSA signature does not give its digest back: the file is hashed.
    [[nodiscard]] bool recovers_digest() const override { return false; }
    [[nodiscard]] EvpPkeyCtxPtr prepare_recovery(const EVP_PKEY * /*key*/,
                                                 const HashAlgo & /*algo*/) const override
    {
        return nullptr;
    }

    [[nodiscard]] Pkcs11Number pkcs11_key_type() const override { return CKK_EC; }
    [[nodiscard]] Pkcs11Number pkcs11_mechanism() const override { return CKM_ECDSA; }
    [[nodiscard]] std::vector<Pkcs11Number> pkcs11_public_key_attributes() const override
    {
        return {CKA_EC_PARAMS, CKA_EC_POINT};
    }
    // `values`: DER ECParameters (a named curve OID) and CKA_EC_POINT, which
    // the standard wraps in a DER OCTET STRING and some modules do not.
    [[nodiscard]] EvpPkeyPtr
    public_key_from_attributes(std::span<const std::vector<std::uint8_t>> values) const override
    {
        const std::vector<std::uint8_t> &ec_params = values[0];
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
        const auto field_bytes =
            static_cast<std::size_t>((EC_GROUP_get_degree(group.get()) + 7) / 8);
        const auto point = unwrap_ec_point(values[1], field_bytes);

        OsslParamBldPtr builder(OSSL_PARAM_BLD_new());
        if (!builder ||
            OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group_name,
                                            0) != 1 ||
            OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                             point.size()) != 1) {
            throw Error("cannot build an OpenSSL EC public key");
        }
        return public_key_from_params("EC", builder.get());
    }
    [[nodiscard]] std::optional<Pkcs11Number> pkcs11_size_attribute() const override
    {
        return std::nullopt;
    }

    // ECDSA uses the leftmost order-size bits of a longer digest; do that
    // here, since some modules refuse longer input with CKR_DATA_LEN_RANGE.
    std::vector<std::uint8_t> token_input(const EVP_PKEY *public_key, const HashAlgo & /*algo*/,
                                          std::span<const std::uint8_t> digest) const override
    {
        const int order_bits = EVP_PKEY_get_bits(public_key);
        const auto bytes = static_cast<std::size_t>(order_bits / 8);
        if (order_bits % 8 == 0 && digest.size() > bytes) {
            digest = digest.first(bytes);
        }
        return {digest.begin(), digest.end()};
    }
    // r || s, with room for a module that returns DER instead.
    [[nodiscard]] std::size_t token_signature_size(const EVP_PKEY *public_key) const override
    {
        return 2 * order_bytes(public_key) + 16;
    }
    std::vector<std::uint8_t> from_token_signature(const EVP_PKEY *public_key,
                                                   std::vector<std::uint8_t> signature,
                                                   const std::string & /*context*/) const override
    {
        return ecdsa_raw_to_der(signature, order_bytes(public_key));
    }
};

} // namespace

const KeyAlgorithm &ec_key_algorithm()
{
    static const EcAlgorithm algorithm;
    return algorithm;
}

} // namespace ostree_ima
