#include "shown_key_reference.hpp"

#include "ostree-ima/quoted_input.hpp"
#include "pkcs11_uri_text.hpp"

namespace ostree_ima {

std::string shown_key_reference(std::string_view key)
{
    // Room for a provider's file: or handle: URI; argv can hold 128 KiB.
    constexpr std::size_t kMaxKeyChars = 120;
    if (pkcs11::is_pkcs11_uri(key))
        return pkcs11::uri_display(key);
    return quoted_input(key, kMaxKeyChars);
}

} // namespace ostree_ima
