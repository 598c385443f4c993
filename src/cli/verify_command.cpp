#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/jobs_option.hpp"
#include "cli/json_report.hpp"
#include "cli/repo_option.hpp"
#include "cli/scheme_option.hpp"
#include "cli/selector_arguments.hpp"
#include "cli/terminal_progress.hpp"
#include "cli/verbosity.hpp"

#include "ostree-ima/certificate_source.hpp"
#include "ostree-ima/commit_verifier.hpp"
#include "ostree-ima/deployment_verifier.hpp"
#include "ostree-ima/error.hpp"
#include "util/wording.hpp"

#include <iostream>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

namespace ostree_ima::cli {

namespace {
struct VerifyArguments {
    RepoOption repo;
    std::string rev;
    std::vector<std::string> certs;
    std::string pin_file;
    bool require_all = false;
    bool verity = false;
    bool evm = false;
    std::string hash;
    bool json = false;
    bool quiet = false;
    unsigned jobs = default_jobs();
    SelectorArguments select;
    std::string deployment; // --deployment DIR: a tree on disk instead of REV
};

// A path for one line of text: control characters escaped, so a file name
// cannot forge report lines.
std::string printable(const std::string &path)
{
    std::string out;
    for (const char c : path) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else if (c == '\\') {
            out += "\\\\";
        } else {
            out += c;
        }
    }
    return out;
}

// Unsigned files fail only under --require-all.
bool finding_fails(const VerifyFinding &f, const VerifyReport &r)
{
    return f.problem != FileProblem::Unsigned || r.require_all;
}

// The findings a text report leaves out (they do not fail the run), counted
// by kind for one line that says how to see them.
class HiddenFindings {
  public:
    void add(std::string_view kind)
    {
        for (auto &[name, n] : kinds_)
            if (name == kind) {
                ++n;
                return;
            }
        kinds_.emplace_back(std::string(kind), 1);
    }
    // "" when nothing was left out.
    [[nodiscard]] std::string text() const
    {
        if (kinds_.empty())
            return "";
        std::string out = "not listed, as they do not fail the run: ";
        for (std::size_t i = 0; i < kinds_.size(); ++i)
            out += (i == 0 ? "" : ", ") + grouped(kinds_[i].second) + " " + kinds_[i].first;
        return out + " (-v lists them)\n";
    }

