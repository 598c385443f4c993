#include "objects/xattr_list.hpp"

#include <cstring>

namespace ostree_ima {

namespace {
const GVariantType *kXattrsType()
{
    return G_VARIANT_TYPE("a(ayay)");
}

GVariant *entry(const char *name, GVariant *value)
{
    return g_variant_new("(@ay@ay)", g_variant_new_bytestring(name), value);
}
} // namespace

std::optional<std::vector<std::uint8_t>> xattr_get(GVariant *xattrs, const std::string &name)
{
    if (xattrs == nullptr)
        return std::nullopt;
    const gsize n = g_variant_n_children(xattrs);
    for (gsize i = 0; i < n; ++i) {
        GVariantPtr child(g_variant_get_child_value(xattrs, i));
        GVariantPtr key(g_variant_get_child_value(child.get(), 0));
        if (name == g_variant_get_bytestring(key.get())) {
            GVariantPtr value(g_variant_get_child_value(child.get(), 1));
            gsize len = 0;
            const auto *data =
                static_cast<const std::uint8_t *>(g_variant_get_fixed_array(value.get(), &len, 1));
            return std::vector<std::uint8_t>(data, data + len);
        }
    }
    return std::nullopt;
}

GVariantPtr xattr_set(GVariant *xattrs, const std::string &name,
                      std::span<const std::uint8_t> value)
{
    VariantBuilder builder(kXattrsType());
    auto new_value = [&] {
        return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, value.data(), value.size(), 1);
    };
    bool placed = false;
    const gsize n = xattrs ? g_variant_n_children(xattrs) : 0;
    for (gsize i = 0; i < n; ++i) {
        GVariantPtr child(g_variant_get_child_value(xattrs, i));
        GVariantPtr key(g_variant_get_child_value(child.get(), 0));
        const char *key_name = g_variant_get_bytestring(key.get());
        const int order = std::strcmp(key_name, name.c_str());
        if (!placed && order == 0) {
            g_variant_builder_add_value(builder.get(), entry(name.c_str(), new_value()));
            placed = true;
            continue;
        }
        if (!placed && order > 0) {
            g_variant_builder_add_value(builder.get(), entry(name.c_str(), new_value()));
            placed = true;
        }
        g_variant_builder_add_value(builder.get(), child.get());
    }
    if (!placed)
        g_variant_builder_add_value(builder.get(), entry(name.c_str(), new_value()));
    return take_variant(builder.end());
}

GVariantPtr xattr_remove(GVariant *xattrs, const std::string &name)
{
    VariantBuilder builder(kXattrsType());
    const gsize n = xattrs ? g_variant_n_children(xattrs) : 0;
    for (gsize i = 0; i < n; ++i) {
        GVariantPtr child(g_variant_get_child_value(xattrs, i));
        GVariantPtr key(g_variant_get_child_value(child.get(), 0));
        if (name != g_variant_get_bytestring(key.get()))
            g_variant_builder_add_value(builder.get(), child.get());
    }
    return take_variant(builder.end());
}

} // namespace ostree_ima
