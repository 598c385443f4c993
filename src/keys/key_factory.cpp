#include "ostree-ima/key_factory.hpp"

#include "keys/engine_key.hpp"
#include "keys/key_file.hpp"
#include "keys/provider_key.hpp"
#include "ostree-ima/error.hpp"
#include "pkcs11_route.hpp"

namespace ostree_ima {

std::unique_ptr<KeyBackend> open_key_backend(const KeyOptions &options)
{
    if (options.key.empty())
        throw UsageError("--key is required: a key file, a pkcs11: URI, or an engine/provider key");
    if (!options.engine.empty() && !options.providers.empty())
        throw UsageError("--engine and --provider cannot be used together");
    // Sessions are a token's: with any other key the option would be ignored.
    const bool pkcs11_route =
        options.engine.empty() && options.providers.empty() && pkcs11::is_pkcs11_uri(options.key);
    if (options.sessions != 0 && !pkcs11_route)
        throw UsageError("--sessions applies to a pkcs11: URI key only (the signatures a token "
                         "has in flight); leave it out for a key file, --engine or --provider");
    if (!options.engine.empty())
        return open_engine_key(options);
    if (!options.providers.empty())
        return open_provider_key(options);
    if (pkcs11::is_pkcs11_uri(options.key)) // any case: "PKCS11:" is a URI too, not a file
        return pkcs11::open_backend(options);
    return open_key_file(options);
}

} // namespace ostree_ima
