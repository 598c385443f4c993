#include "ostree-ima/hash_algo.hpp"

#include "ostree-ima/error.hpp"
#include "util/quoted_input.hpp"

#include <array>
#include <openssl/evp.h>

namespace ostree_ima {

namespace {
// Kernel ids from include/uapi/linux/hash_info.h (enum hash_algo).
constexpr std::array<HashAlgo, 8> kHashAlgos{{
    {"sha1", "SHA1", 2, 20},
    {"sha224", "SHA224", 7, 28},
    {"sha256", "SHA256", 4, 32},
    {"sha384", "SHA384", 5, 48},
    {"sha512", "SHA512", 6, 64},
    {"sm3", "SM3", 17, 32},
    {"streebog256", "md_gost12_256", 18, 32},
    {"streebog512", "md_gost12_512", 19, 64},
}};
} // namespace

bool HashAlgo::available() const
{
    const std::string md_name(openssl_name);
    if (EVP_MD *md = EVP_MD_fetch(nullptr, md_name.c_str(), nullptr)) {
        const bool right_size = static_cast<std::size_t>(EVP_MD_get_size(md)) == digest_size;
        EVP_MD_free(md);
        return right_size;
    }
    // Engines (such as gost) register legacy digests only.
    const EVP_MD *legacy = EVP_get_digestbyname(md_name.c_str());
    return legacy != nullptr && static_cast<std::size_t>(EVP_MD_get_size(legacy)) == digest_size;
}

std::span<const HashAlgo> all_hash_algos()
{
    return kHashAlgos;
}

std::vector<HashAlgo> available_hash_algos()
{
    std::vector<HashAlgo> out;
    for (const auto &algo : kHashAlgos)
        if (algo.available())
            out.push_back(algo);
    return out;
}

const HashAlgo &hash_algo_by_name(std::string_view name)
{
    for (const auto &algo : kHashAlgos)
        if (algo.name == name && algo.available())
            return algo;
    std::string list;
    for (const auto &algo : available_hash_algos())
        list += (list.empty() ? "" : ", ") + std::string(algo.name);
    throw UsageError("unsupported hash algorithm " + quoted_input(name) +
                     "; supported here: " + list);
}

const HashAlgo *hash_algo_by_kernel_id(std::uint8_t id)
{
    for (const auto &algo : kHashAlgos)
        if (algo.kernel_id == id)
            return &algo;
    return nullptr;
}

} // namespace ostree_ima
