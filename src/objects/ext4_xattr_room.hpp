// What a file's xattrs take on ext4 without the ea_inode feature, where all
// the xattrs that do not fit in the inode share one block (4 KiB with
// mkfs.ext4's defaults), values included: a signature that makes them
// overflow it cannot be deployed there (fsetxattr fails with ENOSPC).
// docs/format.md, "What a filesystem holds".
#pragma once

#include "util/glib_ptr.hpp"

#include <cstddef>

namespace ostree_ima {

// ext4's block size with mkfs.ext4's defaults (any filesystem over 512 MiB).
inline constexpr std::size_t kExt4XattrBlockSize = 4096;

// The bytes of the xattr block that `xattrs` (OSTree's a(ayay), may be
// null) take, as ext4 lays them out (fs/ext4/xattr.c): a 32-byte header,
// per xattr a 16-byte entry with the name after its prefix (`security.`,
// `user.`, ...) rounded up to 4, its value rounded up to 4, and a 4-byte end
// mark; 0 without xattrs. The inode's own room (88 bytes with 256-byte
// inodes) is not counted: the SELinux label the system gives a deployed
// file at creation takes it first.
std::size_t ext4_xattr_block_bytes(GVariant *xattrs);

// Whether they fit the one block.
bool fits_ext4_xattr_block(GVariant *xattrs);

} // namespace ostree_ima
