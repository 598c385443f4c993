// How a message names the --key of an engine or provider route: such keys
// are often pkcs11: URIs, which may carry a PIN in any spelling.
#pragma once

#include <string>
#include <string_view>

namespace ostree_ima {

// A pkcs11: URI (any case) by its display (pkcs11/pkcs11_uri_text.hpp:
// recognised attributes only, never a pin-value); anything else quoted and
// bounded (quoted_input).
std::string shown_key_reference(std::string_view key);

} // namespace ostree_ima
