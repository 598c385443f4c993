#include "ima/schemes/signature_scheme.hpp"

#include <array>

namespace ostree_ima {

SchemeDigest::~SchemeDigest() = default;
SignatureScheme::~SignatureScheme() = default;

std::span<const SignatureScheme *const> signature_schemes()
{
    // The registry: one line per scheme, the default first.
    static const std::array<const SignatureScheme *, 2> schemes = {&ima_v2_scheme(),
                                                                   &ima_verity_scheme()};
    return schemes;
}

const SignatureScheme *find_signature_scheme(std::string_view name)
{
    for (const SignatureScheme *scheme : signature_schemes())
        if (scheme->name() == name)
            return scheme;
    return nullptr;
}

std::string_view signature_scheme_name(const SignatureScheme &scheme)
{
    return scheme.name();
}

const SignatureScheme &scheme_claimed_by(std::span<const std::uint8_t> xattr)
{
    for (const SignatureScheme *scheme : signature_schemes())
        if (scheme->claims(xattr))
            return *scheme;
    return *signature_schemes().front();
}

bool well_formed_in_other_scheme(const SignatureScheme &scheme, std::span<const std::uint8_t> xattr)
{
    for (const SignatureScheme *other : signature_schemes())
        if (other != &scheme && other->decode(xattr).ok)
            return true;
    return false;
}

} // namespace ostree_ima
