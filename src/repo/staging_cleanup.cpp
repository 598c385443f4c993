#include "repo/staging_cleanup.hpp"

#include "util/fd.hpp"

#include <fcntl.h>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace ostree_ima {

namespace {
// libostree's lock: an open file description lock, as glnx_make_lock_file
// takes it (POSIX record locks, its fallback, conflict with it too).
bool try_lock(int fd)
{
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    return ::fcntl(fd, F_OFD_SETLK, &lock) == 0;
}
} // namespace

void remove_unused_staging_dirs(OstreeRepo *repo) noexcept
{
    try {
        g_autofree char *repo_path = g_file_get_path(ostree_repo_get_path(repo));
        if (repo_path == nullptr)
            return;
        const std::filesystem::path tmp = std::filesystem::path(repo_path) / "tmp";
        std::error_code ec;
        std::vector<std::string> names;
        for (const auto &entry : std::filesystem::directory_iterator(tmp, ec)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("staging-", 0) == 0 && entry.is_directory(ec) && !entry.is_symlink(ec))
                names.push_back(name);
        }
        const Fd tmp_fd(::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!tmp_fd.valid())
            return;
        for (const auto &name : names) {
            const std::string lock_name = name + "-lock";
            const Fd lock_fd(::openat(tmp_fd.get(), lock_name.c_str(),
                                      O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
            if (!lock_fd.valid())
                continue;
            if (try_lock(lock_fd.get())) {
                std::filesystem::remove_all(tmp / name, ec);
                // Unlinked while still held, as libglnx does on release.
                (void)::unlinkat(tmp_fd.get(), lock_name.c_str(), 0);
            }
        }
    } catch (...) {
        // Leftovers cost disk space only; never fail a run over them.
    }
}

} // namespace ostree_ima
