#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/jobs_option.hpp"
#include "cli/json_report.hpp"
#include "cli/repo_option.hpp"
#include "cli/selector_arguments.hpp"
#include "cli/sign_report.hpp"
#include "cli/terminal_progress.hpp"

#include "cli/scheme_option.hpp"
#include "ostree-ima/certificate.hpp"
#include "ostree-ima/certificate_source.hpp"
#include "ostree-ima/commit_digests.hpp"
#include "ostree-ima/error.hpp"
#include "util/output_file.hpp"
#include "util/wording.hpp"

#include <optional>

#include <iostream>

namespace ostree_ima::cli {

namespace {
struct DigestsArguments {
    RepoOption repo;
    std::string source;
    std::string hash = "sha256";
    std::string output = "-";
    std::string cert;
    std::string pin_file;
    std::vector<std::string> reuse;
    bool overwrite = false;
    bool verity = false;
    bool quiet = false;
    bool json = false;
    unsigned jobs = default_jobs();
    SelectorArguments select;
};

// A manifest is made again by every build: an existing one is replaced
// (atomically). There is no --force: a FIFO or device is refused.
constexpr OutputRules kManifestOutput{.replace = true, .force = false, .has_force = false};
// A function, not a constant: building a std::string at load time may throw.
FileRole manifest_role()
{
    return {"manifest", "-o"};
}
} // namespace

Runner add_digests_command(CLI::App &app)
{
    auto args = std::make_shared<DigestsArguments>();
    CLI::App *cmd = app.add_subcommand(
        "digests", "build host: write the manifest of file digests 'sign' would sign, for "
                   "'sign-digests' in the signing room (reads the repository only)");
    args->repo.add_to(*cmd);
    cmd->add_option("--hash,--hashalgo,-a", args->hash, "file digest algorithm (default sha256)");
    cmd->add_flag("--overwrite", args->overwrite,
                  "include files that already carry security.ima (as sign --overwrite)");
    cmd->add_flag("--verity", args->verity,
                  "the digests of fs-verity signatures (sigv3, sha256: the hash of each file's "
                  "fs-verity file id), as sign --verity; the manifest says so and apply writes "
                  "sigv3");
    cmd->add_option("--cert", args->cert,
                    "the signing key's certificate (file or pkcs11: URI): files whose existing "
                    "signature sign would "
                    "keep are left out (without it every file already signed is listed)");
    cmd->add_option("--reuse", args->reuse,
                    "a signed commit (ref or checksum): digests its signatures by this key cover "
                    "are left out, and apply takes them from it (repeatable, needs --cert)")
        ->allow_extra_args(false);
    cmd->add_option(
        "--pin-file", args->pin_file,
        "file holding the token PIN, for a --cert pkcs11: URI on a token that shows its "
        "certificates only after login (else OSTREE_IMA_PIN; never a prompt)");
    cmd->add_option("--output,-o", args->output, "manifest file to write (default: stdout)");
    add_jobs_option(*cmd, args->jobs);
    cmd->add_flag("--json", args->json,
                  "print a JSON report on stdout (the manifest then needs -o FILE)");
    cmd->add_flag("--quiet,-q", args->quiet, "no summary or progress on stderr");
    args->select.add_options(*cmd);
    cmd->add_option("SRC_REV", args->source, "ref or commit checksum")->required();
    add_exit_codes_footer(*cmd);

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        DigestsRequest request;
        request.repo_path = args->repo.path();
        request.source_rev = args->source;
        request.algo = &hash_algo_by_name(args->hash);
        request.selection.selector = args->select.selector();
        request.selection.overwrite = args->overwrite;
        request.selection.scheme = &scheme_option(args->verity, *request.algo);
        std::optional<Certificate> cert;
        if (!args->cert.empty()) {
            cert.emplace(load_certificate(args->cert, args->pin_file));
            request.selection.signer_key_id = cert->ima_key_id();
            request.signer_public_key = cert->public_key();
        }
        request.selection.reuse = args->reuse;
        request.jobs = args->jobs;
        if (args->json && args->output == "-")
            throw UsageError("--json prints the report on stdout: write the manifest to a file "
                             "with -o FILE");
        check_output_file(args->output, kManifestOutput, manifest_role()); // before the work
        std::vector<std::string> reuse_skipped;
        request.reuse_warnings = &reuse_skipped;
        const auto progress = terminal_progress(args->quiet, args->json);
        request.progress = progress.get();
        const DigestManifest manifest = compute_commit_digests(request);
        print_reuse_warnings(reuse_skipped, args->quiet);
        const std::string text = serialize_digest_manifest(manifest);
        write_output_file(args->output, text, kManifestOutput, manifest_role());
        std::uint64_t files = 0;
        for (const auto &entry : manifest.entries)
            files += entry.paths.size();
        if (args->json) {
            nlohmann::ordered_json j = json_report("ostree-ima-digests-report");
            j["commit"] = manifest.commit;
            j["hash"] = std::string(manifest.algo->name);
            j["signature_format"] = manifest.selection.scheme->name();
            j["digests"] = manifest.entries.size();
            j["files"] = files;
            j["manifest"] = args->output;
            j["manifest_sha256"] = sha256_hex(text);
            j["reuse_skipped"] = reuse_skipped.size();
            std::cout << j.dump() << std::endl;
        } else if (!args->quiet) {
            const bool verity = manifest.selection.scheme->signs_fs_verity_digest();
            const std::uint64_t n = manifest.entries.size();
            std::cerr << "ostree-ima: " << grouped(n) << " " << manifest.algo->name
                      << (n == 1 ? " digest" : " digests")
                      << (verity
                              ? (n == 1 ? " of an fs-verity file id (" : " of fs-verity file ids (")
                              : " (")
                      << counted(files, "file", "files") << ") of commit " << manifest.commit
                      << ", manifest sha256 " << sha256_hex(text)
                      << (args->output == "-" ? "" : " -> " + args->output) << "\n";
        }
        return 0;
    };
}

} // namespace ostree_ima::cli
