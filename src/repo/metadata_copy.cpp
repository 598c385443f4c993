#include "repo/metadata_copy.hpp"

namespace ostree_ima {

GVariantPtr copy_metadata(
    GVariant *metadata,
    const std::function<void(GVariantBuilder *builder, const char *key, GVariant *entry)> &each,
    const std::function<void(GVariantBuilder *builder)> &then)
{
    VariantBuilder builder(G_VARIANT_TYPE("a{sv}"));
    const gsize n = g_variant_n_children(metadata);
    for (gsize i = 0; i < n; ++i) {
        const GVariantPtr entry(g_variant_get_child_value(metadata, i));
        const char *key = nullptr;
        g_variant_get_child(entry.get(), 0, "&s", &key);
        each(builder.get(), key, entry.get());
    }
    if (then)
        then(builder.get());
    return take_variant(builder.end());
}

} // namespace ostree_ima
