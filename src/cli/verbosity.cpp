#include "cli/verbosity.hpp"

#include <atomic>
#include <cstdlib>

namespace ostree_ima::cli {

namespace {
// Read by GLib's log writer, which libostree may call from its threads.
std::atomic<bool> verbose_given{false};
} // namespace

void add_verbose_flags(CLI::App &app)
{
    const auto set = [](std::int64_t count) { verbose_given = count > 0; };
    const char *help = "show more: every finding of verify, also unsigned files that do not "
                       "fail the run; messages of libostree and GLib";
    app.add_flag_function("--verbose,-v", set, help);
    for (CLI::App *sub : app.get_subcommands({}))
        sub->add_flag_function("--verbose,-v", set, help);
}

bool verbose()
{
    return verbose_given || std::getenv("OSTREE_IMA_DEBUG") != nullptr;
}

} // namespace ostree_ima::cli
