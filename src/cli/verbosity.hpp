// -v/--verbose, as the ostree CLI has it: before the command or after it.
// It shows what a run leaves out by default (verify's findings that do not
// fail the run; libostree's and GLib's own messages).
#pragma once

#include <CLI/CLI.hpp>

namespace ostree_ima::cli {

// Adds -v/--verbose to the app and to each of its commands (call after the
// commands are added).
void add_verbose_flags(CLI::App &app);

// Whether -v/--verbose was given (or OSTREE_IMA_DEBUG=1 is set).
bool verbose();

} // namespace ostree_ima::cli
