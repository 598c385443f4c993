// ostree-ima keys [URI]: what a signing room needs to pick a key, and
// (--export-cert) the certificate it hands to the build host and the kernel.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "keys/key_listing.hpp"
#include "ostree-ima/certificate_source.hpp"
#include "ostree-ima/error.hpp"
#include "secrets/pin_source.hpp"
#include "util/output_file.hpp"

#include <iostream>

namespace ostree_ima::cli {

namespace {
struct KeysArguments {
    std::string uri;
    bool login = false;
    bool json = false;
    bool quiet = false;
    std::string pin_file;
    std::string export_cert;
    std::string output;
    std::string format;
    bool force = false;
};

// --format, else FILE's extension: ".pem" is PEM, anything else DER (what
// keyctl and the kernel's keyring take).
bool wants_pem(const KeysArguments &args)
{
    if (!args.format.empty())
        return args.format == "pem";
    return args.output.size() >= 4 && args.output.compare(args.output.size() - 4, 4, ".pem") == 0;
}

int export_certificate(const KeysArguments &args)
{
    if (!is_certificate_uri(args.export_cert))
        throw UsageError("--export-cert takes the pkcs11: URI of a certificate on a token (see "
                         "'ostree-ima keys'); a certificate file needs no export");
    if (args.output.empty())
        throw UsageError("--export-cert needs -o FILE (DER, or PEM for a .pem name or --format)");
    if (!args.uri.empty() || args.login || args.json)
        throw UsageError("--export-cert does not list: leave out URI, --login and --json");
    const OutputRules rules{.replace = args.force, .force = args.force};
    const FileRole role{"certificate", "-o"};
    check_output_file(args.output, rules, role); // before a PIN is asked for
    const Certificate cert = load_certificate(args.export_cert, args.pin_file);
    const bool pem = wants_pem(args);
    std::string bytes;
    if (pem) {
        bytes = cert.pem();
    } else {
        const auto der = cert.der();
        bytes.assign(der.begin(), der.end());
    }
    write_output_file(args.output, bytes, rules, role);
    if (!args.quiet)
        std::cerr << "ostree-ima: wrote certificate " << cert.subject() << " (IMA key id "
                  << key_id_hex(cert.ima_key_id()) << ") from " << cert.origin() << " to "
                  << args.output << " (" << (pem ? "PEM" : "DER") << ")\n";
    return 0;
}
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
    cmd->add_option("--pin-file", args->pin_file,
                    "file holding the token PIN (with --login, or --export-cert from a token that "
                    "shows certificates only after login)");
    cmd->add_option("--export-cert", args->export_cert,
                    "write the certificate this pkcs11: URI names (type=cert) to -o FILE, for "
                    "the build host (--cert) and the kernel's keyring");
    cmd->add_option("--output,-o", args->output,
                    "with --export-cert: the file to write ('-': stdout); an existing file is "
                    "refused without --force");
    cmd->add_option("--format", args->format,
                    "with --export-cert: der or pem (default: pem for a FILE ending in .pem, "
                    "else der)")
        ->check(CLI::IsMember({"der", "pem"}));
    cmd->add_flag("--force", args->force, "with --export-cert: replace an existing FILE");
    cmd->add_flag("--json", args->json, "print JSON");
    cmd->add_flag("--quiet,-q", args->quiet,
                  "no listing: the exit code says whether URI matches a token, key or "
                  "certificate (--json still prints)");
    add_exit_codes_footer(*cmd, "URI matches no token, or (with object attributes) no key or "
                                "certificate");
    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        if (!args->export_cert.empty())
            return export_certificate(*args);
        if (!args->output.empty() || !args->format.empty() || args->force)
            throw UsageError("-o, --format and --force go with --export-cert");
        const PinSource pins(args->pin_file);
        std::string listing;
        try {
            listing = list_keys(args->uri, args->login, pins, args->json);
        } catch (const NotFound &) {
            // `keys -q URI` asks "is it there?": the exit code is the answer.
            if (args->quiet && !args->json)
                return 1;
            throw;
        }
        if (args->json || !args->quiet)
            std::cout << listing << std::flush;
        return 0;
    };
}

} // namespace ostree_ima::cli
