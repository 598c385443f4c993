// XattrList: edits OSTree's xattr array (a(ayay)), keeping every other entry
// and its order exactly, so that removing what we added restores the original
// object checksum.
#pragma once

#include "util/glib_ptr.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

// The value of `name`, if present. `xattrs` may be null (no xattrs).
std::optional<std::vector<std::uint8_t>> xattr_get(GVariant *xattrs, const std::string &name);

// A copy with `name` set to `value`: replaced in place when present, else
// inserted before the first entry whose name sorts after it.
GVariantPtr xattr_set(GVariant *xattrs, const std::string &name,
                      std::span<const std::uint8_t> value);

// A copy without `name`.
GVariantPtr xattr_remove(GVariant *xattrs, const std::string &name);

} // namespace ostree_ima
