// regular_files_under: the regular files of a directory tree on disk, as
// `verify --deployment` reads a deployed tree (files, not objects), and
// what of the tree could not be looked into.
#pragma once

#include "util/fd.hpp"

#include <string>
#include <vector>

namespace ostree_ima {

// A directory that could not be read (or an entry that could not be
// looked at): its files are not in the list.
struct UnreadablePath {
    std::string path;    // as the files are named: relative, leading '/'
    std::string what;    // "cannot read directory"
    int error = 0;       // errno
    bool subtree = true; // a directory: what is below it is not listed
};

struct FileTree {
    std::vector<std::string> files; // "/bin/ls", sorted
    std::vector<UnreadablePath> unreadable;
};

// The tree below the open directory `dir` (not taken). Symlinks are not
// followed; mount points are entered, as the kernel shows their files at
// those paths. Never throws for what cannot be read: that is `unreadable`,
// so one directory the caller may not read leaves the rest checked.
FileTree regular_files_under(int dir);

// Opens `relative` (a path the walk returned, without the leading '/', or
// a name) below the directory `root` following no symlink on the way:
// openat2 with RESOLVE_NO_SYMLINKS, or O_NOFOLLOW on the last component
// where the kernel lacks openat2. A component swapped for a link after the
// walk fails with ELOOP instead of leading out of the tree.
Fd open_in_tree(int root, const std::string &relative, int flags);

} // namespace ostree_ima
