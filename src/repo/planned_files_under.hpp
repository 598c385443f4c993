// planned_files_under: the selected files of a planned commit below one
// directory, with their paths, walked from the plan's recorded dirtrees (no
// repository access). `sign` uses it to count what it signs under /usr/etc.
#pragma once

#include "repo/commit_plan.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace ostree_ima {

struct PlannedFile {
    std::string path;   // "/usr/etc/some.conf"
    std::size_t object; // index in CommitPlan::objects
};

// `dir` is an absolute path ("/usr/etc"); an empty list when the commit has
// no such directory. Files in path order (dirtree entries are sorted), a
// directory's files before its subdirectories'.
std::vector<PlannedFile> planned_files_under(const CommitPlan &plan, const std::string &dir);

// Every selected path of one object (an index in CommitPlan::objects), in
// path order: for messages about the object, which the user acts on by path.
std::vector<std::string> planned_paths_of(const CommitPlan &plan, std::size_t object);

} // namespace ostree_ima
