#include "repo/commit_binding.hpp"

#include "repo/metadata_copy.hpp"

#include <algorithm>

namespace ostree_ima {

namespace {
std::optional<std::vector<std::string>> read_ref_binding(GVariant *metadata)
{
    g_autofree const char **refs = nullptr;
    if (!g_variant_lookup(metadata, OSTREE_COMMIT_META_KEY_REF_BINDING, "^a&s", &refs))
        return std::nullopt;
    std::vector<std::string> out;
    for (const char **r = refs; *r != nullptr; ++r)
        out.emplace_back(*r);
    return out;
}

std::optional<std::string> read_collection_binding(GVariant *metadata)
{
    const char *collection = nullptr;
    if (!g_variant_lookup(metadata, OSTREE_COMMIT_META_KEY_COLLECTION_BINDING, "&s", &collection))
        return std::nullopt;
    return std::string(collection);
}
} // namespace

CommitBinding plan_commit_binding(OstreeRepo *repo, GVariant *commit, const std::string &target_ref)
{
    const GVariantPtr metadata(g_variant_get_child_value(commit, 0));
    CommitBinding b;
    b.source_refs = read_ref_binding(metadata.get());
    b.source_collection = read_collection_binding(metadata.get());
    b.refs = b.source_refs;
    b.collection = b.source_collection;
    if (target_ref.empty())
        return b;
    // A refspec may name a remote ("origin:os/stable"); the binding names the ref.
    g_autofree char *ref = nullptr;
    const std::string name =
        ostree_parse_refspec(target_ref.c_str(), nullptr, &ref, nullptr) && ref != nullptr
            ? std::string(ref)
            : target_ref;
    if (b.refs && std::find(b.refs->begin(), b.refs->end(), name) == b.refs->end())
        b.refs = std::vector<std::string>{name};
    const char *repo_collection = ostree_repo_get_collection_id(repo);
    if (b.collection && repo_collection != nullptr && *b.collection != repo_collection)
        b.collection = std::string(repo_collection);
    return b;
}

GVariantPtr rebind_metadata(GVariant *metadata, const CommitBinding &binding)
{
    return copy_metadata(metadata, [&](GVariantBuilder *builder, const char *key, GVariant *entry) {
        const std::string_view name(key);
        if (name == OSTREE_COMMIT_META_KEY_REF_BINDING && binding.refs) {
            std::vector<const char *> refs;
            for (const auto &r : *binding.refs)
                refs.push_back(r.c_str());
            g_variant_builder_add(
                builder, "{sv}", key,
                g_variant_new_strv(refs.data(), static_cast<gssize>(refs.size())));
        } else if (name == OSTREE_COMMIT_META_KEY_COLLECTION_BINDING && binding.collection) {
            g_variant_builder_add(builder, "{sv}", key,
                                  g_variant_new_string(binding.collection->c_str()));
        } else {
            g_variant_builder_add_value(builder, entry);
        }
    });
}

} // namespace ostree_ima
