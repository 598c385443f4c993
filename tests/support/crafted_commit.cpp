#include "crafted_commit.hpp"

#include <boost/test/unit_test.hpp>
#include <gio/gio.h>
#include <ostree.h>

namespace test_support {

namespace {
using ImaValues = std::map<std::string, std::vector<std::uint8_t>>;

GVariant *xattrs_for(OstreeRepo * /*repo*/, const char *path, GFileInfo * /*info*/, gpointer data)
{
    const auto &ima = *static_cast<const ImaValues *>(data);
    GVariantBuilder builder;
    g_variant_builder_init(&builder, G_VARIANT_TYPE("a(ayay)"));
    std::string p = path;
    if (p.empty() || p[0] != '/')
        p = "/" + p;
    if (const auto it = ima.find(p); it != ima.end()) {
        static const char kName[] = "security.ima"; // with its NUL, as OSTree stores names
        g_variant_builder_add(
            &builder, "(@ay@ay)",
            g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, kName, sizeof kName, 1),
            g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, it->second.data(), it->second.size(),
                                      1));
    }
    return g_variant_ref_sink(g_variant_builder_end(&builder));
}

void require_ok(gboolean ok, GError *error, const char *what)
{
    BOOST_REQUIRE_MESSAGE(ok, what << ": " << (error != nullptr ? error->message : "?"));
}
} // namespace

std::string commit_with_ima_values(const std::string &repo_path, const std::string &tree,
                                   const std::string &ref, const ImaValues &ima)
{
    GError *error = nullptr;
    g_autoptr(GFile) repo_file = g_file_new_for_path(repo_path.c_str());
    g_autoptr(OstreeRepo) repo = ostree_repo_new(repo_file);
    require_ok(ostree_repo_open(repo, nullptr, &error), error, "open");
    require_ok(ostree_repo_prepare_transaction(repo, nullptr, nullptr, &error), error, "prepare");
    g_autoptr(OstreeMutableTree) mtree = ostree_mutable_tree_new();
    OstreeRepoCommitModifier *modifier = ostree_repo_commit_modifier_new(
        OSTREE_REPO_COMMIT_MODIFIER_FLAGS_NONE, nullptr, nullptr, nullptr);
    ostree_repo_commit_modifier_set_xattr_callback(modifier, xattrs_for, nullptr,
                                                   const_cast<ImaValues *>(&ima));
    g_autoptr(GFile) dir = g_file_new_for_path(tree.c_str());
    const gboolean wrote =
        ostree_repo_write_directory_to_mtree(repo, dir, mtree, modifier, nullptr, &error);
    ostree_repo_commit_modifier_unref(modifier);
    require_ok(wrote, error, "write_directory_to_mtree");
    g_autoptr(GFile) root = nullptr;
    require_ok(ostree_repo_write_mtree(repo, mtree, &root, nullptr, &error), error, "write_mtree");
    const char *refs[] = {ref.c_str(), nullptr};
    g_autoptr(GVariantDict) metadata = g_variant_dict_new(nullptr);
    g_variant_dict_insert_value(metadata, OSTREE_COMMIT_META_KEY_REF_BINDING,
                                g_variant_new_strv(refs, -1));
    g_autoptr(GVariant) meta = g_variant_ref_sink(g_variant_dict_end(metadata));
    g_autofree char *commit = nullptr;
    require_ok(ostree_repo_write_commit(repo, nullptr, "crafted", nullptr, meta,
                                        OSTREE_REPO_FILE(root), &commit, nullptr, &error),
               error, "write_commit");
    ostree_repo_transaction_set_ref(repo, nullptr, ref.c_str(), commit);
    require_ok(ostree_repo_commit_transaction(repo, nullptr, nullptr, &error), error, "commit");
    return commit;
}

} // namespace test_support
