#include "cli/scheme_option.hpp"

namespace ostree_ima::cli {

const SignatureScheme &scheme_option(bool verity)
{
    return verity ? ima_verity_scheme() : ima_v2_scheme();
}

const SignatureScheme &scheme_option(bool verity, const HashAlgo &algo)
{
    const SignatureScheme &scheme = scheme_option(verity);
    scheme.require(algo);
    return scheme;
}

std::string other_scheme_names(const SignatureScheme &scheme)
{
    std::string out;
    for (const SignatureScheme *other : signature_schemes()) {
        if (other == &scheme)
            continue;
        if (!out.empty())
            out += " or ";
        out += other->name();
    }
    return out;
}

} // namespace ostree_ima::cli
