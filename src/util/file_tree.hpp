// regular_files_under: the regular files of a directory tree on disk, as
// `verify --deployment` reads a deployed tree (files, not objects).
#pragma once

#include <string>
#include <vector>

namespace ostree_ima {

// Paths relative to `root`, with a leading '/' ("/usr/bin/ls"), sorted.
// Symlinks are not followed and mount points (another st_dev) not entered:
// a deployment's /boot or /var may be other filesystems. Throws Error
// naming the directory that cannot be read.
std::vector<std::string> regular_files_under(const std::string &root);

} // namespace ostree_ima
