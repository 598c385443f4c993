#include "keys/key_listing.hpp"

#include "pkcs11_route.hpp"

namespace ostree_ima {

std::string list_keys(const std::string &uri, bool login, const PinSource &pins, bool json)
{
    return pkcs11::list_keys(uri, login, pins, json);
}

} // namespace ostree_ima
