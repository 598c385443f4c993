// The progress display's text: the line a terminal shows while a step runs
// and the line it leaves when the step is done (cli/terminal_progress draws
// them). One place for the wording, which tests read.
#pragma once

#include "ostree-ima/progress.hpp"

#include <string>

namespace ostree_ima {

// "signing: 12/840 objects, 30.0 MiB of 354.0 MiB read, 25.0 MiB/s; 10
// signatures made, 2 reused; 2 min 46 s left"; "...; finishing" once every
// unit is done.
std::string progress_line(const ProgressUpdate &u);

// "signing: 840 objects, 354.0 MiB read; 10 signatures made, 830 reused;
// done in 2.4 s".
std::string progress_summary(const ProgressUpdate &u);

// "354.0 MiB", "512 B".
std::string byte_size_text(double bytes);

} // namespace ostree_ima
