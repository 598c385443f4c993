// copy_metadata: a commit's metadata (a{sv}) copied entry by entry, each
// entry kept, replaced or dropped by the caller: the one loop behind
// rebinding a commit (commit_binding) and editing one entry (commit_writer).
#pragma once

#include "util/glib_ptr.hpp"

#include <functional>
#include <glib.h>

namespace ostree_ima {

// `each(builder, key, entry)` adds to `builder` what the copy holds for the
// {sv} `entry` named `key` (itself, another value, or nothing); `then`, when
// set, adds entries after the last one.
GVariantPtr copy_metadata(
    GVariant *metadata,
    const std::function<void(GVariantBuilder *builder, const char *key, GVariant *entry)> &each,
    const std::function<void(GVariantBuilder *builder)> &then = {});

} // namespace ostree_ima
