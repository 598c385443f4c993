// SoftHSM2 finds its tokens through SOFTHSM2_CONF; when it is unset the
// module silently reads /etc/softhsm/softhsm2.conf and shows none of the
// tokens a user made elsewhere. "No token matches" then needs this hint.
#pragma once

#include <string>
#include <vector>

namespace ostree_ima::pkcs11 {

// "; SOFTHSM2_CONF is not set: ..." when one of `module_paths` is SoftHSM2
// and SOFTHSM2_CONF is unset or empty; else "".
std::string softhsm_conf_hint(const std::vector<std::string> &module_paths);

} // namespace ostree_ima::pkcs11
