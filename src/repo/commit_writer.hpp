// write_commit_with_root: a copy of a commit with another root dirtree (and
// the bindings of the ref it is written for).
#pragma once

#include "repo/commit_binding.hpp"
#include "util/glib_ptr.hpp"

#include <glib.h>
#include <ostree.h>
#include <string>

namespace ostree_ima {

// One entry of the commit metadata that a job owns: `sign` records what it
// was made from (signing/signing_record.hpp), `strip` removes that record.
struct MetadataEntryEdit {
    std::string key; // empty: no edit
    // Set: the entry goes last (after the others, which keep their order),
    // and only into a commit whose root changes (a job that changed nothing
    // gives back its source commit). Null: the entry is removed.
    GVariantPtr value;
};

// Metadata, parent, related objects, subject, body, timestamp and root
// dirmeta carry over byte for byte; only the root dirtree changes, the
// metadata's ref and collection bindings become `binding`'s, and `edit`
// applies (every other metadata entry kept). Returns the new commit checksum
// (the old one when neither the root, the bindings nor the metadata change).
std::string write_commit_with_root(OstreeRepo *repo, GVariant *old_commit,
                                   const std::string &old_checksum, const std::string &new_root,
                                   const CommitBinding &binding,
                                   const MetadataEntryEdit &edit = {});

} // namespace ostree_ima
