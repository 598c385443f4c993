// CommitPlan: one walk of a commit, recorded for everything a job does after
// it. Every dirtree is loaded (and checked against its name) once, and every
// path is matched against the selector once; the unique selected content
// objects are what the workers process, and TreeRewriter writes the new
// dirtrees from the recorded ones.
#pragma once

#include "ostree-ima/path_selector.hpp"
#include "repo/raw_checksum.hpp"
#include "util/glib_ptr.hpp"

#include <cstdint>
#include <ostree.h>
#include <string>
#include <vector>

namespace ostree_ima {

class ObjectStore;

// One directory of the commit. With a path-independent selector a dirtree
// that appears at several paths is recorded once and shared.
struct PlannedDir {
    std::string checksum; // its dirtree
    std::string path;     // where it was first met, for messages ("" is /)
    GVariantPtr dirtree;  // (a(say)a(sayay)), checked against its name
    // Per file entry, in dirtree order: the index in CommitPlan::objects,
    // or kNotSelected.
    std::vector<std::int64_t> file_object;
    std::vector<std::size_t> subdirs; // per directory entry: index in CommitPlan::dirs
};

inline constexpr std::int64_t kNotSelected = -1;

struct CommitPlan {
    std::string commit;        // checksum
    GVariantPtr commit_object; // checked against its name
    // Unique selected content objects, first-seen order: 32 bytes each (a
    // 64-digit string takes 112 with its heap block, at every file).
    std::vector<RawChecksum> objects;
    std::vector<std::uint64_t> path_count;       // selected paths per object
    std::vector<std::vector<std::string>> paths; // per object, when asked for
    std::vector<PlannedDir> dirs;                // dirs[0] is the root
    // Per object, with an `unsign` selector: 1 when it was planned for paths
    // that selector selects (and the selector does not): a job removes
    // signatures there instead. Empty without one.
    std::vector<char> unsign;

    // objects[i] as 64 hex digits.
    [[nodiscard]] std::string object(std::size_t i) const { return hex_of(objects[i]); }
    // Every selected path of every object.
    [[nodiscard]] std::uint64_t total_paths() const;
};

enum class PlanPaths { Count, Keep };

// Walks the commit; an object is planned when a selected path refers to it.
// With --executables-only, objects whose mode has no x bit are then dropped:
// that needs each object's header, read on `jobs` threads. Error names the
// damaged object and its path (docs/reliability.md).
// `unsign` (may be null): paths `selector` leaves out but a job must still
// rewrite (sign --skip-usr-etc removes the signatures under /usr/etc). An
// object met at both kinds of path is planned once for each.
CommitPlan plan_commit(OstreeRepo *repo, const std::string &commit, const PathSelector &selector,
                       unsigned jobs, PlanPaths paths = PlanPaths::Count,
                       const PathSelector *unsign = nullptr);

// The order in which to process the plan's objects: largest object file
// first, so that the biggest files start early and the small ones fill in
// around them, instead of one large file keeping one thread busy at the end
// while the others idle. Sizes come from one fstatat per object; an object
// that cannot be stat'ed goes last (processing it reports the error).
struct ProcessingOrder {
    std::vector<std::size_t> order;         // indices of plan.objects
    std::vector<std::uint64_t> stored_size; // per object: its file's size (0: unknown)
    std::uint64_t total_stored = 0;
};
ProcessingOrder largest_first(const ObjectStore &store, const CommitPlan &plan, unsigned jobs);
// The order of a job that only reads: largest_first when its progress is
// shown (the sizes make the estimate), else the plan's (no stat at all).
ProcessingOrder processing_order(const ObjectStore &store, const CommitPlan &plan, unsigned jobs,
                                 bool with_sizes);

} // namespace ostree_ima
