#include "cli/audit_log.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/jobs_option.hpp"
#include "cli/json_report.hpp"
#include "cli/key_arguments.hpp"
#include "cli/terminal_progress.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "keys/key_reference.hpp"

#include "ostree-ima/error.hpp"
#include "ostree-ima/manifest_signer.hpp"
#include "util/input_file.hpp"
#include "util/output_file.hpp"
#include "util/wording.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace ostree_ima::cli {

namespace {
struct SignDigestsArguments {
    std::string manifest;
    std::string output = "-";
    std::string audit_log;
    bool yes = false;
    bool quiet = false;
    bool json = false;
    unsigned jobs = default_jobs();
    KeyArguments key;
    std::string signature_cache;
    bool resume = false;
};

// A signatures file is made again by every run: an existing one is replaced
// (atomically). There is no --force: a FIFO or device is refused.
constexpr OutputRules kSignaturesOutput{.replace = true, .force = false, .has_force = false};
// A function, not a constant: building a std::string at load time may throw.
FileRole signatures_role()
{
    return {"signatures file", "-o"};
}

void show_summary(const std::string &manifest_path, const std::string &manifest_sha256,
                  const DigestManifest &manifest, const KeyArguments::Opened &key,
                  const std::string &key_reference)
{
    std::uint64_t files = 0;
    for (const auto &entry : manifest.entries)
        files += entry.paths.size();
    const auto &cert = key.key_id.certificate;
    std::cerr << "ostree-ima sign-digests:\n"
              << "  manifest     " << manifest_path << " (sha256 " << manifest_sha256 << ")\n"
              << "  commit       " << manifest.commit << "\n"
              << "  algorithm    " << manifest.algo->name << "\n"
              << "  format       " << manifest.selection.scheme->name()
              << (manifest.selection.scheme->signs_fs_verity_digest()
                      ? " (fs-verity, appraise_type=sigv3: each digest is of a file id)"
                      : " (appraise_type=imasig: each digest is of a file)")
              << "\n"
              << "  digests      " << grouped(manifest.entries.size()) << " ("
              << counted(files, "file", "files") << ")\n"
              << "  key          " << key_reference << " (" << key.backend->description() << ")\n"
              << "  IMA key id   " << key_id_hex(key.key_id.id) << " (from " << key.key_id.source
              << ")\n"
              << "  certificate  " << (cert ? cert->subject() : std::string("none")) << "\n";
}

// Asks on the terminal; anything but y/yes is a no.
bool confirmed(std::size_t count)
{
    std::cerr << "Sign " << counted(count, "digest", "digests") << " with this key? [y/N] "
              << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer))
        return false;
    std::transform(answer.begin(), answer.end(), answer.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return answer == "y" || answer == "yes";
}
} // namespace

