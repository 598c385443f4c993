#include "util/file_tree.hpp"

#include "ostree-ima/error.hpp"
#include "util/fd.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>

namespace ostree_ima {

namespace {
struct DirCloser {
    void operator()(DIR *d) const { ::closedir(d); }
};

// `fd` is an open directory at `path` (relative, "" for the root); takes it.
void walk(Fd fd, const std::string &path, dev_t device, std::vector<std::string> &out)
{
    std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd.get()));
    if (!dir)
        throw Error("cannot read directory " + (path.empty() ? "/" : path) + ": " +
                    std::strerror(errno));
    (void)fd.release(); // the DIR owns it now
    const int dfd = ::dirfd(dir.get());
    errno = 0;
    // readdir is thread-safe on distinct DIR streams (glibc; readdir_r is
    // deprecated): each walk has its own.
    // cppcheck-suppress readdirCalled
    while (const dirent *entry = ::readdir(dir.get())) {
        const std::string name = entry->d_name;
        if (name == "." || name == "..")
            continue;
        struct stat st {};
        if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            throw Error("cannot stat " + path + "/" + name + ": " + std::strerror(errno));
        if (S_ISREG(st.st_mode)) {
            out.push_back(path + "/" + name);
        } else if (S_ISDIR(st.st_mode) && st.st_dev == device) {
            Fd sub(::openat(dfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub.valid())
                throw Error("cannot open directory " + path + "/" + name + ": " +
                            std::strerror(errno));
            walk(std::move(sub), path + "/" + name, device, out);
        }
        errno = 0;
    }
    if (errno != 0)
        throw Error("cannot read directory " + (path.empty() ? "/" : path) + ": " +
                    std::strerror(errno));
}
} // namespace

std::vector<std::string> regular_files_under(const std::string &root)
{
    Fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
        throw Error("cannot open directory " + root + ": " + std::strerror(errno));
    std::vector<std::string> out;
    walk(std::move(fd), "", st.st_dev, out);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace ostree_ima
