#include "objects/object_file_io.hpp"

#include "ostree-ima/error.hpp"
#include "util/write_fully.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace ostree_ima {

std::string object_relpath(const std::string &checksum, const std::string &extension)
{
    return "objects/" + checksum.substr(0, 2) + "/" + checksum.substr(2) + "." + extension;
}

std::string content_object_relpath(const std::string &checksum, bool archive)
{
    return object_relpath(checksum, archive ? "filez" : "file");
}

std::string errno_text()
{
    const int e = errno;
    std::string text = std::strerror(e);
    if (e == ENOSPC || e == EDQUOT)
        text += "; free space on the repository's filesystem and run again";
    return text;
}

void pread_all(int fd, void *buf, std::size_t len, std::uint64_t offset, const std::string &what)
{
    auto *p = static_cast<std::uint8_t *>(buf);
    while (len > 0) {
        const ssize_t n = ::pread(fd, p, len, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw Error("cannot read " + what + ": " + (n == 0 ? "truncated" : errno_text()));
        p += n;
        len -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

void read_chunks(int fd, std::uint64_t size, std::span<std::uint8_t> buf,
                 const std::function<void(std::span<const std::uint8_t>)> &sink,
                 const std::string &what)
{
    for (std::uint64_t offset = 0; offset < size;) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - offset));
        pread_all(fd, buf.data(), n, offset, what);
        sink(buf.first(n));
        offset += n;
    }
}

void write_all(int fd, const void *buf, std::size_t len, const std::string &what)
{
    if (!write_fully(fd, buf, len))
        throw Error("cannot write " + what + ": " + errno_text());
}

std::vector<std::uint8_t> sized_variant(GVariant *v)
{
    const gsize size = g_variant_get_size(v);
    std::vector<std::uint8_t> out(8 + size, 0);
    out[0] = static_cast<std::uint8_t>(size >> 24);
    out[1] = static_cast<std::uint8_t>(size >> 16);
    out[2] = static_cast<std::uint8_t>(size >> 8);
    out[3] = static_cast<std::uint8_t>(size);
    g_variant_store(v, out.data() + 8);
    return out;
}

// Copies [offset, offset+len) of `in` to the end of `out`, in the kernel
// where it can (no user-space copy; reflinked on filesystems that can).
void copy_range(int in, std::uint64_t offset, std::uint64_t len, int out, const std::string &what)
{
    auto off = static_cast<loff_t>(offset);
    bool kernel = true;
    while (len > 0) {
        if (kernel) {
            const ssize_t n = ::copy_file_range(in, &off, out, nullptr, len, 0);
            if (n > 0) {
                len -= static_cast<std::uint64_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 &&
                (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
                kernel = false;
                continue;
            }
            throw Error("cannot copy " + what + ": " + (n == 0 ? "truncated" : errno_text()));
        }
        std::vector<std::uint8_t> buf(std::min<std::uint64_t>(len, kIoChunk));
        pread_all(in, buf.data(), buf.size(), static_cast<std::uint64_t>(off), what);
        write_all(out, buf.data(), buf.size(), what);
        off += static_cast<loff_t>(buf.size());
        len -= buf.size();
    }
}

// libostree refuses a content write that would eat into the space its
// core.min-free-space-percent/-size reserve; this write path honours it too.
void require_free_space(OstreeRepo *repo, std::uint64_t bytes, const std::string &what)
{
    guint64 reserved = 0;
    struct statvfs st {};
    if (!ostree_repo_get_min_free_space_bytes(repo, &reserved, nullptr) || reserved == 0 ||
        ::fstatvfs(ostree_repo_get_dfd(repo), &st) != 0)
        return; // as libostree: no reserve, no check; the write reports real trouble
    const std::uint64_t free_bytes =
        static_cast<std::uint64_t>(getuid() == 0 ? st.f_bfree : st.f_bavail) * st.f_bsize;
    if (free_bytes < reserved + bytes)
        throw Error("cannot write " + what + ": no space: it would leave less than the " +
                    std::to_string(reserved) +
                    " bytes that core.min-free-space-percent/-size keep free; free space on "
                    "the repository's filesystem and run again");
}

// Links a finished, unnamed temporary file in as objects/XX/YYY.ext. An
// object already there is identical by construction (content-addressed).
void link_object(int repo_dfd, int tmp_fd, const std::string &relpath, const std::string &what)
{
    const std::string dir = relpath.substr(0, relpath.rfind('/'));
    if (::mkdirat(repo_dfd, dir.c_str(), 0755) != 0 && errno != EEXIST)
        throw Error("cannot create " + dir + " in the repository: " + errno_text());
    const std::string proc = "/proc/self/fd/" + std::to_string(tmp_fd);
    if (::linkat(AT_FDCWD, proc.c_str(), repo_dfd, relpath.c_str(), AT_SYMLINK_FOLLOW) == 0 ||
        errno == EEXIST)
        return;
    throw Error("cannot link " + what + " into the repository: " + errno_text());
}

void clone_or_copy(int in, std::uint64_t len, int out, const std::string &what)
{
    if (::ioctl(out, FICLONE, in) == 0)
        return;
    copy_range(in, 0, len, out, what);
}

Fd open_object_tmpfile(int repo_dfd)
{
    Fd tmp(::openat(repo_dfd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644));
    if (tmp.get() < 0)
        throw Error("cannot create a temporary file in the repository's tmp/: " + errno_text());
    return tmp;
}

void sync_repository(OstreeRepo *repo)
{
    if (::syncfs(ostree_repo_get_dfd(repo)) != 0)
        throw Error(std::string("cannot flush the repository to disk: ") + errno_text());
}

} // namespace ostree_ima
