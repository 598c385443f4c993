#include "keys/key_reference.hpp"

#include "pkcs11_route.hpp"
#include "util/quoted_input.hpp"

namespace ostree_ima {

std::string shown_key_reference(std::string_view key)
{
    // Room for a provider's file: or handle: URI; argv can hold 128 KiB.
    constexpr std::size_t kMaxKeyChars = 120;
    if (pkcs11::is_pkcs11_uri(key))
        return pkcs11::show_uri(key, pkcs11::UriShown::InMessage);
    return quoted_input(key, kMaxKeyChars);
}

std::string recorded_key_reference(std::string_view key)
{
    if (pkcs11::is_pkcs11_uri(key))
        return pkcs11::show_uri(key, pkcs11::UriShown::InRecord);
    return std::string(key);
}

} // namespace ostree_ima
