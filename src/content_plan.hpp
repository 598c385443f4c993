// ContentPlan: the unique content objects of a commit that a PathSelector
// picks, each with the selected paths that refer to it.
#pragma once

#include "commit_walker.hpp"
#include "ostree-ima/path_selector.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ostree_ima {

struct ContentPlan {
    std::vector<std::string> objects;            // first-seen order
    std::vector<std::uint64_t> path_count;       // selected paths per object
    std::vector<std::vector<std::string>> paths; // per object, when asked for
    std::unordered_map<std::string, std::size_t> index;

    // The planned object that `path` refers to, when that path is selected;
    // nullopt means the path keeps its old object. For TreeRewriter's FileMap.
    [[nodiscard]] std::optional<std::size_t> object_at(const PathSelector &selector,
                                                       const std::string &path,
                                                       const std::string &checksum) const;
};

enum class PlanPaths { Count, Keep };

// Walks the commit; an object is planned when a selected path refers to it.
// With --executables-only, objects whose mode has no x bit are then dropped:
// that needs each object's header, read on `jobs` threads.
ContentPlan plan_content(OstreeRepo *repo, const std::string &commit, const PathSelector &selector,
                         unsigned jobs, PlanPaths paths = PlanPaths::Count);

// The order in which to process the plan's objects: largest object file
// first, so that the biggest files start early and the small ones fill in
// around them, instead of one large file keeping one thread busy at the end
// while the others idle. Sizes come from one fstatat per object; an object
// that cannot be stat'ed goes last (processing it reports the error).
std::vector<std::size_t> largest_first(OstreeRepo *repo, const ContentPlan &plan, unsigned jobs);

} // namespace ostree_ima
