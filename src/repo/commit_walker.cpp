#include "repo/commit_walker.hpp"

#include "objects/metadata_object.hpp"
#include "ostree-ima/error.hpp"
#include "util/gerror.hpp"

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

GObjectPtr<GFileInfo> content_object_info(OstreeRepo *repo, const std::string &checksum)
{
    GFileInfo *raw_info = nullptr;
    GError *error = nullptr;
    const gboolean ok =
        ostree_repo_load_file(repo, checksum.c_str(), nullptr, &raw_info, nullptr, nullptr, &error);
    GObjectPtr<GFileInfo> info(raw_info);
    check_g(ok, error, "cannot read content object " + checksum);
    return info;
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

} // namespace ostree_ima
