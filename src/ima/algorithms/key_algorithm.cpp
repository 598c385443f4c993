#include "ima/algorithms/key_algorithm.hpp"

#include "ostree-ima/error.hpp"

#include <array>

namespace ostree_ima {

std::span<const KeyAlgorithm *const> key_algorithms()
{
    // The registry: a new algorithm is one line here and its own file.
    static const std::array<const KeyAlgorithm *, 2> registry{
        &rsa_key_algorithm(),
        &ec_key_algorithm(),
    };
    return registry;
}

const KeyAlgorithm *find_key_algorithm(const EVP_PKEY *key)
{
    for (const KeyAlgorithm *algorithm : key_algorithms()) {
        if (algorithm->holds(key))
            return algorithm;
    }
    return nullptr;
}

const KeyAlgorithm *find_key_algorithm(Pkcs11Number pkcs11_key_type)
{
    for (const KeyAlgorithm *algorithm : key_algorithms()) {
        if (algorithm->pkcs11_key_type() == pkcs11_key_type)
            return algorithm;
    }
    return nullptr;
}

const KeyAlgorithm &check_key_shape(const EVP_PKEY *key, const std::string &what)
{
    const KeyAlgorithm *algorithm = find_key_algorithm(key);
    if (algorithm == nullptr) {
        const char *type = EVP_PKEY_get0_type_name(key);
        throw Error(what + " is a " + (type ? type : "unknown") +
                    " key, which the kernel's IMA cannot verify: use RSA (2048-4096) or EC "
                    "P-256/P-384");
    }
    (void)algorithm->check_shape(key, what);
    return *algorithm;
}

} // namespace ostree_ima
