#include "cli/binding_report.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/jobs_option.hpp"
#include "cli/json_report.hpp"
#include "cli/repo_option.hpp"
#include "cli/selector_arguments.hpp"
#include "cli/terminal_progress.hpp"

#include "ostree-ima/commit_stripper.hpp"
#include "util/wording.hpp"

#include <iostream>

namespace ostree_ima::cli {

namespace {
struct StripArguments {
    RepoOption repo;
    std::string source;
    std::string target;
    bool quiet = false;
    bool json = false;
    unsigned jobs = default_jobs();
    SelectorArguments select;
};
} // namespace

Runner add_strip_command(CLI::App &app)
{
    auto args = std::make_shared<StripArguments>();
    CLI::App *cmd = app.add_subcommand(
        "strip", "write a commit without security.ima on the (selected) files, everything else "
                 "kept; print its checksum");
    args->repo.add_to(*cmd);
    add_jobs_option(*cmd, args->jobs);
    cmd->add_flag("--json", args->json, "print a JSON report on stdout instead of the checksum");
    cmd->add_flag("--quiet,-q", args->quiet, "no summary or progress on stderr");
    args->select.add_options(*cmd);
    cmd->add_option("SRC_REV", args->source, "ref or commit checksum to strip")->required();
    cmd->add_option("TARGET_REF", args->target, "ref to point at the new commit");
    add_exit_codes_footer(*cmd);

    return [args, cmd]() -> int {
        if (!cmd->parsed())
            return -1;
        StripRequest request;
        request.repo_path = args->repo.path();
        request.source_rev = args->source;
        request.target_ref = args->target;
        request.selector = args->select.selector();
        request.jobs = args->jobs;
        const auto progress = terminal_progress(args->quiet, args->json);
        request.progress = progress.get();
        const StripReport r = strip_commit(request);
        if (args->json) {
            nlohmann::ordered_json j = json_report("ostree-ima-strip-report");
            j["source_commit"] = r.source_commit;
            j["commit"] = r.new_commit;
            j["ref"] = args->target.empty() ? nlohmann::ordered_json(nullptr)
                                            : nlohmann::ordered_json(args->target);
            j["files_stripped"] = r.files_stripped;
            j["unique_objects_stripped"] = r.unique_stripped;
            add_binding_json(j, r.binding);
            std::cout << j.dump() << std::endl;
            return 0;
        }
        if (!args->quiet)
            std::cerr << "ostree-ima: removed security.ima from "
                      << counted(r.files_stripped, "file", "files") << " ("
                      << counted(r.unique_stripped, "unique object", "unique objects") << ")"
                      << (args->target.empty() ? "" : "; " + args->target + " updated") << "\n"
                      << binding_text(r.binding, args->target, r.new_commit);
        std::cout << r.new_commit << std::endl;
        return 0;
    };
}

} // namespace ostree_ima::cli
