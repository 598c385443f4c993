// load_metadata_object: reads a commit, dirtree or dirmeta and proves it is
// the object its name says before anything is derived from it.
//
// libostree's ostree_repo_load_variant trusts the file: a flipped byte in a
// file name or a commit subject would otherwise be copied into a new,
// checksum-valid signed commit (and pass `ostree fsck` once the damaged
// source is pruned). So every metadata object we read is checked: SHA-256 of
// its bytes against its name, then libostree's own structure rules.
#pragma once

#include "util/glib_ptr.hpp"

#include <ostree.h>
#include <string>

namespace ostree_ima {

// `where` says what the object is for in messages ("/usr/bin"; may be empty).
// Throws Error naming the object, its file and `where` when it is missing,
// corrupted or malformed; the message says to run `ostree fsck`.
GVariantPtr load_metadata_object(OstreeRepo *repo, OstreeObjectType type,
                                 const std::string &checksum, const std::string &where);

} // namespace ostree_ima
