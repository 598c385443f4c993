// ostree-ima keys [URI]: what a signing room needs to pick a key.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "keys/key_listing.hpp"
#include "secrets/pin_source.hpp"

#include <iostream>

namespace ostree_ima::cli {

namespace {
struct KeysArguments {
    std::string uri;
    bool login = false;
    bool json = false;
    bool quiet = false;
    std::string pin_file;
};
} // namespace

Runner add_keys_command(CLI::App &app)
{
    auto args = std::make_shared<KeysArguments>();
    CLI::App *cmd = app.add_subcommand(
        "keys", "list PKCS#11 modules, tokens, private keys and certificates, with the --key URI "
                "and IMA key id of each");
    cmd->add_option("URI", args->uri,
                    "pkcs11: URI selecting modules/tokens (default: every registered module)");
    cmd->add_flag("--login", args->login,
                  "log in where a token requires it to show private keys (PIN from the URI, "
                  "--pin-file, OSTREE_IMA_PIN or a prompt)");
    cmd->add_option("--pin-file", args->pin_file, "file holding the token PIN (with --login)");
    cmd->add_flag("--json", args->json, "print JSON");
    cmd->add_flag("--quiet,-q", args->quiet,
                  "no listing: the exit code says whether URI matches a token, key or "
                  "certificate (--json still prints)");
    add_exit_codes_footer(*cmd, "URI matches no token, or (with object attributes) no key or "
                                "certificate");
    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        const PinSource pins(args->pin_file.empty() ? std::nullopt
                                                    : std::optional<std::string>(args->pin_file));
        const std::string listing = list_keys(args->uri, args->login, pins, args->json);
        if (args->json || !args->quiet)
            std::cout << listing << std::flush;
        return 0;
    };
}

} // namespace ostree_ima::cli
