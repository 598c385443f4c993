#include "content_plan.hpp"

#include "content_object.hpp"
#include "gerror.hpp"
#include "gvariant_ptr.hpp"
#include "object_file_io.hpp"
#include "parallel_for.hpp"

#include <algorithm>
#include <fcntl.h>
#include <gio/gio.h>
#include <numeric>
#include <sys/stat.h>

namespace ostree_ima {

namespace {
// st_mode of a content object, from its header only (no content stream).
std::uint32_t object_mode(OstreeRepo *repo, const std::string &checksum)
{
    GFileInfo *raw_info = nullptr;
    GError *error = nullptr;
    const gboolean ok =
        ostree_repo_load_file(repo, checksum.c_str(), nullptr, &raw_info, nullptr, nullptr, &error);
    const GObjectPtr<GFileInfo> info(raw_info);
    check_g(ok, error, "cannot read content object " + checksum);
    return g_file_info_get_attribute_uint32(info.get(), "unix::mode");
}

void keep_objects(ContentPlan &plan, const std::vector<char> &keep)
{
    ContentPlan kept;
    for (std::size_t i = 0; i < plan.objects.size(); ++i) {
        if (keep[i] == 0)
            continue;
        kept.index.emplace(plan.objects[i], kept.objects.size());
        kept.objects.push_back(std::move(plan.objects[i]));
        kept.path_count.push_back(plan.path_count[i]);
        if (!plan.paths.empty())
            kept.paths.push_back(std::move(plan.paths[i]));
    }
    plan = std::move(kept);
}
} // namespace

std::optional<std::size_t> ContentPlan::object_at(const PathSelector &selector,
                                                  const std::string &path,
                                                  const std::string &checksum) const
{
    const auto it = index.find(checksum);
    if (it == index.end() || !selector.selects_path(path))
        return std::nullopt;
    return it->second;
}

ContentPlan plan_content(OstreeRepo *repo, const std::string &commit, const PathSelector &selector,
                         unsigned jobs, PlanPaths paths)
{
    ContentPlan plan;
    CommitWalker walker(repo);
    walker.walk(commit, [&](const FileEntry &entry) {
        if (!selector.selects_path(entry.path))
            return;
        auto [it, inserted] = plan.index.try_emplace(entry.content_checksum, plan.objects.size());
        if (inserted) {
            plan.objects.push_back(entry.content_checksum);
            plan.path_count.push_back(0);
            if (paths == PlanPaths::Keep)
                plan.paths.emplace_back();
        }
        ++plan.path_count[it->second];
        if (paths == PlanPaths::Keep)
            plan.paths[it->second].push_back(entry.path);
    });
    if (selector.executables_only()) {
        std::vector<char> keep(plan.objects.size(), 0);
        parallel_for(plan.objects.size(), jobs, [&](std::size_t i) {
            keep[i] = selector.selects_mode(object_mode(repo, plan.objects[i])) ? 1 : 0;
        });
        keep_objects(plan, keep);
    }
    return plan;
}

std::vector<std::size_t> largest_first(OstreeRepo *repo, const ContentPlan &plan, unsigned jobs)
{
    const int dfd = ostree_repo_get_dfd(repo);
    const bool archive = ostree_repo_get_mode(repo) == OSTREE_REPO_MODE_ARCHIVE;
    std::vector<std::int64_t> size(plan.objects.size(), -1);
    parallel_for(plan.objects.size(), jobs, [&](std::size_t i) {
        struct stat st {};
        const std::string rel = content_object_relpath(plan.objects[i], archive);
        if (::fstatat(dfd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
            size[i] = st.st_size;
    });
    std::vector<std::size_t> order(plan.objects.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Stable: equal sizes keep the walk's order.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return size[a] > size[b]; });
    return order;
}

} // namespace ostree_ima
