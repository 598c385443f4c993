// BareObjectWriter: writes a signed copy of a content object of a `bare` or
// `bare-user` repository straight into objects/, sharing the old object's
// data where the filesystem can (FICLONE) and copying it in the kernel
// (copy_file_range) otherwise: the content never passes through user space
// again after the one read that hashed it.
//
// The file is laid out exactly as libostree's own writer lays it out:
// - bare: the content, owned uid:gid, with the object's mode and its xattrs;
// - bare-user: the content, mode (mode & 0775) | u+r, and the object's
//   uid, gid, mode and xattrs in the `user.ostreemeta` xattr as
//   (uuua(ayay)), integers big-endian.
#pragma once

#include "objects/object_checksum.hpp"

#include <cstdint>
#include <glib.h>
#include <ostree.h>
#include <string>
#include <vector>

namespace ostree_ima {

struct BareFileMeta {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint32_t mode = 0; // with S_IFREG
};

// Writes the content of object `old_checksum` with `meta` and `xattrs` as a
// new object, links it into objects/ atomically and returns its checksum.
// `sum` has seen the new file header; the content goes into it from
// `memory` when the caller kept it, else it is read back from the new file
// (just written: page cache), so the checksum names exactly the bytes on
// disk and a large object is not read and checked a second time. Error
// names the object and what failed.
std::string write_bare_object(OstreeRepo *repo, const std::string &old_checksum,
                              const BareFileMeta &meta, GVariant *xattrs, ObjectChecksum &sum,
                              const std::vector<std::uint8_t> *memory);

} // namespace ostree_ima
