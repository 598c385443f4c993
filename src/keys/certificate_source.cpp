#include "ostree-ima/certificate_source.hpp"

#include "pkcs11_route.hpp"
#include "secrets/pin_source.hpp"

#include <optional>

namespace ostree_ima {

bool is_certificate_uri(std::string_view source)
{
    return pkcs11::is_pkcs11_uri(source);
}

Certificate load_certificate(const std::string &source, const std::string &pin_file)
{
    if (!is_certificate_uri(source))
        return Certificate::load(source);
    const PinSource pins(pin_file);
    const pkcs11::TokenCertificate found = pkcs11::read_certificate(source, pins);
    return Certificate::from_bytes(found.der, found.uri);
}

} // namespace ostree_ima
