#include "repo/tree_rewriter.hpp"

#include "objects/metadata_object_writer.hpp"
#include "repo/commit_walker.hpp"

namespace ostree_ima {

TreeRewriter::TreeRewriter(OstreeRepo *repo, const CommitPlan &plan,
                           const std::vector<RawChecksum> &new_checksum)
    : repo_(repo), plan_(plan), new_checksum_(new_checksum), done_(plan.dirs.size())
{
}

std::string TreeRewriter::rewrite()
{
    return rewrite_dir(0);
}

const std::string &TreeRewriter::rewrite_dir(std::size_t index)
{
    if (done_[index])
        return *done_[index];
    const PlannedDir &dir = plan_.dirs[index];
    bool changed = false;

    VariantBuilder files(G_VARIANT_TYPE("a(say)"));
    const GVariantPtr old_files(g_variant_get_child_value(dir.dirtree.get(), 0));
    for (std::size_t i = 0; i < dir.file_object.size(); ++i) {
        const char *name = nullptr;
        GVariant *csum_raw = nullptr;
        g_variant_get_child(old_files.get(), i, "(&s@ay)", &name, &csum_raw);
        GVariantPtr csum(csum_raw);
        const std::int64_t object = dir.file_object[i];
        if (object != kNotSelected) {
            const auto o = static_cast<std::size_t>(object);
            if (new_checksum_[o] != plan_.objects[o]) {
                csum = take_variant(raw_checksum_variant(new_checksum_[o]));
                changed = true;
            }
        }
        g_variant_builder_add(files.get(), "(s@ay)", name, csum.get());
    }
    VariantBuilder dirs(G_VARIANT_TYPE("a(sayay)"));
    const GVariantPtr old_dirs(g_variant_get_child_value(dir.dirtree.get(), 1));
    for (std::size_t i = 0; i < dir.subdirs.size(); ++i) {
        const char *name = nullptr;
        GVariant *meta_raw = nullptr;
        g_variant_get_child(old_dirs.get(), i, "(&s@ay@ay)", &name, nullptr, &meta_raw);
        const GVariantPtr meta(meta_raw);
        const std::size_t sub = dir.subdirs[i];
        const std::string &new_sub = rewrite_dir(sub);
        changed = changed || new_sub != plan_.dirs[sub].checksum;
        g_variant_builder_add(dirs.get(), "(s@ay@ay)", name,
                              ostree_checksum_to_bytes_v(new_sub.c_str()), meta.get());
    }

    if (!changed) {
        done_[index] = dir.checksum;
        return *done_[index];
    }
    const GVariantPtr new_tree =
        take_variant(g_variant_new("(@a(say)@a(sayay))", files.end(), dirs.end()));
    done_[index] =
        write_metadata_object(repo_, OSTREE_OBJECT_TYPE_DIR_TREE, new_tree.get(),
                              "dirtree for " + (dir.path.empty() ? std::string("/") : dir.path));
    ++written_;
    return *done_[index];
}

} // namespace ostree_ima
