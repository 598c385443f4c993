#include "cli/version_text.hpp"

#include "ostree-ima/hash_algo.hpp"

#include <openssl/crypto.h>
#include <ostree-version.h>

namespace ostree_ima::cli {

std::string version_text()
{
    std::string out = "ostree-ima:\n Version: '" OSTREE_IMA_VERSION "'\n";
    out += " libostree: '" OSTREE_VERSION_S "'\n";
    out += " OpenSSL: '" + std::string(OpenSSL_version(OPENSSL_VERSION)) + "'\n";
    out += " Hash algorithms:\n";
    for (const auto &algo : available_hash_algos())
        out += "  - " + std::string(algo.name) + "\n";
    // CLI11 adds the final newline.
    out.pop_back();
    return out;
}

} // namespace ostree_ima::cli
