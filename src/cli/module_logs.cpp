#include "cli/module_logs.hpp"

#include <cstdlib>

namespace ostree_ima::cli {

void quiet_module_logs()
{
    if (std::getenv("OSTREE_IMA_DEBUG") != nullptr)
        return;
    constexpr int kKeepUsersValue = 0;
    // tpm2-tss (esys, tcti, fapi) prints WARNING/ERROR lines for every TPM
    // response code, a wrong PIN or a missing handle included; the failure
    // reaches us as a return code and we say it in one line.
    setenv("TSS2_LOG", "all+NONE", kKeepUsersValue);
    // tpm2-pkcs11's lowest level: no WARNING lines (e.g. "Getting tokens
    // from fapi backend failed" where FAPI is not set up). Its own ERROR
    // lines have no knob: they stay (docs/keys.md).
    setenv("TPM2_PKCS11_LOG_LEVEL", "0", kKeepUsersValue);
}

} // namespace ostree_ima::cli
