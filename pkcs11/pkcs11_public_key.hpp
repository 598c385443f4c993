// The public half of a token key as an OpenSSL EVP_PKEY, built from
// Cryptoki attributes (RSA modulus/exponent, EC parameters/point, or a DER
// SubjectPublicKeyInfo) or from a certificate.
#pragma once

#include "ostree-ima/key_backend.hpp"
#include "pkcs11_session.hpp"

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima::pkcs11 {

EvpPkeyPtr rsa_public_key(std::span<const std::uint8_t> modulus,
                          std::span<const std::uint8_t> exponent);

// `ec_params`: DER ECParameters (a named curve OID); `ec_point`: CKA_EC_POINT,
// which the standard wraps in a DER OCTET STRING and some modules do not.
EvpPkeyPtr ec_public_key(std::span<const std::uint8_t> ec_params,
                         std::span<const std::uint8_t> ec_point);

// From a key object (private or public) of type CKK_RSA or CKK_EC; nullptr
// when the object does not expose enough (for example an EC private key has
// no CKA_EC_POINT).
EvpPkeyPtr public_key_from_object(const Session &session, CK_OBJECT_HANDLE object,
                                  CK_KEY_TYPE key_type);

// The public key of a private key object: from its own attributes, else
// from the one public key object with the same CKA_ID, else from a
// certificate object with that CKA_ID (the PKCS#11 pairing convention).
// The key's own attributes come first: they cannot belong to another key.
// nullptr when none is readable; throws Error when two public key objects
// with that CKA_ID differ.
EvpPkeyPtr public_key_for_key(const Session &session, CK_OBJECT_HANDLE private_key,
                              CK_KEY_TYPE key_type, std::span<const std::uint8_t> id);

// nullptr when `der` is not a certificate.
EvpPkeyPtr public_key_from_certificate(std::span<const std::uint8_t> der);

} // namespace ostree_ima::pkcs11
