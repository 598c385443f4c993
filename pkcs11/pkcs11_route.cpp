#include "pkcs11_route.hpp"

#include "pkcs11_backend.hpp"
#include "pkcs11_certificate_finder.hpp"
#include "pkcs11_listing.hpp"
#include "pkcs11_listing_format.hpp"
#include "pkcs11_listing_match.hpp"
#include "pkcs11_module.hpp"
#include "pkcs11_pin.hpp"
#include "pkcs11_uri.hpp"
#include "pkcs11_uri_text.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

namespace ostree_ima::pkcs11 {

std::string show_uri(std::string_view uri, UriShown where)
{
    return where == UriShown::InRecord ? uri_display(uri, kUnboundedUriDisplay) : uri_display(uri);
}

std::unique_ptr<KeyBackend> open_backend(const KeyOptions &options)
{
    return open_pkcs11_backend(options);
}

TokenCertificate read_certificate(const std::string &uri_text, const PinSource &pins)
{
    const Pkcs11Uri uri(uri_text);
    const PinResolver resolver(uri, pins);
    const LoadedModules loaded = load_modules(uri);
    return find_certificate(uri, loaded, resolver);
}

std::string list_keys(const std::string &uri, bool login, const PinSource &pins, bool json)
{
    const auto listing = list_pkcs11(uri, login, pins);
    if (!uri.empty())
        require_listing_match(Pkcs11Uri(uri), listing);
    if (json)
        // A label that is not UTF-8 is shown with U+FFFD (the text listing: \xNN).
        return pkcs11_listing_to_json(listing).dump(2, ' ', false,
                                                    nlohmann::json::error_handler_t::replace) +
               "\n";
    std::ostringstream out;
    print_pkcs11_listing(out, listing);
    return out.str();
}

} // namespace ostree_ima::pkcs11
