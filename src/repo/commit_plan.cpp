#include "repo/commit_plan.hpp"

#include "objects/stored_object.hpp"
#include "repo/commit_walker.hpp"
#include "repo/raw_checksum.hpp"
#include "util/gerror.hpp"
#include "util/glib_ptr.hpp"
#include "util/parallel_for.hpp"

#include <algorithm>
#include <fcntl.h>
#include <gio/gio.h>
#include <numeric>
#include <sys/stat.h>
#include <unordered_map>

namespace ostree_ima {

namespace {
// st_mode of a content object, from its header only (no content stream).
std::uint32_t object_mode(OstreeRepo *repo, const std::string &checksum)
{
    return g_file_info_get_attribute_uint32(content_object_info(repo, checksum).get(),
                                            "unix::mode");
}

class PlanBuilder {
  public:
    PlanBuilder(OstreeRepo *repo, const PathSelector &selector, PlanPaths paths, CommitPlan &plan,
                const PathSelector *unsign)
        : walker_(repo), selector_(selector), unsign_(unsign),
          keep_paths_(paths == PlanPaths::Keep), plan_(plan),
          share_dirs_(!selector.path_dependent() && unsign == nullptr)
    {
    }

    void walk()
    {
        plan_.commit_object = walker_.load_commit(plan_.commit);
        const GVariantPtr root_meta(g_variant_get_child_value(plan_.commit_object.get(), 7));
        std::string path;
        walker_.check_dirmeta(root_meta.get(), path);
        (void)visit(CommitWalker::root_tree(plan_.commit_object.get()), path);
    }

  private:
    // Records the directory at `path` (or, when shared, counts its paths
    // again); returns its index in plan_.dirs.
    std::size_t visit(const std::string &checksum, std::string &path)
    {
        if (share_dirs_) {
            if (const auto it = shared_.find(checksum); it != shared_.end()) {
                count_again(it->second, path);
                return it->second;
            }
        }
        const std::size_t index = plan_.dirs.size();
        if (share_dirs_)
            shared_.emplace(checksum, index);
        plan_.dirs.emplace_back();
        {
            PlannedDir &dir = plan_.dirs.back();
            dir.checksum = checksum;
            dir.path = path;
            dir.dirtree = walker_.load_dirtree(checksum, path);
        }
        GVariant *tree = plan_.dirs[index].dirtree.get();
        const std::size_t base = path.size();
        const GVariantPtr files(g_variant_get_child_value(tree, 0));
        const gsize n_files = g_variant_n_children(files.get());
        std::vector<std::int64_t> file_object(n_files, kNotSelected);
        for (gsize i = 0; i < n_files; ++i) {
            const char *name = nullptr;
            GVariant *csum_raw = nullptr;
            g_variant_get_child(files.get(), i, "(&s@ay)", &name, &csum_raw);
            const GVariantPtr csum(csum_raw);
            path.append("/").append(name);
            if (selector_.selects_path(path))
                file_object[i] = add_path(raw_checksum_from_variant(csum.get()), path, false);
            else if (unsign_ != nullptr && unsign_->selects_path(path))
                file_object[i] = add_path(raw_checksum_from_variant(csum.get()), path, true);
            path.resize(base);
        }
        const GVariantPtr dirs(g_variant_get_child_value(tree, 1));
        const gsize n_dirs = g_variant_n_children(dirs.get());
        std::vector<std::size_t> subdirs(n_dirs);
        for (gsize i = 0; i < n_dirs; ++i) {
            const char *name = nullptr;
            GVariant *tree_raw = nullptr;
            GVariant *meta_raw = nullptr;
            g_variant_get_child(dirs.get(), i, "(&s@ay@ay)", &name, &tree_raw, &meta_raw);
            const GVariantPtr subtree(tree_raw);
            const GVariantPtr meta(meta_raw);
            path.append("/").append(name);
            walker_.check_dirmeta(meta.get(), path);
            subdirs[i] = visit(checksum_from_variant(subtree.get()), path);
            path.resize(base);
        }
        // plan_.dirs may have grown (and moved) while visiting subdirectories.
        plan_.dirs[index].file_object = std::move(file_object);
        plan_.dirs[index].subdirs = std::move(subdirs);
        return index;
    }

    std::int64_t add_path(const RawChecksum &checksum, const std::string &path, bool unsign)
    {
        const auto [it, inserted] =
            (unsign ? unsign_index_ : index_).try_emplace(checksum, plan_.objects.size());
        if (inserted) {
            plan_.objects.push_back(checksum);
            plan_.path_count.push_back(0);
            if (keep_paths_)
                plan_.paths.emplace_back();
            if (unsign_ != nullptr)
                plan_.unsign.push_back(unsign ? 1 : 0);
        }
        ++plan_.path_count[it->second];
        if (keep_paths_)
            plan_.paths[it->second].push_back(path);
        return static_cast<std::int64_t>(it->second);
    }

