// An empty option value is a usage error. CLI11 takes the word after an
// empty `--opt=` as the option's value (`--reuse=$PREV base published` with
// PREV empty reused `base` and signed `published`), and an empty `--opt ""`
// is never meant either: a script lost the value it meant to pass.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace ostree_ima::cli {

// Adds a check refusing an empty value to every named option that takes a
// value, of `app` and of its subcommands: call it once all are declared.
void refuse_empty_values(CLI::App &app);

// The message for the first `--name=` with nothing after the '=' that names
// an option taking a value (of `app` or a subcommand), before "--"; none
// when there is no such word. Checked on argv before CLI11 parses it.
[[nodiscard]] std::optional<std::string> empty_inline_value(const CLI::App &app, int argc,
                                                            const char *const *argv);

} // namespace ostree_ima::cli
