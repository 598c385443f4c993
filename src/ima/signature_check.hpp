// verify_digest_signature: the kernel's check of an IMA v2 signature, given
// the file digest: RSA PKCS#1 v1.5 over the DigestInfo, or a DER ECDSA-Sig-Value
// (the padding is the key algorithm's: ima/algorithms/).
#pragma once

#include "ostree-ima/hash_algo.hpp"

#include <cstdint>
#include <openssl/evp.h>
#include <span>

namespace ostree_ima {

// True when `signature` signs `digest` (computed with `algo`) under `key`.
// Never throws: a key that cannot verify such signatures gives false.
bool verify_digest_signature(const EVP_PKEY *key, const HashAlgo &algo,
                             std::span<const std::uint8_t> digest,
                             std::span<const std::uint8_t> signature);

} // namespace ostree_ima
