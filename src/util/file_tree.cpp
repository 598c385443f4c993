#include "util/file_tree.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <memory>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ostree_ima {

namespace {
struct DirCloser {
    void operator()(DIR *d) const { ::closedir(d); }
};

constexpr const char *kNotRead = "cannot read directory";

std::string shown(const std::string &path)
{
    return path.empty() ? "/" : path;
}

// `fd` is an open directory at `path` (relative, "" for the root); takes it.
void walk(Fd fd, const std::string &path, FileTree &out)
{
    std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd.get()));
    if (!dir) {
        out.unreadable.push_back({shown(path), kNotRead, errno});
        return;
    }
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
        const std::string sub_path = path + "/" + name;
        struct stat st {};
        if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            out.unreadable.push_back({sub_path, "cannot look at it (stat)", errno, false});
        } else if (S_ISREG(st.st_mode)) {
            out.files.push_back(sub_path);
        } else if (S_ISDIR(st.st_mode)) {
            Fd sub(::openat(dfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (sub.valid())
                walk(std::move(sub), sub_path, out);
            else
                out.unreadable.push_back({sub_path, kNotRead, errno});
        }
        errno = 0;
    }
    if (errno != 0)
        out.unreadable.push_back({shown(path), "cannot read the whole directory", errno});
}
} // namespace

FileTree regular_files_under(int dir)
{
    FileTree out;
    Fd fd(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.valid())
        walk(std::move(fd), "", out);
    else
        out.unreadable.push_back({"/", kNotRead, errno});
    std::sort(out.files.begin(), out.files.end());
    std::sort(out.unreadable.begin(), out.unreadable.end(),
              [](const UnreadablePath &a, const UnreadablePath &b) { return a.path < b.path; });
    return out;
}

Fd open_in_tree(int root, const std::string &relative, int flags)
{
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags) | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH;
    const long fd = ::syscall(SYS_openat2, root, relative.c_str(), &how, sizeof how);
    // ENOSYS: a kernel before 5.6; EPERM: a seccomp filter that knows no
    // openat2 (older container runtimes).
    if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
        return Fd(static_cast<int>(fd));
    return Fd(::openat(root, relative.c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
}

} // namespace ostree_ima
