// DSSE envelopes as Keylime signs and checks runtime policies
// (keylime/dsse/: `keylime-policy sign runtime`, and the verifier's
// signing.verify_dsse_envelope): the signature is ECDSA with SHA-256 over
// the PAE, DER-encoded, base64 in the envelope. The key signs a digest
// through any KeyBackend (file, PKCS#11 token, TPM, provider, engine).
#pragma once

#include "ostree-ima/certificate.hpp"
#include "ostree-ima/key_backend.hpp"

#include <string>
#include <string_view>

namespace ostree_ima {

// keylime/policy/sign_runtime_policy.py KEYLIME_PAYLOAD_TYPE.
inline constexpr std::string_view kKeylimePayloadType = "application/vnd.keylime+json";

// DSSEv1 pre-authentication encoding: "DSSEv1 <len> <type> <len> <payload>".
std::string dsse_pae(std::string_view payload_type, std::string_view payload);

// The key id Keylime's x509 backend writes: base64 of the certificate's PEM
// (its verifier can check the envelope with no key given, from this id).
std::string dsse_x509_keyid(const Certificate &cert);
// The key id Keylime's ecdsa backend writes: hex SHA-256 of the public
// key's PEM (SubjectPublicKeyInfo).
std::string dsse_ecdsa_keyid(const EVP_PKEY *public_key);

// Throws UsageError when Keylime could not verify what `key` signs: its
// verifiers take EC keys only.
void check_dsse_key(const KeyBackend &key);

// The envelope text as json.dumps writes it: payload, payloadType,
// signatures [{keyid, sig}]. The signature is checked against the key's
// public half before it is returned.
std::string dsse_sign(std::string_view payload_type, const std::string &payload, KeyBackend &key,
                      const std::string &keyid);

} // namespace ostree_ima
