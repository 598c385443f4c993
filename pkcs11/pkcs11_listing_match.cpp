#include "pkcs11_listing_match.hpp"

#include "ostree-ima/error.hpp"
#include "softhsm_hint.hpp"

#include <string>

namespace ostree_ima {

void require_listing_match(const pkcs11::Pkcs11Uri &uri,
                           const std::vector<Pkcs11ModuleListing> &listing)
{
    if (uri.display() == "pkcs11:")
        return;
    std::size_t tokens = 0;
    std::size_t objects = 0;
    bool hidden = false;
    std::string module_error;
    std::vector<std::string> paths;
    for (const auto &module : listing) {
        paths.push_back(module.path);
        if (!module.error.empty() && module_error.empty())
            module_error =
                "module " + (module.name.empty() ? module.path : module.name) + ": " + module.error;
        for (const auto &slot : module.slots) {
            if (!slot.token_present)
                continue;
            ++tokens;
            objects += slot.objects.size();
            hidden = hidden || slot.private_objects_hidden;
        }
    }
    if (tokens == 0)
        throw NotFound("no PKCS#11 token matches " + uri.display() +
                       (module_error.empty() ? "" : " (" + module_error + ")") +
                       "; 'ostree-ima keys' lists every registered module and token" +
                       pkcs11::softhsm_conf_hint(paths));
    const bool names_object = uri.object_class() || uri.object_label() || uri.object_id();
    if (names_object && objects == 0)
        throw NotFound("no key or certificate matches " + uri.display() + " on " +
                       std::to_string(tokens) + (tokens == 1 ? " token" : " tokens") +
                       (hidden ? "; private keys are hidden until you log in: add --login"
                               : "; leave out object, id and type to list every object"));
}

} // namespace ostree_ima
