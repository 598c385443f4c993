// --jobs: how many worker threads a command runs, defined once for every
// command that takes it (sign, ima-sign, verify, strip, digests,
// sign-digests, apply).
#pragma once

#include <CLI/CLI.hpp>

namespace ostree_ima::cli {

// More threads than this only contend for the repository and the key (a
// token signs one at a time per session); and each thread reserves a stack:
// --jobs=100000 ended in "Resource temporarily unavailable" after 300 MB.
inline constexpr unsigned kMaxJobs = 1024;

// Online CPUs, at least 1 and at most kMaxJobs.
unsigned default_jobs();

// Adds "--jobs,-j" for `jobs` (what: "worker threads", "signing threads").
// A value that is not a whole number from 1 to kMaxJobs is a usage error
// (exit 2) naming the range.
void add_jobs_option(CLI::App &cmd, unsigned &jobs, const std::string &what = "worker threads");

} // namespace ostree_ima::cli
