#include "cli/binding_report.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/jobs_option.hpp"
#include "cli/key_arguments.hpp"
#include "cli/large_xattrs_option.hpp"
#include "cli/repo_option.hpp"
#include "cli/sign_report.hpp"
#include "cli/terminal_progress.hpp"

#include "ostree-ima/certificate_source.hpp"
#include "ostree-ima/signature_applier.hpp"
#include "util/input_file.hpp"
#include "util/wording.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

namespace ostree_ima::cli {

namespace {
struct ApplyArguments {
    RepoOption repo;
    std::string cert;
    std::string pin_file;
    std::string signatures;
    std::string source;
    std::string target;
    bool json = false;
    bool quiet = false;
    unsigned jobs = default_jobs();
    std::vector<std::string> reuse;
    bool allow_large_xattrs = false;
};
} // namespace

Runner add_apply_command(CLI::App &app)
{
    auto args = std::make_shared<ApplyArguments>();
    CLI::App *cmd = app.add_subcommand(
        "apply", "build host: write the signed commit from a signatures file made by "
                 "'sign-digests', after checking every signature; print its checksum");
    args->repo.add_to(*cmd);
    cmd->add_option("--cert", args->cert,
                    "the signing key's certificate (PEM or DER file, or pkcs11: URI of a "
                    "certificate on a token)")
        ->required();
    cmd->add_option(
        "--pin-file", args->pin_file,
        "file holding the token PIN, for a --cert pkcs11: URI on a token that shows its "
        "certificates only after login (else OSTREE_IMA_PIN; never a prompt)");
    cmd->add_option("--signatures", args->signatures, "signatures file from 'sign-digests'")
        ->required();
    add_jobs_option(*cmd, args->jobs);
    cmd->add_flag("--json", args->json, "print a JSON report on stdout");
    cmd->add_flag("--quiet,-q", args->quiet, "no summary or progress on stderr");
    cmd->add_option("--reuse", args->reuse,
                    "the commits 'digests --reuse' named (checked against the manifest, which "
                    "names them anyway), repeatable")
        ->allow_extra_args(false);
    add_large_xattrs_option(*cmd, args->allow_large_xattrs);
    cmd->add_option("SRC_REV", args->source, "ref or commit checksum the digests were made of")
        ->required();
    cmd->add_option("TARGET_REF", args->target, "ref to point at the new commit");
    add_exit_codes_footer(*cmd);

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        const std::string repo = args->repo.path();
        const std::string text = read_input_file(args->signatures, kMaxSigningFileBytes,
                                                 {"signatures file", "--signatures"});
        const SignatureFile signatures = parse_signature_file(text, args->signatures);
        const Certificate cert = load_certificate(args->cert, args->pin_file);
        ApplyRequest request;
        request.repo_path = repo;
        request.source_rev = args->source;
        request.target_ref = args->target;
        request.signatures_origin = args->signatures;
        request.jobs = args->jobs;
        request.reuse = args->reuse;
        const auto progress = terminal_progress(args->quiet, args->json);
        request.progress = progress.get();
        request.allow_large_xattrs = args->allow_large_xattrs;
        const SignReport r = apply_signatures(request, signatures, cert);
        print_reuse_warnings(r.reuse_skipped, args->quiet);
        if (args->json) {
            nlohmann::ordered_json j = sign_report_json("ostree-ima-apply-report", r);
            j["hash"] = std::string(signatures.manifest.algo->name);
            j["key_id"] = key_id_hex(signatures.key_id);
            std::cout << j.dump() << std::endl;
            return 0;
        }
        if (!args->quiet)
            std::cerr << "ostree-ima: applied "
                      << counted(signatures.signatures.size(), "signature", "signatures") << ": "
                      << sign_counts_text(r) << ", key id " << key_id_hex(signatures.key_id)
                      << (r.ref.empty() ? "" : "; " + r.ref + " updated") << "\n"
                      << evm_text(r) << binding_text(r.binding, r.ref, r.new_commit);
        std::cout << r.new_commit << std::endl;
        return 0;
    };
}

} // namespace ostree_ima::cli
