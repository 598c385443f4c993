#include "ostree-ima/error.hpp"
#include "ostree-ima/key_backend.hpp"

#include <openssl/core_names.h>

namespace ostree_ima {

std::string KeyShape::to_string() const
{
    if (type == KeyType::Rsa)
        return "RSA-" + std::to_string(bits);
    return "EC " + curve;
}

KeyShape check_key_shape(const EVP_PKEY *key, const std::string &what)
{
    KeyShape shape{};
    if (EVP_PKEY_is_a(key, "RSA")) {
        shape.type = KeyType::Rsa;
        shape.bits = EVP_PKEY_get_bits(key);
        if (shape.bits < 2048 || shape.bits > 4096)
            throw Error(what + " is RSA-" + std::to_string(shape.bits) +
                        ": use an RSA key of 2048 to 4096 bits, or EC P-256/P-384");
        return shape;
    }
    if (EVP_PKEY_is_a(key, "EC")) {
        shape.type = KeyType::Ec;
        shape.bits = EVP_PKEY_get_bits(key);
        char group[64] = {};
        std::size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &len) != 1)
            throw Error(what + " is an EC key with explicit or unknown curve parameters: use a "
                               "named curve, P-256 or P-384");
        const std::string name(group, len);
        if (name == "prime256v1" || name == "P-256")
            shape.curve = "P-256";
        else if (name == "secp384r1" || name == "P-384")
            shape.curve = "P-384";
        else
            throw Error(what + " is an EC key on curve " + name +
                        ", which the kernel's IMA cannot verify: use P-256 or P-384");
        return shape;
    }
    const char *type = EVP_PKEY_get0_type_name(key);
    throw Error(what + " is a " + (type ? type : "unknown") +
                " key, which the kernel's IMA cannot verify: use RSA (2048-4096) or EC "
                "P-256/P-384");
}

} // namespace ostree_ima
