#include "repo/commit_writer.hpp"

#include "repo/commit_walker.hpp"
#include "util/gerror.hpp"

namespace ostree_ima {

std::string write_commit_with_root(OstreeRepo *repo, GVariant *old_commit,
                                   const std::string &old_checksum, const std::string &new_root,
                                   const CommitBinding &binding)
{
    if (CommitWalker::root_tree(old_commit) == new_root && !binding.changed())
        return old_checksum;
    VariantBuilder builder(G_VARIANT_TYPE(OSTREE_COMMIT_GVARIANT_STRING));
    const gsize n = g_variant_n_children(old_commit);
    for (gsize i = 0; i < n; ++i) {
        if (i == 6) {
            g_variant_builder_add_value(builder.get(),
                                        ostree_checksum_to_bytes_v(new_root.c_str()));
        } else if (i == 0 && binding.changed()) {
            const GVariantPtr metadata(g_variant_get_child_value(old_commit, 0));
            g_variant_builder_add_value(builder.get(),
                                        rebind_metadata(metadata.get(), binding).get());
        } else {
            GVariantPtr child(g_variant_get_child_value(old_commit, i));
            g_variant_builder_add_value(builder.get(), child.get());
        }
    }
    GVariantPtr commit = take_variant(builder.end());
    g_autofree guchar *raw = nullptr;
    GError *error = nullptr;
    check_g(ostree_repo_write_metadata(repo, OSTREE_OBJECT_TYPE_COMMIT, nullptr, commit.get(), &raw,
                                       nullptr, &error),
            error, "cannot write the new commit");
    return checksum_from_raw(raw);
}

} // namespace ostree_ima