  private:
    std::vector<std::pair<std::string, std::uint64_t>> kinds_;
};

std::string summary(const VerifyReport &r)
{
    // "(12 fs-verity)": the files signed in another scheme than the default.
    std::string verity;
    for (const SignatureScheme *scheme : signature_schemes()) {
        const auto n = r.files_signed_by_scheme.find(std::string(scheme->name()));
        if (scheme != signature_schemes().front() && n != r.files_signed_by_scheme.end())
            verity += " (" + grouped(n->second) + " " +
                      std::string(scheme->signs_fs_verity_digest() ? "fs-verity" : scheme->name()) +
                      ")";
    }
    return "checked " + counted(r.files_checked, "file", "files") + ": " + grouped(r.files_signed) +
           " signed" + verity + ", " + grouped(r.files_unsigned) + " unsigned" +
           (r.require_all && r.files_unsigned > 0 ? " (--require-all)" : "") + ", " +
           grouped(r.files_invalid) + " invalid" + (r.passed() ? "" : "; verification FAILED");
}

nlohmann::ordered_json format_json(const SignatureScheme *scheme)
{
    return scheme != nullptr ? nlohmann::ordered_json(std::string(scheme->name()))
                             : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json report_json(const VerifyReport &r, const VerifyRequest &request)
{
    const HashAlgo *required = request.required_algo;
    nlohmann::ordered_json j = json_report("ostree-ima-verify-report");
    j["commit"] = r.commit;
    j["valid"] = r.passed();
    j["require_all"] = r.require_all;
    j["hash"] = required ? nlohmann::ordered_json(std::string(required->name))
                         : nlohmann::ordered_json(nullptr);
    j["files_checked"] = r.files_checked;
    j["files_signed"] = r.files_signed;
    j["files_unsigned"] = r.files_unsigned;
    j["files_invalid"] = r.files_invalid;
    j["signature_format"] = format_json(request.required_scheme);
    nlohmann::ordered_json by_scheme = nlohmann::ordered_json::object();
    for (const SignatureScheme *scheme : signature_schemes()) {
        const auto n = r.files_signed_by_scheme.find(std::string(scheme->name()));
        by_scheme[std::string(scheme->name())] =
            n == r.files_signed_by_scheme.end() ? 0 : n->second;
    }
    j["files_signed_by_format"] = std::move(by_scheme);
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const auto &f : r.findings) {
        nlohmann::ordered_json e;
        e["path"] = f.path;
        e["problem"] = std::string(problem_name(f.problem));
        e["fatal"] = finding_fails(f, r);
        e["detail"] = f.detail;
        e["object"] = f.object;
        e["signature_format"] = format_json(f.scheme);
        findings.push_back(std::move(e));
    }
    j["findings"] = std::move(findings);
    return j;
}

// --cert: token certificates are read here (with --pin-file), files and
// directories by the job's keyring.
void split_certificates(const VerifyArguments &args, std::vector<std::string> &paths,
                        std::vector<Certificate> &loaded)
{
    for (const auto &cert : args.certs) {
        if (is_certificate_uri(cert))
            loaded.push_back(load_certificate(cert, args.pin_file));
        else
            paths.push_back(cert);
    }
}

// --deployment: files on disk; /etc findings say what deployment did, and
// what could not be checked is counted apart from what was.
std::string deployment_summary(const DeploymentReport &r)
{
    return "checked " + counted(r.files_checked, "file", "files") +
           " under /usr: " + grouped(r.files_signed) + " signed, " + grouped(r.files_unsigned) +
           " unsigned" + (r.require_all && r.files_unsigned > 0 ? " (--require-all)" : "") + ", " +
           grouped(r.files_invalid) + " invalid; " + grouped(r.files_unchecked) + " unchecked" +
           (r.require_all && r.files_unchecked > 0 ? " (--require-all)" : "") +
           "; /etc: " + counted(r.etc_checked, "file", "files") + ", " + grouped(r.etc_valid) +
           " valid, " + grouped(r.etc_stale) + " stale, " + grouped(r.etc_unsigned) +
           " unsigned, " + grouped(r.etc_invalid) + " invalid; " + grouped(r.etc_unchecked) +
           " unchecked (not failures)" + (r.passed() ? "" : "; verification FAILED");
}

nlohmann::ordered_json deployment_json(const DeploymentReport &r)
{
    nlohmann::ordered_json j = json_report("ostree-ima-verify-deployment-report");
    j["deployment"] = r.path;
    j["valid"] = r.passed();
    j["require_all"] = r.require_all;
    j["files_checked"] = r.files_checked;
    j["files_signed"] = r.files_signed;
    j["files_unsigned"] = r.files_unsigned;
    j["files_invalid"] = r.files_invalid;
    j["files_unchecked"] = r.files_unchecked;
    j["etc"] = {{"checked", r.etc_checked}, {"valid", r.etc_valid},
                {"stale", r.etc_stale},     {"unsigned", r.etc_unsigned},
                {"invalid", r.etc_invalid}, {"unchecked", r.etc_unchecked}};
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const auto &f : r.findings) {
        nlohmann::ordered_json e;
        e["path"] = f.path;
        e["problem"] = std::string(problem_name(f.problem));
        e["etc"] = f.etc ? nlohmann::ordered_json(std::string(etc_state_name(*f.etc)))
                         : nlohmann::ordered_json(nullptr);
        e["fatal"] = f.fatal;
        e["detail"] = f.detail;
        findings.push_back(std::move(e));
    }
    j["findings"] = std::move(findings);
    return j;
}

int verify_deployment_tree(const VerifyArguments &args, DeploymentVerifyRequest &request)
{
    const auto progress = terminal_progress(args.quiet, args.json);
    request.progress = progress.get();
    const DeploymentReport r = verify_deployment(request);
    if (args.json) {
        std::cout << deployment_json(r).dump(2, ' ', false,
                                             nlohmann::json::error_handler_t::replace)
                  << std::endl;
    } else if (!args.quiet) {
        // A running system's / has thousands of unsigned files that do not
        // fail the run (without --require-all, and in /etc): counted, listed
        // with -v only. What is stale or could not be checked is always shown.
        HiddenFindings hidden;
        for (const auto &f : r.findings) {
            const std::string_view kind = f.etc ? etc_state_name(*f.etc) : problem_name(f.problem);
            if (!f.fatal && f.problem == FileProblem::Unsigned && !verbose()) {
                hidden.add(kind);
                continue;
            }
            std::cout << printable(f.path) << ": " << kind << ": " << printable(f.detail) << "\n";
        }
        std::cout << hidden.text() << deployment_summary(r) << std::endl;
    }
    return r.passed() ? 0 : 1;
}
} // namespace

