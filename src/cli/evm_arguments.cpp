#include "cli/evm_arguments.hpp"

#include "ostree-ima/certificate_source.hpp"
#include "ostree-ima/error.hpp"
#include "util/input_file.hpp"

namespace ostree_ima::cli {

void EvmArguments::add_options(CLI::App &cmd)
{
    CLI::Option *evm = cmd.add_flag(
        "--evm", on,
        "also write a portable EVM signature (security.evm, type 5) over each signed file's "
        "security xattrs, owner and mode (/usr/share/doc/ostree-ima/docs/evm.md)");
    cmd.add_option("--evm-key", key,
                   "sign security.evm with this key (file, pkcs11: URI, engine/provider key); "
                   "required with --evm, and not the --key key (one key per format)")
        ->needs(evm);
    cmd.add_option("--evm-cert", cert,
                   "certificate of the EVM key (file or pkcs11: URI): its subjectKeyIdentifier "
                   "gives the EVM key id")
        ->needs(evm);
    cmd.add_flag("--evm-ignore-selinux", ignore_selinux,
                 "sign with --evm although the commit ships an enabled SELinux policy and its "
                 "files have no security.selinux (deployment would label them and invalidate "
                 "every EVM signature)")
        ->needs(evm);
}

void EvmArguments::check() const
{
    // One key per format: sign_commit also refuses the IMA key itself.
    if (on && key.empty())
        throw UsageError("--evm needs --evm-key, a key of its own: with the IMA key, the v2 "
                         "signature of a file whose content is another file's EVM message is a "
                         "valid security.evm for it (one key per format: "
                         "/usr/share/doc/ostree-ima/docs/format.md)");
}

void EvmArguments::open(const KeyArguments &signing, unsigned jobs, bool quiet,
                        KeyArguments::Opened &opened, SignRequest &request) const
{
    if (!on)
        return;
    request.evm_ignore_selinux = ignore_selinux;
    // Checked here too, so that a directory or device is refused naming
    // --evm-cert (the certificate loader's messages say --cert).
    if (!cert.empty() && !is_certificate_uri(cert))
        (void)open_input_file(cert, {"EVM certificate", "--evm-cert"});
    check();
    KeyArguments evm_key = signing;
    evm_key.key.key = key;
    evm_key.cert = cert;
    evm_key.keyid.clear();
    if (!is_certificate_uri(key))
        evm_key.key.sessions = 0; // --sessions is the signing token's, not a key file's
    opened = evm_key.open(jobs, quiet);
    request.evm_key = opened.backend.get();
    request.evm_key_id = opened.key_id.id;
}

} // namespace ostree_ima::cli
