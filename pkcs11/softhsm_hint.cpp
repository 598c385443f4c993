#include "softhsm_hint.hpp"

#include <cstdlib>

namespace ostree_ima::pkcs11 {

std::string softhsm_conf_hint(const std::vector<std::string> &module_paths)
{
    const char *conf = std::getenv("SOFTHSM2_CONF");
    if (conf != nullptr && *conf != '\0')
        return "";
    for (const auto &path : module_paths)
        if (path.find("softhsm") != std::string::npos)
            return "; SOFTHSM2_CONF is not set, so SoftHSM2 reads the tokens of "
                   "/etc/softhsm/softhsm2.conf: export SOFTHSM2_CONF=DIR/softhsm2.conf for "
                   "tokens made elsewhere (make-token.sh writes DIR/env)";
    return "";
}

} // namespace ostree_ima::pkcs11
