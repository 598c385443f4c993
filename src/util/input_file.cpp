#include "util/input_file.hpp"

#include "ostree-ima/error.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ostree_ima {

namespace {
// The role and the path, or the role alone when the path is not shown.
std::string named(const std::string &path, const FileRole &role, PathShown shown)
{
    return shown == PathShown::Yes ? role.what + " " + shown_path(path) : role.what;
}

[[noreturn]] void refuse_open(const std::string &path, const FileRole &role, int error,
                              PathShown shown = PathShown::Yes)
{
    throw Error("cannot read " + named(path, role, shown) + ": " + std::strerror(error) +
                check_option(role));
}

bool accepted(mode_t mode, InputType type)
{
    if (S_ISREG(mode))
        return true;
    return type == InputType::Stream && (S_ISFIFO(mode) || S_ISCHR(mode));
}

void require_type(const std::string &path, const FileRole &role, mode_t mode, InputType type,
                  PathShown shown)
{
    if (!accepted(mode, type))
        throw Error(named(path, role, shown) + " is not a regular file (" + file_kind(mode) + ")" +
                    check_option(role));
}

// nullopt-like: an invalid Fd with errno set when the open itself fails.
Fd open_checked(const std::string &path, const FileRole &role, InputType type,
                PathShown shown = PathShown::Yes)
{
    // Checked before opening, so that a device is not even opened (opening
    // some has effects), and again on the descriptor for what changed since.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return Fd();
    require_type(path, role, st.st_mode, type, shown);
    const bool stream = type == InputType::Stream;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | (stream ? 0 : O_NONBLOCK)));
    if (!fd.valid())
        return fd;
    if (::fstat(fd.get(), &st) != 0)
        refuse_open(path, role, errno, shown);
    require_type(path, role, st.st_mode, type, shown);
    if (!stream) {
        const int flags = ::fcntl(fd.get(), F_GETFL);
        if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
            refuse_open(path, role, errno, shown);
    }
    return fd;
}
} // namespace

Fd open_input_file(const std::string &path, const FileRole &role, InputType type, PathShown shown)
{
    Fd fd = open_checked(path, role, type, shown);
    if (!fd.valid())
        refuse_open(path, role, errno, shown);
    return fd;
}

Fd open_input_file_if_exists(const std::string &path, const FileRole &role)
{
    Fd fd = open_checked(path, role, InputType::Regular);
    if (!fd.valid() && errno != ENOENT)
        refuse_open(path, role, errno);
    return fd;
}

std::size_t input_size(const Fd &fd, const std::string &path, std::size_t max_bytes,
                       const FileRole &role)
{
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        refuse_open(path, role, errno);
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
        throw Error(role.what + " " + shown_path(path) + " is larger than " +
                    std::to_string(max_bytes) + " bytes; is it the right file?" +
                    check_option(role));
    return static_cast<std::size_t>(st.st_size);
}

std::size_t read_input(const Fd &fd, const std::string &path, const FileRole &role, char *data,
                       std::size_t size)
{
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd.get(), data + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw Error("cannot read " + role.what + " " + shown_path(path) + ": " +
                        std::strerror(errno));
        if (n == 0)
            break; // it shrank while being read: what is there is parsed
        done += static_cast<std::size_t>(n);
    }
    return done;
}

std::string read_input_file(const std::string &path, std::size_t max_bytes, const FileRole &role)
{
    const Fd fd = open_input_file(path, role);
    std::string data(input_size(fd, path, max_bytes, role), '\0');
    data.resize(read_input(fd, path, role, data.data(), data.size()));
    return data;
}

} // namespace ostree_ima
