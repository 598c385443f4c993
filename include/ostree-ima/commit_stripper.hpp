// strip_commit: the `strip` job. A commit identical to the source but
// without security.ima on the selected files.
#pragma once

#include "ostree-ima/commit_binding.hpp"
#include "ostree-ima/export.hpp"
#include "ostree-ima/path_selector.hpp"
#include "ostree-ima/progress.hpp"

#include <cstdint>
#include <string>

namespace ostree_ima {

struct StripRequest {
    std::string repo_path;
    std::string source_rev;
    std::string target_ref; // empty: write the commit, move no ref
    PathSelector selector;
    unsigned jobs = 1;
    ProgressSink *progress = nullptr; // told how far the job is (may be null)
};

struct StripReport {
    std::string source_commit;
    std::string new_commit;
    std::uint64_t files_stripped = 0;  // paths that lost security.ima
    std::uint64_t unique_stripped = 0; // content objects rewritten
    CommitBinding binding;             // the new commit's ref and collection bindings
};

// One OSTree transaction; the ref moves only when everything is written.
// Throws Error (repository and ref untouched).
OSTREE_IMA_EXPORT StripReport strip_commit(const StripRequest &request);

} // namespace ostree_ima