    // A shared directory met again at `path`: its selected files are paths
    // too (the selector does not depend on paths, so the same ones).
    void count_again(std::size_t index, std::string &path)
    {
        const PlannedDir &dir = plan_.dirs[index];
        const std::size_t base = path.size();
        const GVariantPtr files(g_variant_get_child_value(dir.dirtree.get(), 0));
        for (std::size_t i = 0; i < dir.file_object.size(); ++i) {
            const std::int64_t object = dir.file_object[i];
            if (object == kNotSelected)
                continue;
            const auto o = static_cast<std::size_t>(object);
            ++plan_.path_count[o];
            if (keep_paths_) {
                const char *name = nullptr;
                g_variant_get_child(files.get(), i, "(&s@ay)", &name, nullptr);
                plan_.paths[o].push_back(path + "/" + name);
            }
        }
        const GVariantPtr dirs(g_variant_get_child_value(dir.dirtree.get(), 1));
        for (std::size_t i = 0; i < dir.subdirs.size(); ++i) {
            const char *name = nullptr;
            g_variant_get_child(dirs.get(), i, "(&s@ay@ay)", &name, nullptr, nullptr);
            path.append("/").append(name);
            count_again(dir.subdirs[i], path);
            path.resize(base);
        }
    }

    CommitWalker walker_;
    const PathSelector &selector_;
    const PathSelector *unsign_;
    bool keep_paths_;
    CommitPlan &plan_;
    bool share_dirs_;
    std::unordered_map<std::string, std::size_t> shared_;
    // By checksum bytes: one entry per object of the commit.
    std::unordered_map<RawChecksum, std::size_t, RawChecksumHash> index_;
    std::unordered_map<RawChecksum, std::size_t, RawChecksumHash> unsign_index_;
};

// --executables-only: objects whose mode has no x bit are dropped, and the
// recorded files renumbered.
void keep_objects(CommitPlan &plan, const std::vector<char> &keep)
{
    std::vector<std::int64_t> renumber(plan.objects.size(), kNotSelected);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < plan.objects.size(); ++i) {
        if (keep[i] == 0)
            continue;
        renumber[i] = static_cast<std::int64_t>(kept);
        if (kept != i) { // a self-move would empty the paths
            plan.objects[kept] = plan.objects[i];
            plan.path_count[kept] = plan.path_count[i];
            if (!plan.paths.empty())
                plan.paths[kept] = std::move(plan.paths[i]);
            if (!plan.unsign.empty())
                plan.unsign[kept] = plan.unsign[i];
        }
        ++kept;
    }
    plan.objects.resize(kept);
    plan.path_count.resize(kept);
    if (!plan.paths.empty())
        plan.paths.resize(kept);
    if (!plan.unsign.empty())
        plan.unsign.resize(kept);
    for (PlannedDir &dir : plan.dirs)
        for (std::int64_t &object : dir.file_object)
            if (object != kNotSelected)
                object = renumber[static_cast<std::size_t>(object)];
}
} // namespace

std::uint64_t CommitPlan::total_paths() const
{
    return std::accumulate(path_count.begin(), path_count.end(), std::uint64_t{0});
}

CommitPlan plan_commit(OstreeRepo *repo, const std::string &commit, const PathSelector &selector,
                       unsigned jobs, PlanPaths paths, const PathSelector *unsign)
{
    CommitPlan plan;
    plan.commit = commit;
    PlanBuilder(repo, selector, paths, plan, unsign).walk();
    if (selector.executables_only()) {
        std::vector<char> keep(plan.objects.size(), 0);
        parallel_for(plan.objects.size(), jobs, [&](std::size_t i) {
            // Unsigned paths are left without signature whatever their mode.
            const bool unsigned_path = !plan.unsign.empty() && plan.unsign[i] != 0;
            keep[i] =
                unsigned_path || selector.selects_mode(object_mode(repo, plan.object(i))) ? 1 : 0;
        });
        keep_objects(plan, keep);
    }
    return plan;
}

ProcessingOrder largest_first(const ObjectStore &store, const CommitPlan &plan, unsigned jobs)
{
    const int dfd = ostree_repo_get_dfd(store.repo());
    std::vector<std::int64_t> size(plan.objects.size(), -1);
    parallel_for(plan.objects.size(), jobs, [&](std::size_t i) {
        struct stat st {};
        const std::string rel = store.relpath(plan.object(i));
        if (::fstatat(dfd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
            size[i] = st.st_size;
    });
    ProcessingOrder out;
    out.order.resize(plan.objects.size());
    std::iota(out.order.begin(), out.order.end(), std::size_t{0});
    // Stable: equal sizes keep the walk's order.
    std::stable_sort(out.order.begin(), out.order.end(),
                     [&](std::size_t a, std::size_t b) { return size[a] > size[b]; });
    out.stored_size.resize(size.size());
    for (std::size_t i = 0; i < size.size(); ++i) {
        out.stored_size[i] = size[i] < 0 ? 0 : static_cast<std::uint64_t>(size[i]);
        out.total_stored += out.stored_size[i];
    }
    return out;
}

ProcessingOrder processing_order(const ObjectStore &store, const CommitPlan &plan, unsigned jobs,
                                 bool with_sizes)
{
    if (with_sizes)
        return largest_first(store, plan, jobs);
    ProcessingOrder out;
    out.order.resize(plan.objects.size());
    std::iota(out.order.begin(), out.order.end(), std::size_t{0});
    out.stored_size.assign(plan.objects.size(), 0);
    return out;
}

} // namespace ostree_ima
