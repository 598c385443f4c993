#include "prerequisites.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace test_support {

namespace {
bool on_path(const std::string &tool)
{
    const char *path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::string dir = dirs.substr(start, end - start);
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + tool;
        if (::access(candidate.c_str(), X_OK) == 0)
            return true;
        start = end + 1;
    }
    return false;
}
} // namespace

Needs softhsm_needs()
{
    // make-token.sh's tools, SoftHSM2's module and libp11's engine.
    return {{"softhsm2-util", "pkcs11-tool", "p11tool", "openssl"},
            {"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so"}};
}

Needs tpm_needs()
{
    // tpm-fixture.sh's tools and tpm2-pkcs11's module.
    return {{"swtpm", "dbus-daemon", "tpm2-abrmd", "tpm2_ptool", "tpm2_getrandom", "openssl",
             "python3"},
            {"/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so"}};
}

void require_or_skip(const Needs &needs)
{
    std::string missing;
    for (const auto &tool : needs.tools)
        if (!on_path(tool))
            missing += (missing.empty() ? "" : ", ") + tool;
    for (const auto &file : needs.files) {
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0)
            missing += (missing.empty() ? "" : ", ") + file;
    }
    if (missing.empty())
        return;
    const char *require_all = std::getenv("OSTREE_IMA_REQUIRE_ALL");
    const bool must = require_all != nullptr && std::string(require_all) == "1";
    std::cout.flush();
    std::cerr << (must ? "FAILED" : "SKIPPED") << ": this suite needs " << missing
              << (must ? " (OSTREE_IMA_REQUIRE_ALL=1: everything must be installed; "
                         "scripts/install-deps.sh installs it)"
                       : " (not installed: nothing of this suite was checked; "
                         "scripts/install-deps.sh installs it)")
              << std::endl;
    std::fflush(nullptr);
    // At once: no test of the suite runs, and Boost.Test must not report
    // success for the tests it did not run.
    std::_Exit(must ? 1 : kSkipExitCode);
}

} // namespace test_support
