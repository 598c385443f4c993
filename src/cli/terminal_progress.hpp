// The progress display: a ProgressSink that draws the job's counts as one
// line on stderr, redrawn in place, and leaves a last line with the time
// taken. Only on a terminal, and neither with -q nor with --json.
#pragma once

#include "ostree-ima/progress.hpp"

#include <memory>

namespace ostree_ima::cli {

// Null (no display) unless stderr is a terminal and neither `quiet` nor
// `json`; a command passes .get() as its request's `progress`.
std::unique_ptr<ProgressSink> terminal_progress(bool quiet, bool json);

} // namespace ostree_ima::cli
