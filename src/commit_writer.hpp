// write_commit_with_root: a copy of a commit with another root dirtree.
#pragma once

#include <glib.h>
#include <ostree.h>
#include <string>

namespace ostree_ima {

// Metadata, parent, related objects, subject, body, timestamp and root
// dirmeta carry over byte for byte; only the root dirtree changes. Returns
// the new commit checksum (the old one when the root is unchanged).
std::string write_commit_with_root(OstreeRepo *repo, GVariant *old_commit,
                                   const std::string &old_checksum, const std::string &new_root);

} // namespace ostree_ima
