// rewrite_commit: the one pipeline of every job that writes a new commit
// from an old one (sign, ima-sign, apply, strip). It owns the interrupt
// scope, the repository, the transaction, the plan, the worker pool, the
// tree rewrite, the sync, the commit and the ref; a job only says what
// becomes of one content object (an ObjectRewrite: "add a signature",
// "remove it"; the next formats are transforms too).
#pragma once

#include "objects/stored_object.hpp"
#include "ostree-ima/commit_binding.hpp"
#include "ostree-ima/path_selector.hpp"
#include "repo/commit_plan.hpp"
#include "repo/commit_writer.hpp"
#include "repo/repo.hpp"
#include "util/cpu_slots.hpp"
#include "util/progress.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ostree_ima {

struct RewrittenObject {
    std::string checksum;         // the new object, or the old one when unchanged
    std::uint64_t bytes_read = 0; // content bytes read (for progress and reports)
};

class ObjectRewrite {
  public:
    virtual ~ObjectRewrite() = default;
    ObjectRewrite() = default;
    ObjectRewrite(const ObjectRewrite &) = delete;
    ObjectRewrite &operator=(const ObjectRewrite &) = delete;

    // Once, before the workers start: objects are numbered as plan.objects.
    // Throws Error to refuse the job before any object is written.
    virtual void start(const CommitPlan & /*plan*/, const ObjectStore & /*store*/) {}
    // For the progress display: whether it makes signatures, and how many
    // it made and reused so far.
    [[nodiscard]] virtual bool makes_signatures() const { return false; }
    [[nodiscard]] virtual SignatureProgress signatures() const { return {}; }
    // On worker threads, once per planned object, inside the transaction,
    // holding a CPU slot (which it gives up, cpu.away(...), while it waits
    // for something else: the key). Throws Error naming the object to stop
    // the whole job.
    virtual RewrittenObject rewrite(const ObjectStore &store, std::size_t index,
                                    const std::string &checksum, CpuSlots::Held &cpu) = 0;
    // Once, after every object and before any tree: throws Error to refuse
    // the job on what the objects showed together (the ref stays).
    virtual void finish() {}
};

struct RewriteRequest {
    std::string source_rev; // a ref or a commit checksum
    std::string target_ref; // empty: write the commit, move no ref
    PathSelector selector;
    unsigned jobs = 1;                // workers that use the CPU at once
    unsigned waiters = 0;             // more workers, for transforms that wait (on a slow key)
    ProgressSink *progress = nullptr; // the caller's, may be null
    ProgressStep step{"signing"};     // what the progress says is done
    bool needs_xattrs = false;        // refuse repositories that cannot hold security.ima
    // Paths the selector leaves out but the transform still gets, flagged in
    // plan.unsign (sign --skip-usr-etc).
    std::optional<PathSelector> unsign;
    // The job's own metadata entry (sign's record, strip's removal of it).
    MetadataEntryEdit metadata;
};

struct RewriteResult {
    std::string source_commit;
    std::string new_commit;
    CommitBinding binding;
    CommitPlan plan; // the objects and their path counts
    double seconds = 0;
};

// One OSTree transaction; the target ref moves only when every object, tree
// and the commit are written. SIGINT/SIGTERM stop it at the next phase
// boundary with Interrupted ("nothing was changed: the ref R still points
// at C"). Throws Error (repository and ref untouched).
RewriteResult rewrite_commit(const Repo &repo, const RewriteRequest &request,
                             ObjectRewrite &rewrite);

} // namespace ostree_ima