Runner add_verify_command(CLI::App &app)
{
    auto args = std::make_shared<VerifyArguments>();
    CLI::App *cmd = app.add_subcommand(
        "verify", "check every file's security.ima in a commit against certificates; exit 0 "
                  "when all checked signatures are valid, 1 otherwise");
    args->repo.add_to(*cmd);
    cmd->add_option("--cert", args->certs,
                    "certificate (PEM or DER), directory of them, as the IMA keyring would "
                    "hold, or pkcs11: URI of a certificate on a token (repeatable)")
        ->required()
        ->allow_extra_args(false);
    cmd->add_option(
        "--pin-file", args->pin_file,
        "file holding the token PIN, for a --cert pkcs11: URI on a token that shows its "
        "certificates only after login (else OSTREE_IMA_PIN; never a prompt)");
    cmd->add_flag("--require-all", args->require_all,
                  "unsigned files (among the selected) are failures too; with --deployment, "
                  "so is what under /usr could not be checked");
    cmd->add_option("--hash,--hashalgo,-a", args->hash,
                    "require signatures over digests of this algorithm");
    cmd->add_flag("--verity", args->verity,
                  "require fs-verity signatures (type 6, sigv3); without it each file's "
                  "security.ima is checked in whichever format it holds");
    cmd->add_flag("--evm", args->evm,
                  "require a valid portable EVM signature (security.evm) on every validly signed "
                  "file; without it a security.evm present is still checked");
    cmd->add_flag("--json", args->json, "print a JSON report with every finding on stdout");
    cmd->add_flag("--quiet,-q", args->quiet,
                  "no text report: the exit code says the result (--json still prints)");
    add_jobs_option(*cmd, args->jobs);
    args->select.add_options(*cmd);
    cmd->add_option("--deployment", args->deployment,
                    "verify a deployed or checked-out tree on disk (its root: usr/, etc/) "
                    "instead of a commit; /etc files are told apart as valid, stale (edited "
                    "since deployment) or unsigned (replaced or added), never failures; what "
                    "cannot be read or measured is reported unchecked");
    cmd->add_option("REV", args->rev, "ref or commit checksum to verify (not with --deployment)");
    add_exit_codes_footer(*cmd,
                          "a checked signature is invalid (or, with --require-all, a selected "
                          "file is unsigned)");

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        if (!args->deployment.empty()) {
            if (!args->rev.empty() || args->select.selector().path_dependent() ||
                args->select.executables_only)
                throw UsageError("--deployment verifies a tree on disk: leave out REV, "
                                 "--include, --exclude and --executables-only");
            // Not silently ignored: a deployment's security.evm is not checked.
            if (args->evm)
                throw UsageError("--deployment checks security.ima only, not security.evm: "
                                 "leave out --evm (verify the commit with --evm instead)");
            DeploymentVerifyRequest request;
            request.path = args->deployment;
            split_certificates(*args, request.cert_paths, request.certificates);
            request.require_all = args->require_all;
            request.required_algo = args->hash.empty() ? nullptr : &hash_algo_by_name(args->hash);
            if (args->verity)
                request.required_scheme = &scheme_option(true);
            request.jobs = args->jobs;
            return verify_deployment_tree(*args, request);
        }
        if (args->rev.empty())
            throw UsageError("verify needs REV (a ref or commit checksum), or --deployment DIR");
        VerifyRequest request;
        request.repo_path = args->repo.path();
        request.rev = args->rev;
        split_certificates(*args, request.cert_paths, request.certificates);
        request.require_all = args->require_all;
        request.required_algo = args->hash.empty() ? nullptr : &hash_algo_by_name(args->hash);
        if (args->verity)
            request.required_scheme = &scheme_option(true);
        request.require_evm = args->evm;
        request.selector = args->select.selector();
        request.jobs = args->jobs;
        const auto progress = terminal_progress(args->quiet, args->json);
        request.progress = progress.get();
        const VerifyReport r = verify_commit(request);
        if (args->json) {
            std::cout << report_json(r, request)
                             .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                      << std::endl;
        } else if (!args->quiet) {
            HiddenFindings hidden;
            for (const auto &f : r.findings) {
                if (!finding_fails(f, r) && !verbose()) {
                    hidden.add(problem_name(f.problem));
                    continue;
                }
                std::cout << printable(f.path) << ": " << problem_name(f.problem) << ": "
                          << f.detail << "\n";
            }
            std::cout << hidden.text() << summary(r) << std::endl;
        }
        return r.passed() ? 0 : 1;
    };
}

} // namespace ostree_ima::cli
