// How a --key is named outside the key itself: in messages (engine and
// provider routes, errors) and in records (the signing room's audit log).
// Such keys are often pkcs11: URIs, which may carry a PIN in any spelling:
// one rule for both, the PKCS#11 layer's URI display.
#pragma once

#include <string>
#include <string_view>

namespace ostree_ima {

// A pkcs11: URI (any case) from its recognised attributes, never a
// pin-value, bounded; anything else quoted and bounded (quoted_input).
std::string shown_key_reference(std::string_view key);

// For records that must name the key exactly (the audit log): a pkcs11:
// URI from its recognised attributes without pin-value, whole; anything
// else as it is.
std::string recorded_key_reference(std::string_view key);

} // namespace ostree_ima
