#include "pkcs11_pin.hpp"

#include "util/diagnostics.hpp"

#include <atomic>
#include <iostream>

namespace ostree_ima::pkcs11 {

PinResolver::PinResolver(const Pkcs11Uri &uri, const PinSource &fallback)
    : uri_(uri), fallback_(fallback)
{
}

SecretString PinResolver::obtain(const std::string &what) const
{
    if (uri_.has_pin_value()) {
        static std::atomic<bool> warned{false};
        if (!warned.exchange(true)) {
            warn("the PIN is in the PKCS#11 URI (pin-value); command lines are visible to other "
                 "users of this machine, use pin-source=file:PATH, --pin-file or OSTREE_IMA_PIN "
                 "instead");
        }
        return uri_.pin_value();
    }
    if (const auto source = uri_.pin_source()) {
        return read_pin_source(*source);
    }
    return fallback_.obtain(what);
}

std::string PinResolver::origin() const
{
    if (uri_.has_pin_value()) {
        return "the URI's pin-value";
    }
    if (const auto source = uri_.pin_source()) {
        return "the URI's pin-source " + *source;
    }
    return fallback_.describe_origin();
}

bool PinResolver::given() const
{
    const auto origin = fallback_.origin();
    return uri_.has_pin_value() || uri_.pin_source() || origin == PinSource::Origin::File ||
           origin == PinSource::Origin::Environment;
}

} // namespace ostree_ima::pkcs11
