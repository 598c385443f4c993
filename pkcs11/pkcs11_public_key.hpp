// The public half of a token key as an OpenSSL EVP_PKEY, built from
// Cryptoki attributes (those the key algorithm names: ima/algorithms/, or a
// DER SubjectPublicKeyInfo) or from a certificate.
#pragma once

#include "ima/algorithms/key_algorithm.hpp"
#include "ostree-ima/key_backend.hpp"
#include "pkcs11_session.hpp"

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima::pkcs11 {

// From a key object (private or public) of `algorithm` (the attributes it
// names), else from its CKA_PUBLIC_KEY_INFO; nullptr when the object does not
// expose enough (for example an EC private key has no CKA_EC_POINT).
// `algorithm` nullptr: a key type the tool has no algorithm for.
EvpPkeyPtr public_key_from_object(const Session &session, CK_OBJECT_HANDLE object,
                                  const KeyAlgorithm *algorithm);

// The public key of a private key object: from its own attributes, else
// from the one public key object with the same CKA_ID, else from a
// certificate object with that CKA_ID (the PKCS#11 pairing convention).
// The key's own attributes come first: they cannot belong to another key.
// nullptr when none is readable; throws Error when two public key objects
// with that CKA_ID differ.
EvpPkeyPtr public_key_for_key(const Session &session, CK_OBJECT_HANDLE private_key,
                              const KeyAlgorithm *algorithm, std::span<const std::uint8_t> id);

// nullptr when `der` is not a certificate.
EvpPkeyPtr public_key_from_certificate(std::span<const std::uint8_t> der);

} // namespace ostree_ima::pkcs11
