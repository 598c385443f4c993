#include "tree_rewriter.hpp"

#include "metadata_object_writer.hpp"

namespace ostree_ima {

TreeRewriter::TreeRewriter(OstreeRepo *repo, FileMap map_file, bool path_independent)
    : repo_(repo), walker_(repo), map_file_(std::move(map_file)),
      path_independent_(path_independent)
{
}

std::string TreeRewriter::rewrite(const std::string &root_tree)
{
    std::string path;
    return rewrite_tree(root_tree, path);
}

std::string TreeRewriter::rewrite_tree(const std::string &tree_checksum, std::string &path)
{
    if (path_independent_) {
        if (auto it = memo_.find(tree_checksum); it != memo_.end())
            return it->second;
    }
    const GVariantPtr tree = walker_.load_dirtree(tree_checksum, path);
    const std::size_t base = path.size();
    bool changed = false;

    GVariantBuilder files_builder;
    g_variant_builder_init(&files_builder, G_VARIANT_TYPE("a(say)"));
    {
        GVariantPtr files(g_variant_get_child_value(tree.get(), 0));
        const gsize n = g_variant_n_children(files.get());
        for (gsize i = 0; i < n; ++i) {
            const char *name = nullptr;
            GVariant *csum_raw = nullptr;
            g_variant_get_child(files.get(), i, "(&s@ay)", &name, &csum_raw);
            const GVariantPtr csum(csum_raw);
            path.append("/").append(name);
            const std::string old_csum = checksum_from_variant(csum.get());
            const std::string new_csum = map_file_(path, old_csum);
            path.resize(base);
            changed = changed || new_csum != old_csum;
            g_variant_builder_add(&files_builder, "(s@ay)", name,
                                  ostree_checksum_to_bytes_v(new_csum.c_str()));
        }
    }
    GVariantBuilder dirs_builder;
    g_variant_builder_init(&dirs_builder, G_VARIANT_TYPE("a(sayay)"));
    {
        GVariantPtr dirs(g_variant_get_child_value(tree.get(), 1));
        const gsize n = g_variant_n_children(dirs.get());
        for (gsize i = 0; i < n; ++i) {
            const char *name = nullptr;
            GVariant *tree_raw = nullptr;
            GVariant *meta_raw = nullptr;
            g_variant_get_child(dirs.get(), i, "(&s@ay@ay)", &name, &tree_raw, &meta_raw);
            const GVariantPtr subtree(tree_raw);
            const GVariantPtr meta(meta_raw);
            path.append("/").append(name);
            const std::string old_sub = checksum_from_variant(subtree.get());
            const std::string new_sub = rewrite_tree(old_sub, path);
            path.resize(base);
            changed = changed || new_sub != old_sub;
            g_variant_builder_add(&dirs_builder, "(s@ay@ay)", name,
                                  ostree_checksum_to_bytes_v(new_sub.c_str()), meta.get());
        }
    }

    std::string result = tree_checksum;
    if (changed) {
        const GVariantPtr new_tree =
            take_variant(g_variant_new("(@a(say)@a(sayay))", g_variant_builder_end(&files_builder),
                                       g_variant_builder_end(&dirs_builder)));
        result = write_metadata_object(repo_, OSTREE_OBJECT_TYPE_DIR_TREE, new_tree.get(),
                                       "dirtree for " + (path.empty() ? std::string("/") : path));
        ++written_;
    } else {
        g_variant_builder_clear(&files_builder);
        g_variant_builder_clear(&dirs_builder);
    }
    if (path_independent_)
        memo_.emplace(tree_checksum, result);
    return result;
}

} // namespace ostree_ima
