// Real key stores for tests: a SoftHSM2 token made by softhsm-fixtures/, and
// a software TPM (swtpm + tpm2-abrmd + tpm2-pkcs11 + a persistent key).
#pragma once

#include "fixtures.hpp"

#include <map>
#include <string>

namespace test_support {

// Reads `export K=V` lines of a fixture's env file.
std::map<std::string, std::string> read_env_file(const std::string &path);

struct SoftHsmToken {
    TempDir dir;
    std::map<std::string, std::string> env; // SOFTHSM2_CONF
    std::string pin_file;
    static constexpr const char *kModule = "/usr/lib/softhsm/libsofthsm2.so";
    SoftHsmToken();
    [[nodiscard]] std::string cert(const std::string &label) const
    {
        return dir / ("hsm/certs/" + label + ".der");
    }
    // pkcs11:token=ostree-ima-test;object=LABEL;type=private?module-path=...
    [[nodiscard]] static std::string uri(const std::string &label, bool with_module = true);
};

// Started in the constructor, stopped (every process) in the destructor.
struct SoftTpm {
    TempDir dir;
    std::map<std::string, std::string> env;
    std::string pin_file;
    std::string handle; // "handle:0x81000001"
    SoftTpm();
    SoftTpm(const SoftTpm &) = delete;
    SoftTpm &operator=(const SoftTpm &) = delete;
    ~SoftTpm();
    [[nodiscard]] std::string cert(const std::string &name) const
    {
        return dir / ("tpm/certs/" + name + ".der");
    }
};

} // namespace test_support
