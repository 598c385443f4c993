// --repo, taken as the ostree CLI takes it: after the command
// (`ostree-ima sign --repo=R`), before it (`ostree-ima --repo=R sign`), or
// from OSTREE_REPO. The first of these that is given wins, so an explicit
// --repo always beats the environment.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace ostree_ima::cli {

inline constexpr const char *kRepoEnvironment = "OSTREE_REPO";

// The --repo before any command; main.cpp adds it to the app.
CLI::Option *add_global_repo_option(CLI::App &app, std::string &repo);

class RepoOption {
  public:
    // Adds --repo to a command that opens a repository.
    void add_to(CLI::App &cmd);
    // The repository path; a UsageError (exit 2) naming the three ways to
    // give one when none is given.
    [[nodiscard]] std::string path() const;

  private:
    std::string given_;
    const CLI::Option *option_ = nullptr;
    const CLI::App *command_ = nullptr;
};

} // namespace ostree_ima::cli
