// ostree-ima policy: what the kernel needs to appraise what `sign` wrote:
// the certificates as DER (what `keyctl padd asymmetric` loads), the script
// that loads them into the _ima (and _evm) keyrings, and the IMA policy
// rules for the chosen selector (ima/appraisal_policy.hpp says why one must
// be chosen).
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "ima/appraisal_policy.hpp"
#include "ostree-ima/certificate_source.hpp"
#include "ostree-ima/error.hpp"
#include "util/output_file.hpp"

#include <iostream>
#include <openssl/evp.h>
#include <set>

namespace ostree_ima::cli {

namespace {
struct PolicyArguments {
    std::vector<std::string> certs;
    std::string pin_file;
    bool verity = false;
    bool evm = false;
    std::vector<std::string> fsuuids;
    std::vector<std::string> obj_types;
    std::string hooks = "exec";
    std::string output_dir;
    bool force = false;
    bool quiet = false;
};

constexpr const char *kScriptName = "load-keys.sh";
constexpr const char *kPolicyName = "ima-policy";

struct NamedCertificate {
    Certificate cert;
    std::string file; // "ima-<key id>.der"
};

// The kernel finds a key by the last 4 bytes of the certificate's SKID: a
// certificate without one is loaded but never matches a signature.
std::vector<NamedCertificate> load_certificates(const PolicyArguments &args)
{
    std::vector<NamedCertificate> out;
    std::set<std::string> ids;
    for (const auto &source : args.certs) {
        Certificate cert = load_certificate(source, args.pin_file);
        if (!cert.subject_key_identifier())
            throw Error("certificate " + cert.origin() +
                        " has no subjectKeyIdentifier: the kernel finds the key of a "
                        "signature by it; reissue it with subjectKeyIdentifier=hash");
        const std::string id = key_id_hex(cert.ima_key_id());
        if (!ids.insert(id).second)
            throw UsageError("two certificates with IMA key id " + id + " (" + cert.origin() +
                             "): the kernel would use either for a signature; give each once");
        out.push_back({std::move(cert), "ima-" + id + ".der"});
    }
    return out;
}

std::string der_bytes(const Certificate &cert)
{
    const auto der = cert.der();
    return {der.begin(), der.end()};
}

// One line per certificate, for the recipe and the summary.
std::string describe(const NamedCertificate &c)
{
    std::string line =
        c.file + ": key id " + key_id_hex(c.cert.ima_key_id()) + ", " + c.cert.subject();
    if (EVP_PKEY_get_base_id(c.cert.public_key()) == EVP_PKEY_EC)
        line += " (EC: the kernel needs CONFIG_CRYPTO_ECDSA, e.g. Linux 6.12; Debian 12's 6.1 "
                "denies EC-signed files)";
    return line;
}

int write_directory(const PolicyArguments &args, const std::vector<NamedCertificate> &certs,
                    const std::string &script, const std::string &rules)
{
    std::vector<std::pair<std::string, std::string>> files;
    files.reserve(certs.size() + 2);
    for (const auto &c : certs)
        files.emplace_back(c.file, der_bytes(c.cert));
    files.emplace_back(kScriptName, script);
    files.emplace_back(kPolicyName, rules);
    const FileRole role{"policy file", "-o"};
    const OutputRules replace{.replace = args.force, .force = args.force};
    const Fd dir = open_output_directory(args.output_dir, role);
    // All refused before any is written: no half-replaced set of files.
    for (const auto &[name, bytes] : files)
        check_output_file_at(dir, args.output_dir, name, replace, role);
    for (const auto &[name, bytes] : files)
        write_output_file_at(dir, args.output_dir, name, bytes, replace, role);
    if (!args.quiet) {
        std::cerr << "ostree-ima: wrote " << files.size() << " files to " << args.output_dir
                  << "; run 'sh " << args.output_dir << "/" << kScriptName
                  << "' as root at boot, before anything appraised is opened\n";
        for (const auto &c : certs)
            std::cerr << "ostree-ima: " << describe(c) << "\n";
    }
    return 0;
}

// Without -o: the same as one text, for reading or pasting.
void print_recipe(const std::vector<NamedCertificate> &certs, const std::string &script,
                  const std::string &rules)
{
    std::cout << "# Certificates, as DER files beside the script (-o DIR writes them;\n"
                 "# `openssl x509 -outform DER` converts a PEM one):\n";
    for (const auto &c : certs)
        std::cout << "#   " << describe(c) << "\n";
    std::cout << "#\n# " << kScriptName << ":\n"
              << script << "#\n# " << kPolicyName << ":\n"
              << rules;
}
} // namespace

Runner add_policy_command(CLI::App &app)
{
    auto args = std::make_shared<PolicyArguments>();
    CLI::App *cmd = app.add_subcommand(
        "policy", "write the certificates (DER), the keyctl script and the IMA policy rules "
                  "that make a kernel appraise what sign wrote");
    cmd->add_option("--cert", args->certs,
                    "certificate of a signing key (PEM or DER file, or pkcs11: URI; repeatable)")
        ->required()
        ->allow_extra_args(false);
    cmd->add_option("--pin-file", args->pin_file,
                    "file holding the token PIN, for a --cert pkcs11: URI on a token that shows "
                    "its certificates only after login");
    cmd->add_flag("--verity", args->verity,
                  "the files carry fs-verity signatures (sign --verity): digest_type=verity "
                  "appraise_type=sigv3; default v2 signatures, appraise_type=imasig");
    cmd->add_flag("--evm", args->evm,
                  "the files carry EVM portable signatures too: the certificates go into the "
                  "_evm keyring as well and EVM X.509 verification is switched on");
    cmd->add_option("--fsuuid", args->fsuuids,
                    "appraise files on the filesystem with this UUID (repeatable); it must hold "
                    "only signed files: a separate /usr or composefs, not an OSTree sysroot "
                    "whose /etc admins edit")
        ->allow_extra_args(false);
    cmd->add_option("--obj-type", args->obj_types,
                    "appraise files with this SELinux type, e.g. usr_t, bin_t (repeatable; with "
                    "--fsuuid, both must match)")
        ->allow_extra_args(false);
    cmd->add_option("--hooks", args->hooks,
                    "exec: files executed or mapped executable (default); read: also every "
                    "open for reading")
        ->check(CLI::IsMember({"exec", "read"}));
    cmd->add_option("--output,-o", args->output_dir,
                    "write DIR/ima-KEYID.der, DIR/load-keys.sh and DIR/ima-policy (default: "
                    "print the recipe on stdout)");
    cmd->add_flag("--force", args->force, "with -o: replace existing files");
    cmd->add_flag("--quiet,-q", args->quiet, "no summary on stderr");
    add_exit_codes_footer(*cmd);

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        if (args->force && args->output_dir.empty())
            throw UsageError("--force goes with -o DIR");
        AppraisalPolicy policy;
        policy.format = args->verity ? SignatureFormat::Verity : SignatureFormat::Digest;
        policy.evm = args->evm;
        policy.fsuuids = args->fsuuids;
        policy.obj_types = args->obj_types;
        policy.hooks = args->hooks == "read" ? AppraisalHooks::Read : AppraisalHooks::Exec;
        check_appraisal_policy(policy); // a usage error before a token is asked
        const std::vector<NamedCertificate> certs = load_certificates(*args);
        std::vector<std::string> names;
        names.reserve(certs.size());
        for (const auto &c : certs)
            names.push_back(c.file);
        const std::string script = load_keys_script(policy, names, kPolicyName);
        const std::string rules = appraisal_policy_rules(policy);
        if (!args->output_dir.empty())
            return write_directory(*args, certs, script, rules);
        print_recipe(certs, script, rules);
        return 0;
    };
}

} // namespace ostree_ima::cli
