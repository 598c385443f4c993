#include "objects/bare_object_writer.hpp"

#include "objects/object_file_io.hpp"
#include "ostree-ima/error.hpp"
#include "util/glib_ptr.hpp"
#include "util/scratch_buffer.hpp"

#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace ostree_ima {

namespace {

void set_xattr(int fd, const char *name, const void *value, std::size_t size,
               const std::string &what)
{
    if (::fsetxattr(fd, name, value, size, 0) != 0)
        throw Error("cannot set xattr " + std::string(name) + " on " + what + ": " + errno_text());
}

// bare: the object's own xattrs, as real xattrs of the file.
void set_all_xattrs(int fd, GVariant *xattrs, const std::string &what)
{
    const gsize n = g_variant_n_children(xattrs);
    for (gsize i = 0; i < n; ++i) {
        const guint8 *name = nullptr;
        GVariant *value_raw = nullptr;
        g_variant_get_child(xattrs, i, "(^&ay@ay)", &name, &value_raw);
        const GVariantPtr value(value_raw);
        gsize size = 0;
        const void *data = g_variant_get_fixed_array(value.get(), &size, 1);
        set_xattr(fd, reinterpret_cast<const char *>(name), data, size, what);
    }
}

// Adds the `size` bytes of file `fd` to `sum`.
void hash_file(int fd, std::uint64_t size, ObjectChecksum &sum, const std::string &what)
{
    struct HashBuffer;
    read_chunks(
        fd, size, scratch_buffer<HashBuffer>(std::clamp<std::uint64_t>(size, 1, kIoChunk)),
        [&](std::span<const std::uint8_t> chunk) { sum.update(chunk); }, what);
}

} // namespace

std::string write_bare_object(OstreeRepo *repo, const std::string &old_checksum,
                              const BareFileMeta &meta, GVariant *xattrs, ObjectChecksum &sum,
                              const std::vector<std::uint8_t> *memory)
{
    const int dfd = ostree_repo_get_dfd(repo);
    const std::string old_rel = content_object_relpath(old_checksum, false);
    const std::string what = "signed copy of content object " + old_checksum;
    const Fd source(::openat(dfd, old_rel.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (source.get() < 0)
        throw Error("cannot open content object " + old_checksum + " (" + old_rel +
                    "): " + errno_text() + "; the repository is incomplete, run 'ostree fsck'");
    struct stat st {};
    if (::fstat(source.get(), &st) != 0)
        throw Error("cannot stat " + old_rel + ": " + errno_text());
    const auto size = static_cast<std::uint64_t>(st.st_size);
    require_free_space(repo, size, what);

    const Fd tmp = open_object_tmpfile(dfd);
    clone_or_copy(source.get(), size, tmp.get(), what);
    if (memory != nullptr)
        sum.update(*memory);
    else
        hash_file(tmp.get(), size, sum, what);
    std::string new_checksum = sum.finish_hex(); // not const: returned by move
    if (ostree_repo_get_mode(repo) == OSTREE_REPO_MODE_BARE) {
        // As libostree: owner first (chown clears set-id bits), then mode.
        if (::fchown(tmp.get(), meta.uid, meta.gid) != 0)
            throw Error("cannot set the owner of " + what + ": " + errno_text());
        if (::fchmod(tmp.get(), meta.mode & 07777) != 0)
            throw Error("cannot set the mode of " + what + ": " + errno_text());
        set_all_xattrs(tmp.get(), xattrs, what);
    } else {
        const GVariantPtr built =
            take_variant(g_variant_new("(uuu@a(ayay))", GUINT32_TO_BE(meta.uid),
                                       GUINT32_TO_BE(meta.gid), GUINT32_TO_BE(meta.mode), xattrs));
        const GVariantPtr filemeta(g_variant_get_normal_form(built.get())); // a new reference
        set_xattr(tmp.get(), "user.ostreemeta", g_variant_get_data(filemeta.get()),
                  g_variant_get_size(filemeta.get()), what);
        if (::fchmod(tmp.get(), (meta.mode & 0775) | S_IRUSR) != 0)
            throw Error("cannot set the mode of " + what + ": " + errno_text());
    }
    link_object(dfd, tmp.get(), content_object_relpath(new_checksum, false), what);
    return new_checksum;
}

} // namespace ostree_ima
