// GObjectPtr: an owned GObject reference.
#pragma once

#include <glib-object.h>
#include <memory>

namespace ostree_ima {

struct GObjectUnref {
    void operator()(gpointer p) const { g_object_unref(p); }
};
template <typename T> using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

} // namespace ostree_ima
