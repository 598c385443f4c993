#include "repo/planned_files_under.hpp"

#include <algorithm>
#include <glib.h>

namespace ostree_ima {

namespace {
// The index in plan.dirs of the subdirectory `name` of dirs[index]; -1 when
// there is none.
std::ptrdiff_t subdir(const CommitPlan &plan, std::size_t index, const std::string &name)
{
    const PlannedDir &dir = plan.dirs[index];
    const GVariantPtr dirs(g_variant_get_child_value(dir.dirtree.get(), 1));
    for (std::size_t i = 0; i < dir.subdirs.size(); ++i) {
        const char *entry = nullptr;
        g_variant_get_child(dirs.get(), i, "(&s@ay@ay)", &entry, nullptr, nullptr);
        if (name == entry)
            return static_cast<std::ptrdiff_t>(dir.subdirs[i]);
    }
    return -1;
}

void collect(const CommitPlan &plan, std::size_t index, const std::string &path,
             std::vector<PlannedFile> &out)
{
    const PlannedDir &dir = plan.dirs[index];
    const GVariantPtr files(g_variant_get_child_value(dir.dirtree.get(), 0));
    for (std::size_t i = 0; i < dir.file_object.size(); ++i) {
        if (dir.file_object[i] == kNotSelected)
            continue;
        const char *name = nullptr;
        g_variant_get_child(files.get(), i, "(&s@ay)", &name, nullptr);
        out.push_back({path + "/" + name, static_cast<std::size_t>(dir.file_object[i])});
    }
    const GVariantPtr dirs(g_variant_get_child_value(dir.dirtree.get(), 1));
    for (std::size_t i = 0; i < dir.subdirs.size(); ++i) {
        const char *name = nullptr;
        g_variant_get_child(dirs.get(), i, "(&s@ay@ay)", &name, nullptr, nullptr);
        collect(plan, dir.subdirs[i], path + "/" + name, out);
    }
}
} // namespace

std::vector<PlannedFile> planned_files_under(const CommitPlan &plan, const std::string &dir)
{
    std::vector<PlannedFile> out;
    if (plan.dirs.empty())
        return out;
    std::size_t index = 0;
    std::string path;
    std::size_t start = 1;
    while (start < dir.size()) {
        const std::size_t end = std::min(dir.find('/', start), dir.size());
        const std::string name = dir.substr(start, end - start);
        const std::ptrdiff_t next = subdir(plan, index, name);
        if (next < 0)
            return out;
        index = static_cast<std::size_t>(next);
        path += "/" + name;
        start = end + 1;
    }
    collect(plan, index, path, out);
    return out;
}

std::vector<std::string> planned_paths_of(const CommitPlan &plan, std::size_t object)
{
    std::vector<std::string> paths;
    for (PlannedFile &file : planned_files_under(plan, "/"))
        if (file.object == object)
            paths.push_back(std::move(file.path));
    return paths;
}

} // namespace ostree_ima
