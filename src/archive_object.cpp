#include "archive_object.hpp"

#include "object_checksum.hpp"
#include "ostree-ima/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

namespace ostree_ima {

namespace {

constexpr std::size_t kChunk = 256 * 1024;
constexpr std::uint32_t kMaxHeader = 64 * 1024 * 1024;

// A full disk gets the same hint as libostree's writes (gerror.cpp).
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

void write_all(int fd, const void *buf, std::size_t len, const std::string &what)
{
    const auto *p = static_cast<const std::uint8_t *>(buf);
    while (len > 0) {
        const ssize_t n = ::write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw Error("cannot write " + what + ": " + errno_text());
        p += n;
        len -= static_cast<std::size_t>(n);
    }
}

// <BE u32 size><4 zero bytes><variant bytes>, as OSTree serialises headers.
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

class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    [[nodiscard]] int get() const { return fd_; }

  private:
    int fd_;
};

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
        std::vector<std::uint8_t> buf(std::min<std::uint64_t>(len, kChunk));
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

// Links a finished, unnamed temporary file in as objects/XX/YYY.filez. An
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

} // namespace

ArchiveObject::ArchiveObject(OstreeRepo *repo, std::string checksum)
    : repo_(repo), checksum_(std::move(checksum))
{
    const std::string rel = object_path();
    const std::string what = "content object " + checksum_ + " (" + rel + ")";
    fd_ = ::openat(ostree_repo_get_dfd(repo_), rel.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
        throw Error("cannot open " + what + ": " + errno_text() +
                    "; the repository is incomplete, run 'ostree fsck'");
    struct stat st {};
    if (::fstat(fd_, &st) != 0)
        throw Error("cannot stat " + what + ": " + errno_text());
    std::uint8_t prefix[8];
    pread_all(fd_, prefix, sizeof prefix, 0, what);
    const std::uint32_t header_size = (std::uint32_t{prefix[0]} << 24) |
                                      (std::uint32_t{prefix[1]} << 16) |
                                      (std::uint32_t{prefix[2]} << 8) | prefix[3];
    if (header_size == 0 || header_size > kMaxHeader ||
        8 + static_cast<std::uint64_t>(header_size) > static_cast<std::uint64_t>(st.st_size))
        throw Error(what + " is corrupted: bad header size; run 'ostree fsck'");
    std::vector<std::uint8_t> raw(header_size);
    pread_all(fd_, raw.data(), raw.size(), 8, what);
    GBytes *bytes = g_bytes_new(raw.data(), raw.size());
    header_ =
        take_variant(g_variant_new_from_bytes(G_VARIANT_TYPE("(tuuuusa(ayay))"), bytes, FALSE));
    g_bytes_unref(bytes);
    body_offset_ = 8 + static_cast<std::uint64_t>(header_size);
    body_size_ = static_cast<std::uint64_t>(st.st_size) - body_offset_;

    guint64 size_be = 0;
    guint32 mode_be = 0;
    GVariant *xattrs = nullptr;
    g_variant_get(header_.get(), "(tuuuu&s@a(ayay))", &size_be, nullptr, nullptr, &mode_be, nullptr,
                  nullptr, &xattrs);
    xattrs_.reset(xattrs);
    size_ = GUINT64_FROM_BE(size_be);
    mode_ = GUINT32_FROM_BE(mode_be);
}

ArchiveObject::~ArchiveObject()
{
    if (fd_ >= 0)
        ::close(fd_);
}

std::string ArchiveObject::object_path() const
{
    return "objects/" + checksum_.substr(0, 2) + "/" + checksum_.substr(2) + ".filez";
}

bool ArchiveObject::is_regular() const
{
    return S_ISREG(mode_);
}

void ArchiveObject::inflate(const std::function<void(std::span<const std::uint8_t>)> &sink) const
{
    const std::string what = "content object " + checksum_ + " (" + object_path() + ")";
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        throw Error("cannot start zlib");
    struct End {
        z_stream *z;
        ~End() { inflateEnd(z); }
    } end{&z};
    guint32 uid = 0, gid = 0, mode = 0, rdev = 0;
    const char *symlink = nullptr;
    g_variant_get(header_.get(), "(tuuuu&sa(ayay))", nullptr, &uid, &gid, &mode, &rdev, &symlink,
                  nullptr);
    ObjectChecksum check(
        take_variant(g_variant_new("(uuuus@a(ayay))", uid, gid, mode, rdev, symlink, xattrs_.get()))
            .get());
    // Buffers no larger than this object needs: most objects of an OS are
    // small, and zero-filling two full chunks per object showed in profiles.
    std::vector<std::uint8_t> in(std::clamp<std::uint64_t>(body_size_, 1, kChunk));
    std::vector<std::uint8_t> out(std::clamp<std::uint64_t>(size_, 1, kChunk));
    std::uint64_t offset = body_offset_;
    std::uint64_t left = body_size_;
    std::uint64_t produced = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (z.avail_in == 0) {
            if (left == 0)
                break;
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, kChunk));
            pread_all(fd_, in.data(), n, offset, what);
            offset += n;
            left -= n;
            z.next_in = in.data();
            z.avail_in = static_cast<uInt>(n);
        }
        z.next_out = out.data();
        z.avail_out = static_cast<uInt>(out.size());
        rc = ::inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            throw Error(what + " is corrupted (zlib: " + (z.msg ? z.msg : "error") +
                        "); run 'ostree fsck'");
        const std::size_t got = out.size() - z.avail_out;
        produced += got;
        if (got > 0) {
            check.update(std::span<const std::uint8_t>(out.data(), got));
            sink(std::span<const std::uint8_t>(out.data(), got));
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0 && left == 0)
            break;
    }
    if (produced != size_)
        throw Error(what + " is corrupted: content is " + std::to_string(produced) +
                    " bytes, header says " + std::to_string(size_) + "; run 'ostree fsck'");
    check.require(checksum_, what);
}

