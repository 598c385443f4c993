// The exit codes every command shares, as the footer of its --help (and of
// the man page, docs/man/ostree-ima.1.scd).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace ostree_ima::cli {

// Sets cmd's --help footer to the exit codes; `failure` says what exit 1
// means for this command ("" for the common meaning).
void add_exit_codes_footer(CLI::App &cmd, const std::string &failure = "");

} // namespace ostree_ima::cli
