#include "cli/key_arguments.hpp"

#include "ostree-ima/key_factory.hpp"

#include <iostream>

namespace ostree_ima::cli {

void KeyArguments::add_options(CLI::App &cmd)
{
    cmd.add_option("--cert", cert,
                   "signer's X.509 certificate (PEM or DER file, or pkcs11: URI of a certificate "
                   "on a token); its subjectKeyIdentifier gives the key id");
    cmd.add_option("--keyid", keyid, "key id to write, 8 hex digits (overrides --cert)");
    cmd.add_option(
        "--pin-file", key.pin_file,
        "file holding the key passphrase or token PIN (else OSTREE_IMA_PIN or a prompt)");
    cmd.add_option("--engine", key.engine, "load --key through this OpenSSL engine (e.g. pkcs11)");
    cmd.add_option("--provider", key.providers,
                   "load --key through OpenSSL providers' stores (repeatable, e.g. tpm2)");
    cmd.add_option("--sessions", key.sessions,
                   "PKCS#11 signatures in flight at once (default: as many as the token allows "
                   "when it says, else --jobs; at most 64)")
        ->check(CLI::Range(1U, 64U));
}

KeyArguments::Opened KeyArguments::open(unsigned jobs, bool quiet) const
{
    KeyOptions options = key;
    options.jobs = jobs;
    Opened opened;
    opened.backend = open_key_backend(options);
    opened.key_id = choose_key_id(keyid.empty() ? std::nullopt : std::optional<std::string>(keyid),
                                  cert.empty() ? std::nullopt : std::optional<std::string>(cert),
                                  *opened.backend, key.pin_file);
    if (!opened.key_id.note.empty() && !quiet)
        std::cerr << "ostree-ima: note: " << opened.key_id.note << "\n";
    return opened;
}

} // namespace ostree_ima::cli
