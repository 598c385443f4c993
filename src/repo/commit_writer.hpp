// write_commit_with_root: a copy of a commit with another root dirtree (and
// the bindings of the ref it is written for).
#pragma once

#include "repo/commit_binding.hpp"

#include <glib.h>
#include <ostree.h>
#include <string>

namespace ostree_ima {

// Metadata, parent, related objects, subject, body, timestamp and root
// dirmeta carry over byte for byte; only the root dirtree changes, and the
// metadata's ref and collection bindings become `binding`'s (every other
// metadata entry kept). Returns the new commit checksum (the old one when
// neither the root nor the bindings change).
std::string write_commit_with_root(OstreeRepo *repo, GVariant *old_commit,
                                   const std::string &old_checksum, const std::string &new_root,
                                   const CommitBinding &binding);

} // namespace ostree_ima
