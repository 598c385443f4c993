#include "util/output_file.hpp"

#include "ostree-ima/error.hpp"
#include "util/write_fully.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <optional>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace ostree_ima {

namespace {
bool write_all(int fd, const std::string &data)
{
    return write_fully(fd, data.data(), data.size());
}

[[noreturn]] void fail(const std::string &shown, const FileRole &role, const std::string &why)
{
    throw Error("cannot write " + role.what + " " + shown + ": " + why);
}

[[noreturn]] void refuse(const std::string &shown, const FileRole &role, const std::string &why)
{
    throw Error("refusing to write " + role.what + " to " + shown + ": " + why);
}

// The descriptor a path names when it is one of ours, opened by whoever
// started us: /dev/stdout, /dev/fd/N (what a shell's >(...) gives). Matched
// by spelling: these are the kernel's and udev's links, not files a user
// can plant.
std::optional<int> caller_descriptor(const std::string &path)
{
    if (path == "/dev/stdout")
        return 1;
    if (path == "/dev/stderr")
        return 2;
    const std::string own = "/proc/" + std::to_string(::getpid()) + "/fd/";
    for (const std::string &prefix :
         {std::string("/dev/fd/"), std::string("/proc/self/fd/"), own}) {
        if (path.compare(0, prefix.size(), prefix) != 0)
            continue;
        const char *first = path.data() + prefix.size();
        const char *last = path.data() + path.size();
        int fd = -1;
        const auto [end, ec] = std::from_chars(first, last, fd);
        if (ec == std::errc() && end == last && first != last && fd >= 0)
            return fd;
    }
    return std::nullopt;
}

void write_to_descriptor(int fd, const std::string &shown, const std::string &contents,
                         const FileRole &role)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0)
        fail(shown, role, "descriptor " + std::to_string(fd) + " is not open");
    if ((flags & O_ACCMODE) == O_RDONLY)
        fail(shown, role, "descriptor " + std::to_string(fd) + " is open for reading only");
    if (!write_all(fd, contents)) {
        if (errno == EPIPE)
            throw OutputClosed();
        fail(shown, role, std::strerror(errno));
    }
}

bool is_null_device(const struct stat &st)
{
    return S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

std::string add_force_or_redirect(const OutputRules &rules, const std::string &action)
{
    return rules.has_force ? "add --force to " + action
                           : "write to stdout (-o -) and redirect it there instead";
}

// What is at dir/name now: nullopt when nothing. Throws the refusals.
std::optional<struct stat> check(const Fd &dir, const std::string &shown, const std::string &name,
                                 const OutputRules &rules, const FileRole &role)
{
    struct stat st {};
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return std::nullopt;
        fail(shown, role, std::strerror(errno));
    }
    if (S_ISREG(st.st_mode) && !rules.replace)
        throw Error(shown + " already exists; " + add_force_or_redirect(rules, "replace it"));
    if (S_ISLNK(st.st_mode) && !rules.replace)
        refuse(shown, role,
               "it is a symbolic link; " +
                   add_force_or_redirect(rules, "replace the link (its target is never written)"));
    if (S_ISDIR(st.st_mode))
        refuse(shown, role, "it is a directory; give the name of a file");
    if (S_ISBLK(st.st_mode))
        refuse(shown, role, "it is a block device; ostree-ima never writes into one");
    if (S_ISSOCK(st.st_mode))
        refuse(shown, role, "it is a socket; write to stdout (-o -) and redirect it");
    if ((S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) && !is_null_device(st) && !rules.force)
        refuse(shown, role,
               "it is " + file_kind(st.st_mode) + "; " +
                   add_force_or_redirect(rules, "write into it"));
    return st;
}

