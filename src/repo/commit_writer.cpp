#include "repo/commit_writer.hpp"

#include "repo/commit_walker.hpp"
#include "repo/metadata_copy.hpp"
#include "util/gerror.hpp"

namespace ostree_ima {

namespace {
// `metadata` without `edit.key`, and with edit.value last when it is set.
GVariantPtr edit_metadata(GVariant *metadata, const MetadataEntryEdit &edit)
{
    return copy_metadata(
        metadata,
        [&](GVariantBuilder *builder, const char *key, GVariant *entry) {
            if (edit.key != key)
                g_variant_builder_add_value(builder, entry);
        },
        [&](GVariantBuilder *builder) {
            if (edit.value)
                g_variant_builder_add(builder, "{sv}", edit.key.c_str(), edit.value.get());
        });
}

bool has_entry(GVariant *commit, const std::string &key)
{
    const GVariantPtr metadata(g_variant_get_child_value(commit, 0));
    const GVariantPtr value(g_variant_lookup_value(metadata.get(), key.c_str(), nullptr));
    return value != nullptr;
}
} // namespace

std::string write_commit_with_root(OstreeRepo *repo, GVariant *old_commit,
                                   const std::string &old_checksum, const std::string &new_root,
                                   const CommitBinding &binding, const MetadataEntryEdit &edit)
{
    const bool root_changed = CommitWalker::root_tree(old_commit) != new_root;
    // A set entry goes only into a changed commit; a removal always applies.
    const bool edits =
        !edit.key.empty() && (edit.value ? root_changed : has_entry(old_commit, edit.key));
    if (!root_changed && !binding.changed() && !edits)
        return old_checksum;
    VariantBuilder builder(G_VARIANT_TYPE(OSTREE_COMMIT_GVARIANT_STRING));
    const gsize n = g_variant_n_children(old_commit);
    for (gsize i = 0; i < n; ++i) {
        if (i == 6) {
            g_variant_builder_add_value(builder.get(),
                                        ostree_checksum_to_bytes_v(new_root.c_str()));
        } else if (i == 0 && (binding.changed() || edits)) {
            GVariantPtr metadata(g_variant_get_child_value(old_commit, 0));
            if (binding.changed())
                metadata = rebind_metadata(metadata.get(), binding);
            if (edits)
                metadata = edit_metadata(metadata.get(), edit);
            g_variant_builder_add_value(builder.get(), metadata.get());
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
