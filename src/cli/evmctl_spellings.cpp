#include "cli/evmctl_spellings.hpp"

#include <string_view>

namespace ostree_ima::cli {

namespace {
bool is_option(std::string_view word, std::string_view name)
{
    return word == name || (word.starts_with(name) && word[name.size()] == '=');
}
} // namespace

std::optional<std::string> evmctl_spelling(int argc, const char *const *argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view word = argv[i];
        if (word == "--")
            break;
        // evmctl takes -pPASS, -p PASS and --pass=PASS: a secret on argv,
        // readable by every user in /proc. No option of ours starts with -p.
        if (is_option(word, "--pass") || (word.starts_with("-p") && !word.starts_with("--")))
            return "-p/--pass (evmctl's passphrase option) is not taken: a passphrase on the "
                   "command line is readable by every user; give a file with --pin-file=FILE, "
                   "or set OSTREE_IMA_PIN, or type it at the prompt";
        if (is_option(word, "--keyid-from-cert"))
            return "--keyid-from-cert (an evmctl option) is not taken: --cert=FILE does it "
                   "(the key id is the last 4 bytes of the certificate's subjectKeyIdentifier, "
                   "and the certificate must hold the signing key)";
    }
    return std::nullopt;
}

} // namespace ostree_ima::cli
