// The GLib RAII of the tree: GObjectPtr (an owned GObject reference),
// GVariantPtr (an owned, sunk GVariant reference) and VariantBuilder (a
// GVariantBuilder that is cleared unless ended: an exception between init
// and end would otherwise leak what was added).
#pragma once

#include <glib-object.h>
#include <glib.h>
#include <memory>

namespace ostree_ima {

struct GObjectUnref {
    void operator()(gpointer p) const { g_object_unref(p); }
};
template <typename T> using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GVariantUnref {
    void operator()(GVariant *v) const { g_variant_unref(v); }
};
using GVariantPtr = std::unique_ptr<GVariant, GVariantUnref>;

// Takes ownership of a new or floating reference.
inline GVariantPtr take_variant(GVariant *v)
{
    return GVariantPtr(v ? g_variant_ref_sink(v) : nullptr);
}

class VariantBuilder {
  public:
    explicit VariantBuilder(const GVariantType *type) { g_variant_builder_init(&builder_, type); }
    VariantBuilder(const VariantBuilder &) = delete;
    VariantBuilder &operator=(const VariantBuilder &) = delete;
    ~VariantBuilder()
    {
        if (!ended_)
            g_variant_builder_clear(&builder_);
    }
    [[nodiscard]] GVariantBuilder *get() { return &builder_; }
    // The built value (floating); the builder is then empty.
    [[nodiscard]] GVariant *end()
    {
        ended_ = true;
        return g_variant_builder_end(&builder_);
    }

  private:
    GVariantBuilder builder_;
    bool ended_ = false;
};

} // namespace ostree_ima
