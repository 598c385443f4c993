#include "objects/archive_object.hpp"

#include "objects/object_checksum.hpp"
#include "objects/object_file_io.hpp"
#include "ostree-ima/error.hpp"
#include "util/scratch_buffer.hpp"

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

constexpr std::uint32_t kMaxHeader = 64 * 1024 * 1024;
constexpr std::uint64_t kFirstRead = 4096;

std::string describe_object(const std::string &checksum)
{
    return "content object " + checksum + " (" + content_object_relpath(checksum, true) + ")";
}

Fd open_object(OstreeRepo *repo, const std::string &checksum)
{
    Fd fd(::openat(ostree_repo_get_dfd(repo), content_object_relpath(checksum, true).c_str(),
                   O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        const std::string why = errno_text(); // before anything else can set errno
        throw Error("cannot open " + describe_object(checksum) + ": " + why +
                    "; the repository is incomplete, run 'ostree fsck'");
    }
    return fd;
}

} // namespace

ArchiveObject::ArchiveObject(OstreeRepo *repo, std::string checksum, std::uint64_t in_memory_limit)
    : repo_(repo), checksum_(std::move(checksum)), in_memory_limit_(in_memory_limit),
      fd_(open_object(repo, checksum_))
{
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) {
        const std::string why = errno_text();
        throw Error("cannot stat " + describe() + ": " + why);
    }
    const auto file_size = static_cast<std::uint64_t>(st.st_size);
    // One read gets the size prefix and, nearly always, the whole header
    // (a --reuse record run opens every signed object for its header alone).
    std::vector<std::uint8_t> raw(
        static_cast<std::size_t>(std::min<std::uint64_t>(file_size, kFirstRead)));
    if (raw.size() < 8)
        throw Error(describe() + " is corrupted: bad header size; run 'ostree fsck'");
    pread_all(fd_.get(), raw.data(), raw.size(), 0, describe());
    const std::uint32_t header_size = (std::uint32_t{raw[0]} << 24) |
                                      (std::uint32_t{raw[1]} << 16) | (std::uint32_t{raw[2]} << 8) |
                                      raw[3];
    if (header_size == 0 || header_size > kMaxHeader ||
        8 + static_cast<std::uint64_t>(header_size) > file_size)
        throw Error(describe() + " is corrupted: bad header size; run 'ostree fsck'");
    const std::size_t have = raw.size();
    raw.resize(8 + std::size_t{header_size});
    if (raw.size() > have)
        pread_all(fd_.get(), raw.data() + have, raw.size() - have, have, describe());
    GBytes *bytes = g_bytes_new(raw.data() + 8, header_size);
    header_ =
        take_variant(g_variant_new_from_bytes(G_VARIANT_TYPE("(tuuuusa(ayay))"), bytes, FALSE));
    g_bytes_unref(bytes);
    body_offset_ = 8 + static_cast<std::uint64_t>(header_size);
    body_size_ = file_size - body_offset_;

    guint64 size_be = 0;
    guint32 mode_be = 0;
    GVariant *xattrs = nullptr;
    g_variant_get(header_.get(), "(tuuuu&s@a(ayay))", &size_be, nullptr, nullptr, &mode_be, nullptr,
                  nullptr, &xattrs);
    xattrs_.reset(xattrs);
    size_ = GUINT64_FROM_BE(size_be);
    mode_ = GUINT32_FROM_BE(mode_be);
    // The dirtree cannot say which type an object has; its name can. An
    // object that is neither type is damaged, not a file to skip.
    if (S_ISLNK(mode_))
        check_symlink();
    else if (!S_ISREG(mode_))
        throw Error(describe() + " is corrupted: its mode " + std::to_string(mode_) +
                    " is neither a regular file nor a symlink; run 'ostree fsck' and restore "
                    "the object (e.g. pull the commit again)");
}

std::string ArchiveObject::object_path() const
{
    return content_object_relpath(checksum_, true);
}

std::string ArchiveObject::describe() const
{
    return describe_object(checksum_);
}

// A symlink object is its header alone: check it now, since no content read
// will.
void ArchiveObject::check_symlink() const
{
    guint32 uid = 0, gid = 0, mode = 0, rdev = 0;
    const char *target = nullptr;
    g_variant_get(header_.get(), "(tuuuu&sa(ayay))", nullptr, &uid, &gid, &mode, &rdev, &target,
                  nullptr);
    ObjectChecksum check(
        take_variant(g_variant_new("(uuuus@a(ayay))", uid, gid, mode, rdev, target, xattrs_.get()))
            .get());
    check.require(checksum_, describe());
}

