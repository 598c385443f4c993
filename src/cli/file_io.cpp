#include "cli/file_io.hpp"

#include "ostree-ima/error.hpp"
#include "util/fd.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace ostree_ima::cli {

namespace {
std::string errno_text()
{
    return std::strerror(errno);
}

bool write_all(int fd, const std::string &data)
{
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}
// Moves the finished temporary file to `path`, atomically either way.
bool publish(const std::string &tmp, const std::string &path, Replace replace)
{
    if (replace == Replace::Always)
        return ::rename(tmp.c_str(), path.c_str()) == 0;
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno != EINVAL) // EINVAL: a file system without RENAME_NOREPLACE
        return false;
    if (::link(tmp.c_str(), path.c_str()) != 0) // fails with EEXIST just the same
        return false;
    ::unlink(tmp.c_str());
    return true;
}
} // namespace

std::string read_input_file(const std::string &path, std::size_t max_bytes, const std::string &what)
{
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        throw Error("cannot open " + what + " " + path + ": " + errno_text());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(what + " " + path + " is not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
        throw Error(what + " " + path + " is larger than " + std::to_string(max_bytes) +
                    " bytes; is it the right file?");
    std::string data(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    int read_errno = 0;
    while (done < data.size()) {
        const ssize_t n = ::read(fd.get(), data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            read_errno = errno;
        if (n <= 0)
            break; // an error (below), or it shrank while reading: parse what is there
        done += static_cast<std::size_t>(n);
    }
    if (read_errno != 0)
        throw Error("cannot read " + what + " " + path + ": " + std::strerror(read_errno));
    data.resize(done);
    return data;
}

void write_output_file(const std::string &path, const std::string &contents, Replace replace)
{
    if (path == "-") {
        std::cout << contents << std::flush;
        if (!std::cout)
            throw Error("cannot write to stdout");
        return;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        // A device, FIFO or socket (-o /dev/null, /dev/stdout, a pipe): write
        // into it. Renaming over it would turn /dev/null into a file for the
        // whole machine, and there is no old content to keep whole.
        Fd out(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
        if (out.get() < 0 || !write_all(out.get(), contents))
            throw Error("cannot write " + path + ": " + errno_text());
        return;
    }
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    std::string tmp = (slash == std::string::npos ? std::string() : dir) + "." + name + ".XXXXXX";
    Fd fd(::mkstemp(tmp.data()));
    if (fd.get() < 0)
        throw Error("cannot create " + path + ": " + errno_text() +
                    "; check that its directory exists and is writable");
    const bool ok = ::fchmod(fd.get(), 0644) == 0 && write_all(fd.get(), contents) &&
                    ::fsync(fd.get()) == 0 && fd.close() && publish(tmp, path, replace);
    if (!ok && errno == EEXIST && replace == Replace::Never) {
        ::unlink(tmp.c_str());
        throw Error(path + " already exists; add --force to replace it");
    }
    if (!ok) {
        const std::string reason = errno_text();
        ::unlink(tmp.c_str());
        throw Error("cannot write " + path + ": " + reason);
    }
}

} // namespace ostree_ima::cli
