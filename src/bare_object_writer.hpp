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

#include <cstdint>
#include <glib.h>
#include <ostree.h>
#include <string>

namespace ostree_ima {

struct BareFileMeta {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint32_t mode = 0; // with S_IFREG
};

// Writes the content of object `old_checksum` with `meta` and `xattrs` as
// object `new_checksum` (which the caller computed over exactly that) and
// links it into objects/ atomically. Error names the object and what failed.
void write_bare_object(OstreeRepo *repo, const std::string &old_checksum,
                       const std::string &new_checksum, const BareFileMeta &meta, GVariant *xattrs);

} // namespace ostree_ima
