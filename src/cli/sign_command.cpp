#include "cli/binding_report.hpp"
#include "cli/command.hpp"
#include "cli/evm_arguments.hpp"
#include "cli/exit_codes.hpp"
#include "cli/jobs_option.hpp"
#include "cli/key_arguments.hpp"
#include "cli/large_xattrs_option.hpp"
#include "cli/repo_option.hpp"
#include "cli/selector_arguments.hpp"
#include "cli/sign_report.hpp"
#include "cli/terminal_progress.hpp"

#include "cli/scheme_option.hpp"
#include "ostree-ima/commit_signer.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "util/wording.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

namespace ostree_ima::cli {

namespace {
struct SignArguments {
    RepoOption repo;
    std::string source;
    std::string target;
    std::string hash = "sha256";
    bool overwrite = false;
    bool verity = false;
    unsigned jobs = default_jobs();
    bool json = false;
    bool quiet = false;
    KeyArguments key;
    SelectorArguments select;  // sign only; ima-sign keeps ostree-ext-cli's surface
    bool skip_usr_etc = false; // sign only: --skip-usr-etc
    std::vector<std::string> reuse;
    bool reuse_reads_all = false;
    std::string signature_cache;
    EvmArguments evm; // sign only
    bool allow_large_xattrs = false;

    // --reuse and --signature-cache, for sign and ima-sign.
    void add_reuse_options(CLI::App &cmd)
    {
        cmd.add_option("--reuse", reuse,
                       "a signed commit (ref or checksum) whose signatures by this key are taken "
                       "for the same content instead of asking the key (repeatable, each one "
                       "verified)")
            ->allow_extra_args(false);
        cmd.add_flag("--reuse-reads-all", reuse_reads_all,
                     "read and hash every file even where a --reuse commit records the source "
                     "it was signed from (which saves reading unchanged files): take only "
                     "signatures from it");
        cmd.add_option("--signature-cache", signature_cache,
                       "append every signature the key makes to this file, and take those it "
                       "holds: a rerun after a failure asks the key only for what is missing");
    }
    // --verity, for sign and ima-sign.
    void add_verity_option(CLI::App &cmd)
    {
        cmd.add_flag("--verity", verity,
                     "write fs-verity signatures (type 6, sigv3, sha256) in security.ima instead "
                     "of v2 ones, for `appraise digest_type=verity appraise_type=sigv3`; a file "
                     "holds one format, so existing v2 signatures are replaced");
    }
    // The scheme asked; --verity with another hash than sha256 is a usage
    // error, before the key is opened.
    [[nodiscard]] const SignatureScheme &scheme(const HashAlgo &algo) const
    {
        return scheme_option(verity, algo);
    }
};

nlohmann::ordered_json report_json(const SignReport &r, const KeyArguments::Opened &key,
                                   const HashAlgo &algo)
{
    nlohmann::ordered_json j = sign_report_json("ostree-ima-sign-report", r);
    j["hash"] = std::string(algo.name);
    j["key_id"] = key_id_hex(key.key_id.id);
    j["key_id_source"] = key.key_id.source;
    return j;
}
} // namespace

Runner add_sign_command(CLI::App &app)
{
    auto args = std::make_shared<SignArguments>();
    CLI::App *cmd = app.add_subcommand(
        "sign", "IMA-sign every regular file of a commit; print the new commit's checksum");
    args->repo.add_to(*cmd);
    cmd->add_option("--key,-k", args->key.key.key,
                    "private key: a key file (PEM/DER), a pkcs11: URI, or an engine/provider key")
        ->required();
    args->key.add_options(*cmd);
    cmd->add_option("--hash,--hashalgo,-a", args->hash, "file digest algorithm (default sha256)");
    cmd->add_flag("--overwrite", args->overwrite, "replace existing security.ima signatures");
    args->add_verity_option(*cmd);
    add_jobs_option(*cmd, args->jobs);
    cmd->add_flag("--json", args->json, "print a JSON report on stdout");
    cmd->add_flag("--quiet,-q", args->quiet, "no progress, summary or notes on stderr");
    args->select.add_options(*cmd);
    cmd->add_flag("--skip-usr-etc", args->skip_usr_etc,
                  "leave the files under /usr/etc unsigned (as --exclude '/usr/etc/**'): "
                  "deployment copies them to /etc, where an edit leaves a stale signature");
    args->add_reuse_options(*cmd);
    add_large_xattrs_option(*cmd, args->allow_large_xattrs);
    args->evm.add_options(*cmd);
    cmd->add_option("SRC_REV", args->source, "ref or commit checksum to sign")->required();
    cmd->add_option("TARGET_REF", args->target, "ref to point at the new commit");
    add_exit_codes_footer(*cmd);

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        const std::string repo = args->repo.path();
        const HashAlgo &algo = hash_algo_by_name(args->hash);
        const SignatureScheme &scheme = args->scheme(algo);
        const PathSelector selector = args->select.selector();
        args->evm.check();
        auto key = args->key.open(args->jobs, args->quiet);
        SignRequest request;
        KeyArguments::Opened evm_key;
        args->evm.open(args->key, args->jobs, args->quiet, evm_key, request);
        request.repo_path = repo;
        request.source_rev = args->source;
        request.target_ref = args->target;
        request.algo = &algo;
        request.key_id = key.key_id.id;
        request.overwrite = args->overwrite;
        request.scheme = &scheme;
        request.jobs = args->jobs;
        const auto progress = terminal_progress(args->quiet, args->json);
        request.progress = progress.get();
        request.selector = selector;
        request.skip_usr_etc = args->skip_usr_etc;
        request.reuse = args->reuse;
        request.reuse_reads_all = args->reuse_reads_all;
        request.signature_cache = args->signature_cache;
        request.allow_large_xattrs = args->allow_large_xattrs;
        const SignReport r = sign_commit(request, *key.backend);
        print_reuse_warnings(r.reuse_skipped, args->quiet);
        if (args->json) {
            nlohmann::ordered_json j = report_json(r, key, algo);
            if (request.evm_key != nullptr)
                j["evm_key_id"] = key_id_hex(request.evm_key_id);
            j["usr_etc_files_signed"] = r.usr_etc_files_signed;
            j["usr_etc_skipped"] = args->skip_usr_etc;
            j["usr_etc_signatures_removed"] = r.usr_etc_signatures_removed;
            std::cout << j.dump() << std::endl;
        } else {
            if (!args->quiet)
                std::cerr << "ostree-ima: " << sign_counts_text(r) << ", key id "
                          << key_id_hex(key.key_id.id) << ", " << algo.name
                          << (args->verity ? " fs-verity" : "") << ", " << duration_text(r.seconds)
                          << (r.ref.empty() ? "" : "; " + r.ref + " updated") << "\n"
                          << evm_text(r) << binding_text(r.binding, r.ref, r.new_commit);
            if (!args->quiet && r.usr_etc_files_signed > 0)
                std::cerr << "ostree-ima: warning: " << usr_etc_warning_text(r) << "\n";
            if (!args->quiet && args->skip_usr_etc)
                std::cerr << "ostree-ima: /usr/etc left unsigned (--skip-usr-etc)"
                          << (r.usr_etc_signatures_removed == 0
                                  ? std::string()
                                  : "; removed the signatures of " +
                                        counted(r.usr_etc_signatures_removed, "file", "files") +
                                        " there")
                          << "\n";
            std::cout << r.new_commit << std::endl;
        }
        return 0;
    };
}