std::string ArchiveObject::write_with_xattrs(GVariant *new_xattrs,
                                             const std::vector<std::uint8_t> *content) const
{
    guint64 size_be = 0;
    guint32 uid = 0, gid = 0, mode = 0, rdev = 0;
    const char *symlink = nullptr;
    g_variant_get(header_.get(), "(tuuuu&sa(ayay))", &size_be, &uid, &gid, &mode, &rdev, &symlink,
                  nullptr);

    // The checksum covers the uncompressed object form.
    const GVariantPtr file_header =
        take_variant(g_variant_new("(uuuus@a(ayay))", uid, gid, mode, rdev, symlink, new_xattrs));
    const std::vector<std::uint8_t> checksum_prefix = sized_variant(file_header.get());
    EVP_MD_CTX *raw_ctx = EVP_MD_CTX_new();
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(raw_ctx, EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(ctx.get(), checksum_prefix.data(), checksum_prefix.size());
    if (content != nullptr)
        EVP_DigestUpdate(ctx.get(), content->data(), content->size());
    else
        inflate([&](std::span<const std::uint8_t> chunk) {
            EVP_DigestUpdate(ctx.get(), chunk.data(), chunk.size());
        });
    unsigned char digest[32];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &len);
    char hex[OSTREE_SHA256_STRING_LEN + 1];
    ostree_checksum_inplace_from_bytes(digest, hex);
    std::string new_checksum = hex; // not const: returned by move

    const GVariantPtr zheader = take_variant(
        g_variant_new("(tuuuus@a(ayay))", size_be, uid, gid, mode, rdev, symlink, new_xattrs));
    const std::vector<std::uint8_t> head = sized_variant(zheader.get());
    const int repo_dfd = ostree_repo_get_dfd(repo_);
    const std::string what = "signed copy of content object " + checksum_;
    require_free_space(repo_, head.size() + body_size_, what);
    const Fd tmp(::openat(repo_dfd, "tmp", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644));
    if (tmp.get() < 0)
        throw Error("cannot create a temporary file in the repository's tmp/: " + errno_text());
    write_all(tmp.get(), head.data(), head.size(), what);
    copy_range(fd_, body_offset_, body_size_, tmp.get(), what);
    if (::fchmod(tmp.get(), 0644) != 0)
        throw Error("cannot set the mode of " + what + ": " + errno_text());
    const std::string rel =
        "objects/" + new_checksum.substr(0, 2) + "/" + new_checksum.substr(2) + ".filez";
    link_object(repo_dfd, tmp.get(), rel, what);
    return new_checksum;
}

void sync_repository(OstreeRepo *repo)
{
    if (::syncfs(ostree_repo_get_dfd(repo)) != 0)
        throw Error(std::string("cannot flush the repository to disk: ") + errno_text());
}

} // namespace ostree_ima
