// ostree-ima keylime-policy: a Keylime runtime policy (format version 1) from
// a commit, without a checkout, optionally in a DSSE envelope signed through
// any key route. What goes into it, and why: docs/keylime.md.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/jobs_option.hpp"
#include "cli/repo_option.hpp"
#include "cli/selector_arguments.hpp"
#include "cli/terminal_progress.hpp"

#include "formats/dsse_envelope.hpp"
#include "formats/keylime_policy.hpp"
#include "jobs/commit_file_digests.hpp"
#include "ostree-ima/certificate.hpp"
#include "ostree-ima/certificate_source.hpp"
#include "ostree-ima/digest_manifest.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/key_factory.hpp"
#include "util/output_file.hpp"
#include "util/text_encoding.hpp"

#include <iostream>
#include <map>
#include <optional>
#include <set>

namespace ostree_ima::cli {

namespace {
struct KeylimePolicyArguments {
    RepoOption repo;
    std::string source;
    std::string hash = "sha256";
    std::vector<std::string> certs;
    bool trust_signatures = false;
    std::vector<std::string> exclude_regex;
    bool no_default_excludes = false;
    std::uint64_t release = 0;
    std::string output = "-";
    KeyOptions sign_key;
    std::string sign_cert;
    bool quiet = false;
    unsigned jobs = default_jobs();
    SelectorArguments select;
};

// What a deployment changes, and so no commit can list: the merged /etc, the
// stateroot's /var (and the /home, /root, /opt, /srv, /mnt, /usr/local that
// point into it), and the tmpfs mounts. docs/keylime.md says what this costs.
const std::vector<std::string> &default_excludes()
{
    static const std::vector<std::string> excludes = {"^/etc/", "^/var/", "^/tmp/", "^/run/"};
    return excludes;
}

// A policy is made again for every commit: an existing one is replaced
// (atomically); a FIFO or device is refused.
constexpr OutputRules kPolicyOutput{.replace = true, .force = false, .has_force = false};
FileRole policy_role()
{
    return {"policy", "-o"};
}

// The certificates Keylime is to trust: the kernel and Keylime find a key by
// the last 4 bytes of its subjectKeyIdentifier.
std::vector<Certificate> load_trusted(const std::vector<std::string> &sources,
                                      const std::string &pin_file)
{
    std::vector<Certificate> out;
    std::set<KeyId> ids;
    for (const auto &source : sources) {
        Certificate cert = load_certificate(source, pin_file);
        if (!cert.subject_key_identifier())
            throw Error("certificate " + cert.origin() +
                        " has no subjectKeyIdentifier: the kernel finds the key of a "
                        "signature by it; reissue it with subjectKeyIdentifier=hash");
        if (!ids.insert(cert.ima_key_id()).second)
            throw UsageError("two certificates with key id " + key_id_hex(cert.ima_key_id()) +
                             " (" + cert.origin() + "); give each once");
        out.push_back(std::move(cert));
    }
    return out;
}

void check_arguments(const KeylimePolicyArguments &args)
{
    if (args.trust_signatures && args.certs.empty())
        throw UsageError("--trust-signatures needs --cert: the certificates whose signatures "
                         "Keylime is to accept");
    if (!args.trust_signatures && !args.certs.empty())
        throw UsageError("--cert goes with --trust-signatures: without it the policy binds "
                         "each path to its digests and names no key");
    if (!args.sign_cert.empty() && args.sign_key.key.empty())
        throw UsageError("--sign-cert goes with --sign-key");
    if (args.sign_key.key.empty() &&
        (!args.sign_key.engine.empty() || !args.sign_key.providers.empty()))
        throw UsageError("--engine and --provider go with --sign-key");
}

struct PolicyContents {
    KeylimePolicy policy;
    std::uint64_t files = 0;
    std::map<std::string, std::uint64_t> other_measured_algo; // name -> files
    std::uint64_t unsigned_files = 0;
    std::map<std::string, std::uint64_t> untrusted_key_ids; // hex -> files
};

PolicyContents policy_contents(const CommitFileDigests &measured,
                               const std::vector<Certificate> &trusted,
                               const KeylimePolicyArguments &args, const HashAlgo &algo)
{
    PolicyContents out;
    std::set<KeyId> trusted_ids;
    for (const auto &cert : trusted)
        trusted_ids.insert(cert.ima_key_id());
    std::optional<std::string> verity_path;
    std::uint64_t verity_files = 0;
    for (const MeasuredObject &object : measured.objects) {
        const auto paths = static_cast<std::uint64_t>(object.paths.size());
        if (object.verity_signature) {
            verity_files += paths;
            if (!verity_path)
                verity_path = object.paths.front();
            continue;
        }
        out.files += paths;
        std::set<std::string> digests = {to_hex(object.digest)};
        if (!object.measured_algo_digest.empty()) {
            digests.insert(to_hex(object.measured_algo_digest));
            out.other_measured_algo[std::string(object.measured_algo->name)] += paths;
        }
        if (!object.signature_key_id)
            out.unsigned_files += paths;
        else if (!trusted_ids.contains(*object.signature_key_id))
            out.untrusted_key_ids[key_id_hex(*object.signature_key_id)] += paths;
        for (const auto &path : object.paths)
            out.policy.digests[path] = digests;
    }
    if (verity_path)
        throw Error("commit " + measured.commit + " carries fs-verity signatures (sigv3, " +
                    std::to_string(verity_files) + " files, e.g. " + *verity_path +
                    "): the kernel logs them in the ima-ngv2/ima-sigv2 templates, which Keylime "
                    "does not parse (it reads ima, ima-ng, ima-sig, ima-buf); sign the commit "
                    "without --verity for a system Keylime attests");
    if (!args.no_default_excludes)
        out.policy.excludes = default_excludes();
    out.policy.excludes.insert(out.policy.excludes.end(), args.exclude_regex.begin(),
                               args.exclude_regex.end());
    out.policy.release = args.release;
    out.policy.ima_hash = &algo;
    return out;
}

void print_notes(const PolicyContents &contents, const KeylimePolicyArguments &args,
                 const HashAlgo &algo)
{
    for (const auto &[name, files] : contents.other_measured_algo)
        std::cerr << "ostree-ima: note: " << files << " files carry a security.ima with " << name
                  << ", not " << algo.name
                  << ": the kernel measures a file with the hash its security.ima names, so their "
                  << name << " digests are listed too\n";
    if (!args.trust_signatures)
        return;
    if (contents.unsigned_files > 0)
        std::cerr << "ostree-ima: note: " << contents.unsigned_files
                  << " files carry no IMA signature: Keylime checks them by path and digest\n";
    for (const auto &[id, files] : contents.untrusted_key_ids)
        std::cerr << "ostree-ima: note: " << files << " files are signed by key id " << id
                  << ", which no --cert has: Keylime checks them by path and digest\n";
}
} // namespace

Runner add_keylime_policy_command(CLI::App &app)
{
    auto args = std::make_shared<KeylimePolicyArguments>();
    CLI::App *cmd = app.add_subcommand(
        "keylime-policy", "write a Keylime runtime policy (format version 1) from a commit: "
                          "the digest of every file at its path, without a checkout (reads "
                          "the repository only)");
    args->repo.add_to(*cmd);
    cmd->add_option("--hash,--hashalgo,-a", args->hash,
                    "the hash the kernel measures with (its ima_hash; default sha256); a file "
                    "signed with another hash is listed with that digest too");
    cmd->add_flag("--trust-signatures", args->trust_signatures,
                  "also write verification-keys and the _ima keyring digests of the --cert "
                  "certificates: Keylime then accepts any file whose signature verifies, at any "
                  "path (two signed files swapped pass); default: each path bound to its digest");
    cmd->add_option("--cert", args->certs,
                    "certificate of a signing key Keylime is to trust (PEM or DER file, or "
                    "pkcs11: URI; repeatable; with --trust-signatures)")
        ->allow_extra_args(false);
    cmd->add_option("--exclude-regex", args->exclude_regex,
                    "add a regular expression to the policy's excludes: Keylime does not check "
                    "measured paths it matches from their start (repeatable)")
        ->allow_extra_args(false);
    cmd->add_flag("--no-default-excludes", args->no_default_excludes,
                  "leave out the default excludes ^/etc/ ^/var/ ^/tmp/ ^/run/ (what a deployment "
                  "changes): every measured file outside the commit then fails");
    cmd->add_option("--release", args->release,
                    "the policy's release number (default 0), for telling policies apart");
    cmd->add_option("--output,-o", args->output, "policy file to write (default: stdout)");
    cmd->add_option("--sign-key", args->sign_key.key,
                    "sign the policy: a DSSE envelope as keylime-policy sign runtime makes it, "
                    "ECDSA over SHA-256; an EC key file, pkcs11: URI (token or TPM), engine or "
                    "provider key");
    cmd->add_option("--sign-cert", args->sign_cert,
                    "certificate of --sign-key (file or pkcs11: URI): checked against the key "
                    "and named in the envelope as Keylime's x509 backend names it");
    cmd->add_option("--pin-file", args->sign_key.pin_file,
                    "file holding the --sign-key passphrase or token PIN, also for a pkcs11: "
                    "--cert or --sign-cert (else OSTREE_IMA_PIN or a prompt)");
    cmd->add_option("--engine", args->sign_key.engine,
                    "load --sign-key through this OpenSSL engine (e.g. pkcs11)");
    cmd->add_option("--provider", args->sign_key.providers,
                    "load --sign-key through OpenSSL providers' stores (repeatable, e.g. tpm2)")
        ->allow_extra_args(false);
    add_jobs_option(*cmd, args->jobs);
    cmd->add_flag("--quiet,-q", args->quiet, "no notes, progress or summary on stderr");
    args->select.add_options(*cmd);
    cmd->add_option("REV", args->source, "ref or commit checksum")->required();
    add_exit_codes_footer(*cmd);

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        check_arguments(*args);
        const HashAlgo &algo = hash_algo_by_name(args->hash);
        const std::vector<Certificate> trusted = load_trusted(args->certs, args->sign_key.pin_file);
        std::unique_ptr<KeyBackend> sign_key;
        std::string keyid;
        if (!args->sign_key.key.empty()) {
            KeyOptions options = args->sign_key;
            options.jobs = 1;
            sign_key = open_key_backend(options);
            check_dsse_key(*sign_key);
            if (!args->sign_cert.empty()) {
                const Certificate cert = load_certificate(args->sign_cert, args->sign_key.pin_file);
                if (!same_public_key(cert.public_key(), sign_key->public_key()))
                    throw Error("--sign-cert " + cert.origin() + " is not the certificate of " +
                                sign_key->description() +
                                ": Keylime would check the envelope against another key");
                keyid = dsse_x509_keyid(cert);
            } else {
                keyid = dsse_ecdsa_keyid(sign_key->public_key());
            }
        }
        check_output_file(args->output, kPolicyOutput, policy_role()); // before the work

        FileDigestsRequest request;
        request.repo_path = args->repo.path();
        request.source_rev = args->source;
        request.algo = &algo;
        request.selector = args->select.selector();
        request.jobs = args->jobs;
        const auto progress = terminal_progress(args->quiet, false);
        request.progress = progress.get();
        const CommitFileDigests measured = compute_commit_file_digests(request);
        PolicyContents contents = policy_contents(measured, trusted, *args, algo);
        if (args->trust_signatures)
            for (const auto &cert : trusted)
                contents.policy.trusted.push_back(&cert);
        std::string text = keylime_policy_text(contents.policy);
        if (sign_key)
            text = dsse_sign(kKeylimePayloadType, text, *sign_key, keyid);
        text += "\n";
        write_output_file(args->output, text, kPolicyOutput, policy_role());
        if (!args->quiet) {
            print_notes(contents, *args, algo);
            std::cerr << "ostree-ima: Keylime runtime policy of commit " << measured.commit << ": "
                      << contents.policy.digests.size() << " paths, " << algo.name << ", "
                      << (args->trust_signatures
                              ? std::to_string(trusted.size()) +
                                    " trusted keys (a validly signed file passes at any path)"
                              : std::string("each path bound to its digests"))
                      << (sign_key ? ", DSSE-signed by " + sign_key->description() : "")
                      << ", sha256 " << sha256_hex(text)
                      << (args->output == "-" ? "" : " -> " + args->output) << "\n";
        }
        return 0;
    };
}

} // namespace ostree_ima::cli
