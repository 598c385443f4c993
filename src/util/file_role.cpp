#include "util/file_role.hpp"

#include "util/quoted_input.hpp"

#include <sys/stat.h>

namespace ostree_ima {

std::string file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "a regular file";
}

std::string shown_path(const std::string &path)
{
    return printable_input(path, 300);
}

std::string check_option(const FileRole &role)
{
    return role.option.empty() ? std::string() : "; check " + role.option;
}

} // namespace ostree_ima
