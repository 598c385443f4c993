// verify_digest_signature: the kernel's check of an IMA v2 signature, given
// the file digest: RSA PKCS#1 v1.5 over the DigestInfo, or a DER ECDSA-Sig-Value.
#pragma once

#include "ostree-ima/hash_algo.hpp"

#include <cstdint>
#include <openssl/evp.h>
#include <optional>
#include <span>
#include <vector>

namespace ostree_ima {

// True when `signature` signs `digest` (computed with `algo`) under `key`.
// Never throws: a key that cannot verify such signatures gives false.
bool verify_digest_signature(const EVP_PKEY *key, const HashAlgo &algo,
                             std::span<const std::uint8_t> digest,
                             std::span<const std::uint8_t> signature);

// For an RSA key: the digest a PKCS#1 v1.5 signature signs (made with
// `algo`), recovered with the public key; nullopt when it is not such a
// signature by this key, or the key is not RSA. Lets a signed commit's
// signatures be found by digest without reading its files.
std::optional<std::vector<std::uint8_t>>
recover_rsa_digest(const EVP_PKEY *key, const HashAlgo &algo,
                   std::span<const std::uint8_t> signature);

} // namespace ostree_ima
