// find_private_key: the one private key a pkcs11: URI names, across the
// matching modules, slots and tokens, with its public key and certificate.
//
// Zero matches and several matches are errors that list what was found:
// a signer must never pick one of several keys silently.
#pragma once

#include "ima/algorithms/key_algorithm.hpp"
#include "ostree-ima/key_backend.hpp"
#include "pkcs11_login.hpp"
#include "pkcs11_module.hpp"
#include "pkcs11_objects.hpp"
#include "pkcs11_pin.hpp"
#include "pkcs11_uri.hpp"
#include "secrets/secret.hpp"

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ostree_ima::pkcs11 {

struct FoundKey {
    ModulePtr module;
    CK_SLOT_ID slot = 0;
    CK_TOKEN_INFO token{};
    std::string token_what; // "token 'label' (module /path)"
    // The logged-in session; keeps the login alive while the key is used.
    std::shared_ptr<TokenLogin> login;
    ObjectInfo key;
    const KeyAlgorithm *algorithm = nullptr; // of its CKA_KEY_TYPE; never null once found
    // CKA_ALWAYS_AUTHENTICATE: every C_SignInit needs a context-specific
    // login; `pin` then holds the user PIN (only in that case).
    bool always_authenticate = false;
    SecretString pin;
    std::string uri; // canonical URI of the key, without PIN
    EvpPkeyPtr public_key;
    std::vector<std::uint8_t> certificate_der; // empty when the token has none
};

// Logs in to matching tokens that require it (or that show no matching key
// without it). Throws Error: no match (listing what the matching tokens
// hold), several matches (listing their URIs), CKA_SIGN false, a key type
// other than RSA or EC, no readable public key, wrong PIN.
FoundKey find_private_key(const Pkcs11Uri &uri, const LoadedModules &loaded,
                          const PinResolver &pins);

} // namespace ostree_ima::pkcs11
