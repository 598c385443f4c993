#include "cli/jobs_option.hpp"

#include "util/quoted_input.hpp"

#include <algorithm>
#include <string>
#include <thread>

namespace ostree_ima::cli {

unsigned default_jobs()
{
    const unsigned n = std::thread::hardware_concurrency();
    return std::clamp(n, 1U, kMaxJobs);
}

void add_jobs_option(CLI::App &cmd, unsigned &jobs, const std::string &what)
{
    // Checked as text before CLI11 converts it: its own range check printed
    // the limits of a double (a 309-digit number) for --jobs=0.
    const CLI::Validator range(
        [](std::string &value) -> std::string {
            const bool digits = !value.empty() && value.size() <= 4 &&
                                value.find_first_not_of("0123456789") == std::string::npos;
            if (digits) {
                const auto n = static_cast<unsigned>(std::stoul(value));
                if (n >= 1 && n <= kMaxJobs)
                    return {};
            }
            return "must be a whole number from 1 to " + std::to_string(kMaxJobs) + ", not " +
                   quoted_input(value);
        },
        "1-" + std::to_string(kMaxJobs));
    cmd.add_option("--jobs,-j", jobs,
                   what + " (1 to " + std::to_string(kMaxJobs) + "; default: online CPUs)")
        ->check(range);
}

} // namespace ostree_ima::cli
