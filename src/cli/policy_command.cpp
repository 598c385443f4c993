// ostree-ima policy: what the kernel needs to appraise what `sign` wrote:
// the certificates as DER (what `keyctl padd asymmetric` loads), the script
// that loads them into the _ima (and _evm) keyrings, and the IMA policy
// rules for the chosen selector (ima/appraisal_policy.hpp says why one must
// be chosen).
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_report.hpp"
#include "cli/scheme_option.hpp"
#include "ima/algorithms/key_algorithm.hpp"
#include "ima/appraisal_policy.hpp"
#include "ostree-ima/certificate_source.hpp"
#include "ostree-ima/error.hpp"
#include "util/output_file.hpp"
#include "util/wording.hpp"

#include <iostream>
#include <openssl/evp.h>
#include <set>

namespace ostree_ima::cli {

namespace {
struct PolicyArguments {
    std::vector<std::string> certs;
    std::vector<std::string> evm_certs;
    std::string pin_file;
    bool verity = false;
    bool evm = false;
    std::vector<std::string> fsuuids;
    std::vector<std::string> obj_types;
    std::string hooks = "exec";
    std::string output_dir;
    bool force = false;
    bool quiet = false;
    bool json = false;
};

constexpr const char *kScriptName = "load-keys.sh";
constexpr const char *kPolicyName = "ima-policy";

struct NamedCertificate {
    Certificate cert;
    std::string file; // "ima-<key id>.der" (_ima) or "evm-<key id>.der" (_evm)
};

// The kernel finds a key by the last 4 bytes of the certificate's SKID: a
// certificate without one is loaded but never matches a signature.
std::vector<NamedCertificate> load_certificates(const std::vector<std::string> &sources,
                                                const std::string &pin_file,
                                                const std::string &prefix)
{
    std::vector<NamedCertificate> out;
    std::set<std::string> ids;
    for (const auto &source : sources) {
        Certificate cert = load_certificate(source, pin_file);
        if (!cert.subject_key_identifier())
            throw Error("certificate " + cert.origin() +
                        " has no subjectKeyIdentifier: the kernel finds the key of a "
                        "signature by it; reissue it with subjectKeyIdentifier=hash");
        const std::string id = key_id_hex(cert.ima_key_id());
        if (!ids.insert(id).second)
            throw UsageError("two certificates with key id " + id + " (" + cert.origin() +
                             "): the kernel would use either for a signature; give each once");
        out.push_back({std::move(cert), prefix + id + ".der"});
    }
    return out;
}

// One key per format (docs/format.md): the kernel tells a v2 security.ima
// signature from a portable security.evm one only by the type byte, so a
// key in both keyrings makes the v2 signature of chosen content a valid
// security.evm.
void require_separate_keyrings(const std::vector<NamedCertificate> &ima,
                               const std::vector<NamedCertificate> &evm)
{
    for (const auto &e : evm)
        for (const auto &i : ima)
            if (EVP_PKEY_eq(e.cert.public_key(), i.cert.public_key()) == 1 ||
                e.cert.ima_key_id() == i.cert.ima_key_id())
                throw UsageError(
                    "--evm-cert " + e.cert.origin() + " and --cert " + i.cert.origin() +
                    " hold one key (key id " + key_id_hex(i.cert.ima_key_id()) +
                    "): a key in _ima and _evm makes the v2 signature of a file whose content "
                    "is another file's EVM message a valid security.evm for it; sign EVM "
                    "with a key of its own (one key per format: "
                    "/usr/share/doc/ostree-ima/docs/format.md)");
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
    const KeyAlgorithm *algorithm = find_key_algorithm(c.cert.public_key());
    if (algorithm != nullptr && !algorithm->kernel_requirement().empty())
        line += " (" + std::string(algorithm->name()) + ": " +
                std::string(algorithm->kernel_requirement()) + ")";
    return line;
}

void write_directory(const PolicyArguments &args, const std::vector<NamedCertificate> &certs,
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
    if (!args.quiet && !args.json) {
        std::cerr << "ostree-ima: wrote " << counted(files.size(), "file", "files") << " to "
                  << args.output_dir << "; run 'sh " << args.output_dir << "/" << kScriptName
                  << "' as root at boot, before anything appraised is opened\n";
        for (const auto &c : certs)
            std::cerr << "ostree-ima: " << describe(c) << "\n";
    }
}

// --json: what -o writes (or would write), with the script and rules as text.
void print_json(const PolicyArguments &args, const std::vector<NamedCertificate> &certs,
                const std::string &script, const std::string &rules)
{
    nlohmann::ordered_json j = json_report("ostree-ima-policy-report");
    j["output"] = args.output_dir.empty() ? nlohmann::ordered_json(nullptr)
                                          : nlohmann::ordered_json(args.output_dir);
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto &c : certs) {
        nlohmann::ordered_json e;
        e["file"] = c.file;
        e["keyring"] = c.file.starts_with("evm-") ? "_evm" : "_ima";
        e["key_id"] = key_id_hex(c.cert.ima_key_id());
        e["subject"] = c.cert.subject();
        e["origin"] = c.cert.origin();
        list.push_back(std::move(e));
    }
    j["certificates"] = std::move(list);
    j["script_file"] = kScriptName;
    j["script"] = script;
    j["policy_file"] = kPolicyName;
    j["policy"] = rules;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
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
                    "certificate of an IMA signing key (PEM or DER file, or pkcs11: URI; "
                    "repeatable): loaded into _ima only")
        ->required()
        ->allow_extra_args(false);
    cmd->add_option("--pin-file", args->pin_file,
                    "file holding the token PIN, for a --cert pkcs11: URI on a token that shows "
                    "its certificates only after login");
    cmd->add_flag("--verity", args->verity,
                  "the files carry fs-verity signatures (sign --verity): digest_type=verity "
                  "appraise_type=sigv3; default v2 signatures, appraise_type=imasig");
    cmd->add_flag("--evm", args->evm,
                  "the files carry EVM portable signatures too (sign --evm): the --evm-cert "
                  "certificates go into the _evm keyring and EVM X.509 verification is "
                  "switched on");
    cmd->add_option("--evm-cert", args->evm_certs,
                    "certificate of the EVM key (sign --evm-key; repeatable; implies --evm): "
                    "loaded into _evm only, and refused if --cert holds the same key")
        ->allow_extra_args(false);
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
                    "write DIR/ima-KEYID.der (and evm-KEYID.der), DIR/load-keys.sh and "
                    "DIR/ima-policy (default: "
                    "print the recipe on stdout)");
    cmd->add_flag("--force", args->force, "with -o: replace existing files");
    cmd->add_flag("--json", args->json,
                  "print a JSON report on stdout: the certificates (file, keyring, key id), "
                  "the script and the rules (with -o, also written as files)");
    cmd->add_flag("--quiet,-q", args->quiet, "no summary on stderr");
    add_exit_codes_footer(*cmd);

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        if (args->force && args->output_dir.empty())
            throw UsageError("--force goes with -o DIR");
        if (args->evm && args->evm_certs.empty())
            throw UsageError("--evm needs --evm-cert, the certificate of the EVM key: the "
                             "--cert certificates go into _ima only (one key per "
                             "format: /usr/share/doc/ostree-ima/docs/format.md)");
        AppraisalPolicy policy;
        policy.scheme = &scheme_option(args->verity);
        policy.fsuuids = args->fsuuids;
        policy.obj_types = args->obj_types;
        policy.hooks = args->hooks == "read" ? AppraisalHooks::Read : AppraisalHooks::Exec;
        check_appraisal_policy(policy); // a usage error before a token is asked
        std::vector<NamedCertificate> certs =
            load_certificates(args->certs, args->pin_file, "ima-");
        std::vector<NamedCertificate> evm_certs =
            load_certificates(args->evm_certs, args->pin_file, "evm-");
        require_separate_keyrings(certs, evm_certs);
        std::vector<std::string> ima_names;
        std::vector<std::string> evm_names;
        ima_names.reserve(certs.size());
        evm_names.reserve(evm_certs.size());
        for (const auto &c : certs)
            ima_names.push_back(c.file);
        for (const auto &c : evm_certs)
            evm_names.push_back(c.file);
        certs.insert(certs.end(), std::make_move_iterator(evm_certs.begin()),
                     std::make_move_iterator(evm_certs.end()));
        const std::string script = load_keys_script(ima_names, evm_names, kPolicyName);
        const std::string rules = appraisal_policy_rules(policy);
        if (!args->output_dir.empty())
            write_directory(*args, certs, script, rules);
        if (args->json)
            print_json(*args, certs, script, rules);
        else if (args->output_dir.empty())
            print_recipe(certs, script, rules);
        return 0;
    };
}

} // namespace ostree_ima::cli
