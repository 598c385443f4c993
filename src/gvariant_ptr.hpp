// GVariantPtr: an owned (sunk) GVariant reference.
#pragma once

#include <glib.h>
#include <memory>

namespace ostree_ima {

struct GVariantUnref {
    void operator()(GVariant *v) const { g_variant_unref(v); }
};
using GVariantPtr = std::unique_ptr<GVariant, GVariantUnref>;

// Takes ownership of a new or floating reference.
inline GVariantPtr take_variant(GVariant *v)
{
    return GVariantPtr(v ? g_variant_ref_sink(v) : nullptr);
}

} // namespace ostree_ima