// Into the device or FIFO `expected` describes, and nothing swapped in for it.
void write_into_node(const Fd &dir, const std::string &shown, const std::string &name,
                     const struct stat &expected, const std::string &contents, const FileRole &role)
{
    // O_NONBLOCK: a FIFO nobody reads fails now (ENXIO) instead of hanging.
    const Fd out(::openat(dir.get(), name.c_str(),
                          O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
    if (!out.valid() && errno == ENXIO)
        fail(shown, role, "no process reads from it");
    if (!out.valid())
        fail(shown, role, std::strerror(errno));
    struct stat st {};
    if (::fstat(out.get(), &st) != 0)
        fail(shown, role, std::strerror(errno));
    if (st.st_dev != expected.st_dev || st.st_ino != expected.st_ino)
        refuse(shown, role, "it was replaced while being opened");
    const int flags = ::fcntl(out.get(), F_GETFL);
    if (flags < 0 || ::fcntl(out.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
        fail(shown, role, std::strerror(errno));
    if (!write_all(out.get(), contents))
        fail(shown, role, std::strerror(errno));
}

Fd create_temporary(const Fd &dir, const std::string &name, std::string &tmp)
{
    for (int attempt = 0; attempt < 100; ++attempt) {
        unsigned char random[6] = {};
        if (::getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random))
            return Fd();
        tmp = "." + name + ".";
        for (const unsigned char byte : random) {
            char hex[3];
            std::snprintf(hex, sizeof hex, "%02x", byte);
            tmp += hex;
        }
        Fd fd(::openat(dir.get(), tmp.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644));
        if (fd.valid() || errno != EEXIST)
            return fd;
    }
    return Fd();
}

// Moves the finished temporary file to `name`, atomically either way.
bool publish(const Fd &dir, const std::string &tmp, const std::string &name, bool replace)
{
    if (replace)
        return ::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) == 0;
    if (::renameat2(dir.get(), tmp.c_str(), dir.get(), name.c_str(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno != EINVAL) // EINVAL: a file system without RENAME_NOREPLACE
        return false;
    if (::linkat(dir.get(), tmp.c_str(), dir.get(), name.c_str(), 0) != 0)
        return false; // fails with EEXIST just the same
    (void)::unlinkat(dir.get(), tmp.c_str(), 0);
    return true;
}

void write_at(const Fd &dir, const std::string &shown, const std::string &name,
              const std::string &contents, const OutputRules &rules, const FileRole &role)
{
    if (name.empty() || name == "." || name == "..")
        refuse(shown, role, "it is a directory; give the name of a file");
    const std::optional<struct stat> existing = check(dir, shown, name, rules, role);
    if (existing && (S_ISCHR(existing->st_mode) || S_ISFIFO(existing->st_mode))) {
        // No rename over a device: /dev/null would become a file for the
        // whole machine. There is no old content to keep whole either.
        write_into_node(dir, shown, name, *existing, contents, role);
        return;
    }
    std::string tmp;
    Fd fd = create_temporary(dir, name, tmp);
    if (!fd.valid())
        fail(shown, role,
             std::string(std::strerror(errno)) + "; check that its directory is writable");
    const bool ok = ::fchmod(fd.get(), 0644) == 0 && write_all(fd.get(), contents) &&
                    ::fsync(fd.get()) == 0 && fd.close() && publish(dir, tmp, name, rules.replace);
    const int error = errno;
    if (ok)
        return;
    (void)::unlinkat(dir.get(), tmp.c_str(), 0);
    if (error == EEXIST && !rules.replace) // it appeared since the check
        throw Error(shown + " already exists; " + add_force_or_redirect(rules, "replace it"));
    fail(shown, role, std::strerror(error));
}
} // namespace

namespace {
struct SplitPath {
    std::string dir; // "." when the path has no slash
    std::string name;
};

SplitPath split(const std::string &path)
{
    const auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return {".", path};
    return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// The directory part may hold links (the caller's choice); the last
// component is never followed.
Fd open_parent(const std::string &dir, const std::string &shown, const FileRole &role)
{
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
        fail(shown, role, std::string(std::strerror(errno)) + "; check that its directory exists");
    return fd;
}
} // namespace

void write_output_file(const std::string &path, const std::string &contents,
                       const OutputRules &rules, const FileRole &role)
{
    if (path == "-") {
        errno = 0;
        std::cout << contents << std::flush;
        if (!std::cout && errno == EPIPE)
            throw OutputClosed();
        if (!std::cout)
            throw Error("cannot write " + role.what + " to stdout");
        return;
    }
    const std::string shown = shown_path(path);
    if (const auto fd = caller_descriptor(path)) {
        std::cout << std::flush; // what stdout already holds comes first
        write_to_descriptor(*fd, shown, contents, role);
        return;
    }
    const SplitPath parts = split(path);
    write_at(open_parent(parts.dir, shown, role), shown, parts.name, contents, rules, role);
}

void check_output_file(const std::string &path, const OutputRules &rules, const FileRole &role)
{
    if (path == "-" || caller_descriptor(path))
        return;
    const std::string shown = shown_path(path);
    const SplitPath parts = split(path);
    if (parts.name.empty() || parts.name == "." || parts.name == "..")
        refuse(shown, role, "it is a directory; give the name of a file");
    (void)check(open_parent(parts.dir, shown, role), shown, parts.name, rules, role);
}

Fd open_output_directory(const std::string &path, const FileRole &role)
{
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
        throw Error("cannot create directory " + shown_path(path) + ": " + std::strerror(errno));
    Fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.valid())
        return dir;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
        throw Error("refusing to write " + role.what + " into " + shown_path(path) + ": it is " +
                    file_kind(st.st_mode) + ", not a directory" +
                    (S_ISLNK(st.st_mode) ? "; give the directory it points to" : ""));
    throw Error("cannot open directory " + shown_path(path) + ": " + std::strerror(errno));
}

void check_output_file_at(const Fd &dir, const std::string &dir_path, const std::string &name,
                          const OutputRules &rules, const FileRole &role)
{
    (void)check(dir, shown_path(dir_path + "/" + name), name, rules, role);
}

void write_output_file_at(const Fd &dir, const std::string &dir_path, const std::string &name,
                          const std::string &contents, const OutputRules &rules,
                          const FileRole &role)
{
    write_at(dir, shown_path(dir_path + "/" + name), name, contents, rules, role);
}

} // namespace ostree_ima
