#include "util/append_file.hpp"

#include "ostree-ima/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ostree_ima {

namespace {
[[noreturn]] void refuse(const std::string &path, const FileRole &role, const std::string &why)
{
    const std::string advice =
        role.option.empty() ? std::string() : "; give " + role.option + " a file of your own";
    throw Error("cannot open " + role.what + " " + shown_path(path) + ": " + why + advice);
}

void require_own_regular_file(const std::string &path, const FileRole &role, const struct stat &st)
{
    if (!S_ISREG(st.st_mode))
        refuse(path, role, "it is " + file_kind(st.st_mode) + ", not a regular file");
    if (st.st_nlink > 1)
        refuse(path, role,
               "it has " + std::to_string(st.st_nlink) + " hard links; it may be another file");
    if (st.st_uid != ::geteuid())
        refuse(path, role,
               "it is owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
                   std::to_string(::geteuid()) + ")");
}

bool read_only_reason(int error)
{
    return error == EACCES || error == EROFS || error == EPERM || error == ETXTBSY;
}
} // namespace

AppendFile open_append_file(const std::string &path, const FileRole &role, Access access)
{
    struct stat st {};
    const bool existed = ::lstat(path.c_str(), &st) == 0;
    if (existed)
        require_own_regular_file(path, role, st);
    const int common = O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    const int mode = access == Access::ReadAppend ? O_RDWR : O_WRONLY;
    AppendFile file;
    file.fd = Fd(::open(path.c_str(), mode | common | O_CREAT, 0600));
    if (!file.fd.valid() && existed && access == Access::ReadAppend && read_only_reason(errno)) {
        file.writable = false;
        file.why_not = std::strerror(errno);
        file.fd =
            Fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    }
    if (!file.fd.valid()) {
        if (errno == ELOOP) // a link planted between the lstat and the open
            refuse(path, role, "it is a symbolic link");
        refuse(path, role, std::strerror(errno));
    }
    if (::fstat(file.fd.get(), &st) != 0)
        refuse(path, role, std::strerror(errno));
    require_own_regular_file(path, role, st);
    const int flags = ::fcntl(file.fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(file.fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
        refuse(path, role, std::strerror(errno));
    return file;
}

} // namespace ostree_ima
