// find_certificate: the one certificate object a pkcs11: URI names (for
// --cert and `keys --export-cert`), across the matching modules, slots and
// tokens.
//
// Certificates are public objects on most tokens: they are read without
// logging in. Only when a token that requires login shows none, and a PIN
// was given (never a prompt: a typo in a label must not ask for a PIN),
// we log in and look again, for certificates stored as private objects.
#pragma once

#include "pkcs11_module.hpp"
#include "pkcs11_pin.hpp"
#include "pkcs11_route.hpp"
#include "pkcs11_uri.hpp"

namespace ostree_ima::pkcs11 {

// Throws Error (one line naming the URI and what to do): the URI names
// another type than a certificate, no module, token or certificate matches,
// or several certificates that differ do (the same certificate reached
// twice, through two modules, is one answer).
TokenCertificate find_certificate(const Pkcs11Uri &uri, const LoadedModules &loaded,
                                  const PinResolver &pins);

} // namespace ostree_ima::pkcs11
