// The text of an RFC 7512 "pkcs11:" URI as messages and logs may show it.
//
// Pure text, no Cryptoki and no p11-kit: the URI is split into attributes
// the way p11-kit splits it (blanks removed, ';' in the path, '?' then '&'
// in the query, names and values percent-decoded), and shown only from the
// attributes that RFC 7512 and p11-kit know, rebuilt from their decoded
// values. A pin-value is never shown, and an attribute that is not
// recognised (a misspelled or percent-encoded "pin-value" may carry a PIN)
// is cut, with everything after it: no spelling can bring a secret into a
// message. The key routes outside pkcs11/ (engine, provider, audit log)
// use it too.
#pragma once

#include "pkcs11_route.hpp"
#include "secrets/secret.hpp"

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace ostree_ima::pkcs11 {

// is_pkcs11_uri: pkcs11_route.hpp (the scheme in any case: RFC 3986
// schemes are case-insensitive, and RFC 7512 follows it).

// text with its scheme written "pkcs11:", which is how p11-kit wants it.
// A SecretString: the URI may hold a pin-value.
SecretString with_lowercase_scheme(std::string_view text);

struct UriDisplayLimits {
    std::size_t value_chars = 64;  // of one decoded value, then "..."
    std::size_t total_chars = 300; // of the whole display, then "..."
};
// For records that must name the key exactly (the audit log).
inline constexpr UriDisplayLimits kUnboundedUriDisplay{std::numeric_limits<std::size_t>::max(),
                                                       std::numeric_limits<std::size_t>::max()};

// "pkcs11:token=T;object=K;type=private?module-path=/m.so": the recognised
// attributes in their order, without pin-value; values re-encoded (only
// letters, digits, "-._~/:@!$()*+," verbatim). From the first attribute
// that is not recognised, not "name=value", or not decodable, the rest is
// replaced by " (rest not shown)".
std::string uri_display(std::string_view text, const UriDisplayLimits &limits = {});

// What in text p11-kit would ignore or store without understanding it
// ("unknown attribute 'objekt', unknown query attribute 'module_path'"), or
// "" when there is nothing. Names attributes, never their values (but for
// an unknown object type): a name or type is shown only when it is short,
// lower-case letters and '-', '_', '.', and no longer than "pin-source"
// when it mentions "pin".
std::string describe_unrecognized(std::string_view text);

} // namespace ostree_ima::pkcs11
