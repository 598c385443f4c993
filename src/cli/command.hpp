// Each subcommand registers its options on the CLI11 app and returns the
// function that runs it (after parsing) and yields the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace ostree_ima::cli {

using Runner = std::function<int()>;

Runner add_sign_command(CLI::App &app);
Runner add_ima_sign_command(CLI::App &app);
Runner add_verify_command(CLI::App &app);
Runner add_strip_command(CLI::App &app);
Runner add_digests_command(CLI::App &app);
Runner add_sign_digests_command(CLI::App &app);
Runner add_apply_command(CLI::App &app);
Runner add_keys_command(CLI::App &app);
Runner add_policy_command(CLI::App &app);
Runner add_keylime_policy_command(CLI::App &app);

} // namespace ostree_ima::cli