Runner add_ima_sign_command(CLI::App &app)
{
    auto args = std::make_shared<SignArguments>();
    CLI::App *cmd = app.add_subcommand(
        "ima-sign", "drop-in for 'ostree-ext-cli ima-sign': SRC_REV TARGET_REF ALGORITHM KEY");
    args->repo.add_to(*cmd);
    cmd->add_flag("--overwrite", args->overwrite, "replace existing security.ima signatures");
    args->add_verity_option(*cmd);
    add_jobs_option(*cmd, args->jobs);
    cmd->add_flag("--quiet,-q", args->quiet,
                  "nothing on stderr but errors (no kept/replaced counts, binding or notes)");
    args->key.add_options(*cmd);
    args->add_reuse_options(*cmd);
    add_large_xattrs_option(*cmd, args->allow_large_xattrs);
    cmd->add_option("SRC_REV", args->source, "ref or commit checksum to sign")->required();
    cmd->add_option("TARGET_REF", args->target, "ref to point at the new commit")->required();
    cmd->add_option("ALGORITHM", args->hash, "file digest algorithm, e.g. sha256")->required();
    cmd->add_option("KEY", args->key.key.key, "private key file, pkcs11: URI, ...")->required();
    add_exit_codes_footer(*cmd);

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        const std::string repo = args->repo.path();
        const HashAlgo &algo = hash_algo_by_name(args->hash);
        const SignatureScheme &scheme = args->scheme(algo);
        const auto key = args->key.open(args->jobs, args->quiet);
        SignRequest request;
        request.repo_path = repo;
        request.source_rev = args->source;
        request.target_ref = args->target;
        request.algo = &algo;
        request.key_id = key.key_id.id;
        request.overwrite = args->overwrite;
        request.scheme = &scheme;
        request.jobs = args->jobs;
        request.reuse = args->reuse;
        request.reuse_reads_all = args->reuse_reads_all;
        request.signature_cache = args->signature_cache;
        const auto progress = terminal_progress(args->quiet, false);
        request.progress = progress.get();
        request.allow_large_xattrs = args->allow_large_xattrs;
        const SignReport r = sign_commit(request, *key.backend);
        print_reuse_warnings(r.reuse_skipped, args->quiet);
        // stdout stays ostree-ext-cli's one line; what it does not say goes to stderr.
        if (const std::string warnings = sign_warnings_text(r); !warnings.empty() && !args->quiet)
            std::cerr << "ostree-ima: " << warnings << "\n";
        if (!args->quiet && r.usr_etc_files_signed > 0)
            std::cerr << "ostree-ima: warning: " << usr_etc_warning_text(r) << "\n";
        if (!args->quiet)
            std::cerr << evm_text(r);
        if (!args->quiet)
            std::cerr << binding_text(r.binding, r.ref, r.new_commit);
        std::cout << r.ref << " => " << r.new_commit << std::endl;
        return 0;
    };
}

} // namespace ostree_ima::cli
