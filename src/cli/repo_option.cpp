#include "cli/repo_option.hpp"

#include "ostree-ima/error.hpp"

#include <cstdlib>

namespace ostree_ima::cli {

CLI::Option *add_global_repo_option(CLI::App &app, std::string &repo)
{
    return app.add_option("--repo", repo,
                          "OSTree repository of the command that follows (else OSTREE_REPO)");
}

void RepoOption::add_to(CLI::App &cmd)
{
    option_ = cmd.add_option("--repo", given_,
                             "OSTree repository (also before the command: ostree-ima --repo=PATH "
                             "COMMAND; else OSTREE_REPO)");
    command_ = &cmd;
}

std::string RepoOption::path() const
{
    if (option_ != nullptr && option_->count() > 0)
        return given_;
    if (command_ != nullptr && command_->get_parent() != nullptr) {
        const CLI::Option *global = command_->get_parent()->get_option_no_throw("--repo");
        if (global != nullptr && global->count() > 0)
            return global->as<std::string>();
    }
    // As the ostree CLI: an empty OSTREE_REPO is no repository.
    if (const char *env = std::getenv(kRepoEnvironment); env != nullptr && *env != '\0')
        return env;
    throw UsageError("no repository: give --repo=PATH (after or before the command) or set " +
                     std::string(kRepoEnvironment));
}

} // namespace ostree_ima::cli
