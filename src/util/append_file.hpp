// Files appended to by name (the signature cache, the audit log): only a
// regular file of the user running ostree-ima, created if missing. A
// symbolic link, a hard link, a device, a FIFO or another user's file
// planted at the path would otherwise make a root run append to (or create)
// a file of the planter's choice (docs/threat-model.md).
#pragma once

#include "util/fd.hpp"
#include "util/file_role.hpp"

#include <string>

namespace ostree_ima {

struct AppendFile {
    Fd fd;                // O_APPEND; also readable with Access::ReadAppend
    bool writable = true; // false: an existing file opened read-only
    std::string why_not;  // with !writable: strerror of the open for writing
};

enum class Access {
    Append,     // for appending only; any failure is an Error
    ReadAppend, // for reading and appending; an existing file that cannot be
                // written (permissions, a read-only mount) is opened for
                // reading only, `writable` false
};

// Checks what is at `path` without following a link (lstat: nothing is
// opened when it is not a regular file), then opens it with O_NOFOLLOW,
// O_NONBLOCK (a FIFO swapped in meanwhile cannot block) and O_CREAT (mode
// 0600), and checks the descriptor: a regular file, one link, owned by the
// effective user. Throws Error ("cannot open audit log X: it is a symbolic
// link; give --audit-log a file of your own").
AppendFile open_append_file(const std::string &path, const FileRole &role, Access access);

} // namespace ostree_ima
