// write_metadata_object: puts a metadata object (a dirtree) straight into
// objects/, laid out as libostree lays it out (the variant's normal-form
// bytes, mode 0644), and returns its checksum.
//
// Why not ostree_repo_write_metadata: inside a transaction it stages every
// object and renames each one into objects/ at commit; on a commit of
// 20,000 directories that cost about 60 us of the 160 us spent per
// directory. Like the content writers, this writes an unnamed file and
// links it in; the caller makes it durable with sync_repository before a
// commit refers to it.
#pragma once

#include <glib.h>
#include <ostree.h>
#include <string>

namespace ostree_ima {

// `what` names the object in errors (e.g. "dirtree for /usr/lib").
std::string write_metadata_object(OstreeRepo *repo, OstreeObjectType type, GVariant *value,
                                  const std::string &what);

} // namespace ostree_ima
