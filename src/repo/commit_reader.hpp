// read_commit: the one loop of every job that only reads a commit (verify,
// digests, keylime-policy's digests, the --reuse commits): the plan, the
// object store, the workers, the progress and the stop requests; the
// read-only twin of jobs/commit_rewrite. A job says what it does with one
// object; the repository is never written.
#pragma once

#include "objects/stored_object.hpp"
#include "ostree-ima/path_selector.hpp"
#include "repo/commit_plan.hpp"
#include "repo/repo.hpp"
#include "util/progress.hpp"

#include <cstddef>
#include <functional>
#include <string>

namespace ostree_ima {

struct CommitReadRequest {
    std::string commit; // a commit checksum (Repo::resolve_commit)
    PathSelector selector;
    unsigned jobs = 1;
    ProgressSink *progress = nullptr; // may be null
    ProgressStep step{"reading"};
    // The largest objects first even without progress (the sizes cost one
    // stat per object; with progress they are always taken).
    bool largest_first = false;
    // What Interrupted says when a stop request ends the read ("verify only
    // reads the repository"); empty: the read just ends early and the
    // caller checks stop_requested().
    std::string interrupted;
};

// What a job does with the commit's objects: `start` (may be empty) once
// with the plan and the store, before the workers (to size its results;
// objects are numbered as plan.objects); `read` on worker threads, once per
// planned object (what it throws ends the read and is thrown on).
struct ObjectReader {
    std::function<void(const CommitPlan &, const ObjectStore &)> start;
    std::function<void(const ObjectStore &, std::size_t index, const std::string &checksum)> read;
};

// Returns the plan, its paths kept. Throws Error for a commit that cannot
// be planned, Interrupted as the request says.
CommitPlan read_commit(const Repo &repo, const CommitReadRequest &request,
                       const ObjectReader &reader);

} // namespace ostree_ima