Runner add_sign_digests_command(CLI::App &app)
{
    auto args = std::make_shared<SignDigestsArguments>();
    CLI::App *cmd = app.add_subcommand(
        "sign-digests", "signing room: sign every digest of a manifest from 'digests' and "
                        "write the signatures file for 'apply' (no repository needed)");
    cmd->add_option("--key,-k", args->key.key.key,
                    "private key: a key file (PEM/DER), a pkcs11: URI, or an engine/provider key")
        ->required();
    args->key.add_options(*cmd);
    cmd->add_flag("--yes,-y", args->yes, "do not ask for confirmation (unattended use)");
    cmd->add_option("--audit-log", args->audit_log,
                    "append a JSON line recording this run to this file");
    cmd->add_option("--output,-o", args->output, "signatures file to write (default: stdout)");
    add_jobs_option(*cmd, args->jobs, "signing threads");
    cmd->add_flag("--json", args->json,
                  "print a JSON report on stdout (the signatures then need -o FILE); what "
                  "will be signed is still shown on stderr unless --quiet");
    cmd->add_flag("--quiet,-q", args->quiet, "no summary or progress on stderr (needs --yes)");
    cmd->add_option("--signature-cache", args->signature_cache,
                    "append every signature the key makes to this file, and take those it holds: "
                    "a rerun after a failure asks the key only for what is missing");
    cmd->add_flag("--resume", args->resume,
                  "the same with OUTPUT.cache (needs --output): resume a run that failed");
    cmd->add_option("DIGESTS", args->manifest, "manifest written by 'ostree-ima digests'")
        ->required();
    add_exit_codes_footer(*cmd, "not confirmed");

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        if (!args->yes && isatty(STDIN_FILENO) == 0)
            throw UsageError("sign-digests asks for confirmation on a terminal, and stdin is not "
                             "one; pass --yes for unattended signing");
        if (args->quiet && !args->yes)
            throw UsageError("--quiet hides what would be signed: use it with --yes");
        if (args->json && args->output == "-")
            throw UsageError("--json prints the report on stdout: write the signatures to a "
                             "file with -o FILE");
        if (args->resume && args->signature_cache.empty() && args->output == "-")
            throw UsageError("--resume keeps its cache beside --output: give --output, or "
                             "--signature-cache");
        const std::string text =
            read_input_file(args->manifest, kMaxSigningFileBytes, {"manifest", "DIGESTS"});
        const DigestManifest manifest = parse_digest_manifest(text, args->manifest);
        const std::string manifest_sha256 = sha256_hex(text);
        // Refused before the key is used: a signature made for nothing costs a
        // token operation and a line in the audit log.
        check_output_file(args->output, kSignaturesOutput, signatures_role());
        std::unique_ptr<AuditLog> audit;
        if (!args->audit_log.empty())
            audit = std::make_unique<AuditLog>(args->audit_log);

        const auto key = args->key.open(args->jobs, args->quiet);
        const std::string key_reference = recorded_key_reference(args->key.key.key);
        if (!args->quiet)
            show_summary(args->manifest, manifest_sha256, manifest, key, key_reference);
        if (!args->yes && !confirmed(manifest.entries.size()))
            throw Error("not confirmed; nothing was signed");

        ManifestSignRequest request;
        request.manifest = &manifest;
        request.manifest_sha256 = manifest_sha256;
        request.key_id = key.key_id.id;
        if (key.key_id.certificate)
            request.certificate_der = key.key_id.certificate->der();
        request.signature_cache = args->signature_cache;
        if (args->resume && request.signature_cache.empty())
            request.signature_cache = args->output + ".cache";
        const auto progress = terminal_progress(args->quiet, args->json);
        request.progress = progress.get();
        const SignedManifest result = sign_manifest(request, *key.backend);
        const SignatureFile &signatures = result.file;

        // Logged before the signatures leave this program: no unrecorded use.
        if (audit)
            audit->append({key_reference, key_id_hex(key.key_id.id), manifest.commit,
                           std::string(manifest.algo->name), signatures.signatures.size(),
                           result.signatures.made, manifest_sha256,
                           std::string(manifest.selection.scheme->name())});
        write_output_file(args->output, serialize_signature_file(signatures), kSignaturesOutput,
                          signatures_role());
        if (args->json) {
            nlohmann::ordered_json j = json_report("ostree-ima-sign-digests-report");
            j["commit"] = manifest.commit;
            j["hash"] = std::string(manifest.algo->name);
            j["signature_format"] = manifest.selection.scheme->name();
            j["key_id"] = key_id_hex(key.key_id.id);
            j["manifest_sha256"] = manifest_sha256;
            j["signatures"] = {{"total", signatures.signatures.size()},
                               {"made", result.signatures.made},
                               {"from_cache", result.signatures.from_cache}};
            j["output"] = args->output;
            j["audit_log"] = args->audit_log.empty() ? nlohmann::ordered_json(nullptr)
                                                     : nlohmann::ordered_json(args->audit_log);
            std::cout << j.dump() << std::endl;
        } else if (!args->quiet)
            std::cerr << "ostree-ima: "
                      << counted(signatures.signatures.size(), "signature", "signatures") << " ("
                      << grouped(result.signatures.made) << " made by the key, "
                      << grouped(result.signatures.from_cache) << " from the signature cache)"
                      << (args->output == "-" ? "" : " -> " + args->output) << "\n";
        return 0;
    };
}

} // namespace ostree_ima::cli
