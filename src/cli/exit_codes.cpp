#include "cli/exit_codes.hpp"

namespace ostree_ima::cli {

void add_exit_codes_footer(CLI::App &cmd, const std::string &failure)
{
    cmd.footer("Exit codes:\n"
               "  0    success\n"
               "  1    " +
               (failure.empty() ? std::string() : failure + "; or ") +
               "failure: one line on stderr names what failed and what to do, nothing was changed\n"
               "  2    usage error (unknown option, bad value, missing argument)\n"
               "  130  stopped by SIGINT, 143 by SIGTERM: nothing was changed");
}

} // namespace ostree_ima::cli
