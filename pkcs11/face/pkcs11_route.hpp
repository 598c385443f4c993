// The one face of pkcs11/: what the key routes (src/keys/) use. Everything
// else in pkcs11/ is private to it, so that nothing outside knows Cryptoki;
// the build enforces it (docs/design.md: only this folder is on the include
// path of ostree_ima_pkcs11's users, and the link checks of every library).
#pragma once

#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/key_options.hpp"
#include "secrets/pin_source.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima::pkcs11 {

// Whether text starts with the "pkcs11:" scheme, in any case (RFC 7512).
bool is_pkcs11_uri(std::string_view text);

// A pkcs11: URI as messages show it (bounded) or as a record names the key
// (the audit log: whole): only the attributes p11-kit knows, re-encoded,
// never a pin-value, whatever the spelling.
enum class UriShown { InMessage, InRecord };
std::string show_uri(std::string_view uri, UriShown where);

// The key a pkcs11: URI names, on its token, logged in (docs/keys.md).
std::unique_ptr<KeyBackend> open_backend(const KeyOptions &options);

// A certificate object read from a token.
struct TokenCertificate {
    std::vector<std::uint8_t> der; // its CKA_VALUE
    std::string uri;               // the object's canonical URI, without PIN
};

// The one certificate a pkcs11: URI names (--cert, `keys --export-cert`);
// read without login unless the token hides it and a PIN was given (URI,
// `pins`' file or OSTREE_IMA_PIN; never a prompt). Throws Error naming the
// URI when none or several differing ones match.
TokenCertificate read_certificate(const std::string &uri, const PinSource &pins);

// The `keys` listing of what `uri` selects ("" for every registered
// module), as text or JSON.
std::string list_keys(const std::string &uri, bool login, const PinSource &pins, bool json);

} // namespace ostree_ima::pkcs11
