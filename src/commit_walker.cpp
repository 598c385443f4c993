#include "commit_walker.hpp"

#include "metadata_object.hpp"
#include "ostree-ima/error.hpp"

namespace ostree_ima {

std::string checksum_from_variant(GVariant *bytes)
{
    gsize len = 0;
    const auto *data = static_cast<const guchar *>(g_variant_get_fixed_array(bytes, &len, 1));
    if (len != OSTREE_SHA256_DIGEST_LEN)
        throw Error("corrupted metadata: checksum of " + std::to_string(len) + " bytes");
    char hex[OSTREE_SHA256_STRING_LEN + 1];
    ostree_checksum_inplace_from_bytes(data, hex);
    return hex;
}

std::string checksum_from_raw(const guchar *raw)
{
    char hex[OSTREE_SHA256_STRING_LEN + 1];
    ostree_checksum_inplace_from_bytes(raw, hex);
    return hex;
}

namespace {
std::string display_path(const std::string &path)
{
    return path.empty() ? std::string("/") : path;
}
} // namespace

GVariantPtr CommitWalker::load_commit(const std::string &commit_checksum) const
{
    return load_metadata_object(repo_, OSTREE_OBJECT_TYPE_COMMIT, commit_checksum, "");
}

std::string CommitWalker::root_tree(GVariant *commit)
{
    GVariantPtr tree(g_variant_get_child_value(commit, 6));
    return checksum_from_variant(tree.get());
}

GVariantPtr CommitWalker::load_dirtree(const std::string &checksum, const std::string &path) const
{
    return load_metadata_object(repo_, OSTREE_OBJECT_TYPE_DIR_TREE, checksum, display_path(path));
}

void CommitWalker::check_dirmeta(GVariant *checksum_bytes, const std::string &path)
{
    std::string checksum = checksum_from_variant(checksum_bytes);
    if (dirmetas_checked_.count(checksum) != 0)
        return;
    (void)load_metadata_object(repo_, OSTREE_OBJECT_TYPE_DIR_META, checksum, display_path(path));
    dirmetas_checked_.insert(std::move(checksum));
}

void CommitWalker::walk(const std::string &commit_checksum,
                        const std::function<void(const FileEntry &)> &on_file)
{
    const GVariantPtr commit = load_commit(commit_checksum);
    const GVariantPtr root_meta(g_variant_get_child_value(commit.get(), 7));
    std::string path;
    check_dirmeta(root_meta.get(), path);
    walk_tree(root_tree(commit.get()), path, on_file);
}

void CommitWalker::walk_tree(const std::string &tree_checksum, std::string &path,
                             const std::function<void(const FileEntry &)> &on_file)
{
    const GVariantPtr tree = load_dirtree(tree_checksum, path);
    const std::size_t base = path.size();
    {
        GVariantPtr files(g_variant_get_child_value(tree.get(), 0));
        const gsize n = g_variant_n_children(files.get());
        for (gsize i = 0; i < n; ++i) {
            const char *name = nullptr;
            GVariant *csum_raw = nullptr;
            g_variant_get_child(files.get(), i, "(&s@ay)", &name, &csum_raw);
            const GVariantPtr csum(csum_raw);
            path.append("/").append(name);
            const std::string checksum = checksum_from_variant(csum.get());
            on_file(FileEntry{path, checksum});
            path.resize(base);
        }
    }
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
        check_dirmeta(meta.get(), path);
        walk_tree(checksum_from_variant(subtree.get()), path, on_file);
        path.resize(base);
    }
}

} // namespace ostree_ima
