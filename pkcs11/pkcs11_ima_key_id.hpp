// The IMA key id shown by the key listing: the last 4 bytes of the
// certificate's subjectKeyIdentifier (how the kernel names keys in the .ima
// keyring), else of SHA-1 over the subjectPublicKey bit string (evmctl's
// fallback, equal to the first for RFC 5280 method 1 identifiers).
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <span>
#include <string>

namespace ostree_ima::pkcs11 {

struct ImaKeyId {
    std::string hex;    // 8 lower-case hex digits; empty when unknown
    std::string source; // "certificate subjectKeyIdentifier", "SHA-1 of the public key"
};

ImaKeyId ima_key_id_from_certificate(std::span<const std::uint8_t> der);
ImaKeyId ima_key_id_from_public_key(const EVP_PKEY *key);

} // namespace ostree_ima::pkcs11
