// SelectorArguments: --include / --exclude / --executables-only, shared by
// sign, verify, strip and digests (same meaning everywhere).
#pragma once

#include "ostree-ima/path_selector.hpp"

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace ostree_ima::cli {

struct SelectorArguments {
    std::vector<std::string> include;
    std::vector<std::string> exclude;
    bool executables_only = false;

    void add_options(CLI::App &cmd);
    // Throws UsageError for a bad glob.
    [[nodiscard]] PathSelector selector() const;
};

} // namespace ostree_ima::cli
