// --allow-large-xattrs: defined once for the commands that write signatures
// into a commit (sign, ima-sign, apply).
#pragma once

#include <CLI/CLI.hpp>

namespace ostree_ima::cli {

void add_large_xattrs_option(CLI::App &cmd, bool &allow);

} // namespace ostree_ima::cli
