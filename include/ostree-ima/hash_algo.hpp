// HashAlgo: the hash algorithms an IMA signature can name.
#pragma once

#include "ostree-ima/export.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

struct OSTREE_IMA_EXPORT HashAlgo {
    std::string_view name;         // our name and evmctl's: "sha256"
    std::string_view openssl_name; // name for EVP_MD_fetch: "SHA256"
    std::uint8_t kernel_id;        // enum hash_algo in include/uapi/linux/hash_info.h
    std::size_t digest_size;       // bytes

    // Whether the linked OpenSSL can compute this digest.
    [[nodiscard]] bool available() const;
};

// Every algorithm in the kernel's table that IMA v2 signatures may use.
OSTREE_IMA_EXPORT std::span<const HashAlgo> all_hash_algos();

// Only those the linked OpenSSL provides, in table order.
OSTREE_IMA_EXPORT std::vector<HashAlgo> available_hash_algos();

// Looks a name up; throws UsageError listing the supported names when it is
// unknown or not provided by the linked OpenSSL.
OSTREE_IMA_EXPORT const HashAlgo &hash_algo_by_name(std::string_view name);

// Looks a kernel id up; nullptr when unknown.
OSTREE_IMA_EXPORT const HashAlgo *hash_algo_by_kernel_id(std::uint8_t id);

} // namespace ostree_ima