bool ArchiveObject::is_regular() const
{
    return S_ISREG(mode_);
}

ObjectOwnership ArchiveObject::ownership() const
{
    guint32 uid_be = 0, gid_be = 0;
    g_variant_get(header_.get(), "(tuuuu&sa(ayay))", nullptr, &uid_be, &gid_be, nullptr, nullptr,
                  nullptr, nullptr);
    return {GUINT32_FROM_BE(uid_be), GUINT32_FROM_BE(gid_be), mode_};
}

void ArchiveObject::read(const ContentSink &sink, bool keep)
{
    if (!keep) {
        inflate(sink);
        return;
    }
    kept_.emplace(ostree_repo_get_dfd(repo_), size_, in_memory_limit_);
    inflate([&](std::span<const std::uint8_t> chunk) {
        sink(chunk);
        kept_->append(chunk);
    });
}

void ArchiveObject::inflate(const ContentSink &sink)
{
    const std::string what = describe();
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
    // Buffers no larger than this object needs (most objects of an OS are
    // small), kept by the thread from one object to the next.
    struct InflateIn;
    struct InflateOut;
    const std::span<std::uint8_t> in =
        scratch_buffer<InflateIn>(std::clamp<std::uint64_t>(body_size_, 1, kIoChunk));
    const std::span<std::uint8_t> out =
        scratch_buffer<InflateOut>(std::clamp<std::uint64_t>(size_, 1, kIoChunk));
    std::uint64_t offset = body_offset_;
    std::uint64_t left = body_size_;
    std::uint64_t produced = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (z.avail_in == 0) {
            // The body may be reused as it is: a stream that ends without its
            // final block would make every reader of the new object fail.
            if (left == 0)
                throw Error(what + " is corrupted: its compressed body ends before the end of the "
                                   "deflate stream; run 'ostree fsck' and restore the object");
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, kIoChunk));
            pread_all(fd_.get(), in.data(), n, offset, what);
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
    }
    if (produced != size_)
        throw Error(what + " is corrupted: content is " + std::to_string(produced) +
                    " bytes, header says " + std::to_string(size_) + "; run 'ostree fsck'");
    check.require(checksum_, what);
    stream_size_ = body_size_ - left - z.avail_in;
}

std::string ArchiveObject::write_with_xattrs(GVariant *new_xattrs)
{
    guint64 size_be = 0;
    guint32 uid = 0, gid = 0, mode = 0, rdev = 0;
    const char *symlink = nullptr;
    g_variant_get(header_.get(), "(tuuuu&sa(ayay))", &size_be, &uid, &gid, &mode, &rdev, &symlink,
                  nullptr);

    // The checksum covers the uncompressed object form.
    const GVariantPtr file_header =
        take_variant(g_variant_new("(uuuus@a(ayay))", uid, gid, mode, rdev, symlink, new_xattrs));
    ObjectChecksum sum(file_header.get());
    const ContentSink update = [&](std::span<const std::uint8_t> chunk) { sum.update(chunk); };
    // Only a stream that inflate() proved complete is reused.
    if (!stream_size_ || !kept_ || !kept_->replay(update))
        inflate(update);
    std::string new_checksum = sum.finish_hex(); // not const: returned by move

    const GVariantPtr zheader = take_variant(
        g_variant_new("(tuuuus@a(ayay))", size_be, uid, gid, mode, rdev, symlink, new_xattrs));
    const std::vector<std::uint8_t> head = sized_variant(zheader.get());
    const int repo_dfd = ostree_repo_get_dfd(repo_);
    const std::string what = "signed copy of content object " + checksum_;
    require_free_space(repo_, head.size() + *stream_size_, what);
    const Fd tmp = open_object_tmpfile(repo_dfd);
    write_all(tmp.get(), head.data(), head.size(), what);
    copy_range(fd_.get(), body_offset_, *stream_size_, tmp.get(), what);
    if (::fchmod(tmp.get(), 0644) != 0)
        throw Error("cannot set the mode of " + what + ": " + errno_text());
    const std::string rel = content_object_relpath(new_checksum, true);
    link_object(repo_dfd, tmp.get(), rel, what);
    return new_checksum;
}

} // namespace ostree_ima
