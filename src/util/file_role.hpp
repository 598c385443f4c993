// FileRole: how a message names a file the user gave by name, and the option
// that names it, so that every refusal of a file is one line saying which
// file, what is wrong with it and what to change.
#pragma once

#include <string>
#include <sys/types.h>

namespace ostree_ima {

struct FileRole {
    std::string what;   // "certificate", "signature cache"
    std::string option; // "--cert"; empty for an argument without a name
};

// "a directory", "a FIFO", "a character device", "a block device", "a
// socket", "a symbolic link", "a regular file".
std::string file_kind(mode_t mode);

// The path as messages show it: control bytes escaped, cut at 300
// characters.
std::string shown_path(const std::string &path);

// "; check --cert", or "" without an option.
std::string check_option(const FileRole &role);

} // namespace ostree_ima
