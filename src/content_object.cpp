#include "content_object.hpp"

#include "bare_object_writer.hpp"
#include "gerror.hpp"
#include "object_file_io.hpp"

namespace ostree_ima {

ContentObject::ContentObject(OstreeRepo *repo, std::string checksum)
    : repo_(repo), checksum_(std::move(checksum))
{
    load();
}

void ContentObject::load()
{
    GInputStream *input = nullptr;
    GFileInfo *info = nullptr;
    GVariant *xattrs = nullptr;
    GError *error = nullptr;
    const gboolean ok =
        ostree_repo_load_file(repo_, checksum_.c_str(), &input, &info, &xattrs, nullptr, &error);
    input_.reset(input);
    info_.reset(info);
    xattrs_.reset(xattrs);
    check_g(ok, error, "cannot read " + describe());
    // The dirtree cannot say which type an object has; its name can. A
    // symlink is its header alone, so it is checked here (no content read
    // will); anything but a regular file or a symlink is damage, not a file
    // to skip.
    const GFileType type = g_file_info_get_file_type(info_.get());
    if (type == G_FILE_TYPE_SYMBOLIC_LINK) {
        ObjectChecksum check(file_header().get());
        check.require(checksum_, describe());
    } else if (type != G_FILE_TYPE_REGULAR) {
        throw Error(describe() + " is corrupted: its mode " +
                    std::to_string(g_file_info_get_attribute_uint32(info_.get(), "unix::mode")) +
                    " is neither a regular file nor a symlink; run 'ostree fsck' and restore "
                    "the object (e.g. pull the commit again)");
    }
}

void ContentObject::reopen()
{
    load();
}

bool ContentObject::is_regular() const
{
    return g_file_info_get_file_type(info_.get()) == G_FILE_TYPE_REGULAR;
}

std::uint64_t ContentObject::size() const
{
    return static_cast<std::uint64_t>(g_file_info_get_size(info_.get()));
}

void ContentObject::read_chunk_error(GError *error)
{
    throw_gerror(error, "cannot read " + describe());
}

GVariantPtr ContentObject::file_header() const
{
    GFileInfo *info = info_.get();
    return make_file_header(g_file_info_get_attribute_uint32(info, "unix::uid"),
                            g_file_info_get_attribute_uint32(info, "unix::gid"),
                            g_file_info_get_attribute_uint32(info, "unix::mode"),
                            g_file_info_get_symlink_target(info), xattrs_.get());
}

std::string ContentObject::describe() const
{
    const bool archive = ostree_repo_get_mode(repo_) == OSTREE_REPO_MODE_ARCHIVE;
    return "content object " + checksum_ + " (" + content_object_relpath(checksum_, archive) + ")";
}

std::string ContentObject::write_with_xattrs(GVariant *new_xattrs,
                                             const std::vector<std::uint8_t> *memory)
{
    const OstreeRepoMode mode = ostree_repo_get_mode(repo_);
    if (mode == OSTREE_REPO_MODE_BARE || mode == OSTREE_REPO_MODE_BARE_USER)
        return write_bare(new_xattrs, memory);
    return write_through_libostree(new_xattrs, memory);
}

// The data is shared or copied in the kernel by write_bare_object, which
// also completes the new checksum (from `memory`, or from the new file).
std::string ContentObject::write_bare(GVariant *new_xattrs, const std::vector<std::uint8_t> *memory)
{
    GFileInfo *info = info_.get();
    const BareFileMeta meta{g_file_info_get_attribute_uint32(info, "unix::uid"),
                            g_file_info_get_attribute_uint32(info, "unix::gid"),
                            g_file_info_get_attribute_uint32(info, "unix::mode")};
    ObjectChecksum sum(make_file_header(meta.uid, meta.gid, meta.mode, nullptr, new_xattrs).get());
    return write_bare_object(repo_, checksum_, meta, new_xattrs, sum, memory);
}

std::string ContentObject::write_through_libostree(GVariant *new_xattrs,
                                                   const std::vector<std::uint8_t> *memory)
{
    GObjectPtr<GInputStream> content;
    if (memory != nullptr) {
        // The bytes stay owned by `memory`, which outlives the write.
        content.reset(g_memory_input_stream_new_from_data(
            memory->data(), static_cast<gssize>(memory->size()), nullptr));
    } else {
        reopen();
        content.reset(G_INPUT_STREAM(g_object_ref(input_.get())));
    }
    GInputStream *object_stream = nullptr;
    guint64 length = 0;
    GError *error = nullptr;
    check_g(ostree_raw_file_to_content_stream(content.get(), info_.get(), new_xattrs,
                                              &object_stream, &length, nullptr, &error),
            error, "cannot build the new object for " + checksum_);
    const GObjectPtr<GInputStream> stream(object_stream);
    g_autofree guchar *raw = nullptr;
    check_g(ostree_repo_write_content(repo_, nullptr, stream.get(), length, &raw, nullptr, &error),
            error, "cannot write the new object for " + checksum_);
    char hex[OSTREE_SHA256_STRING_LEN + 1];
    ostree_checksum_inplace_from_bytes(raw, hex);
    return hex;
}

} // namespace ostree_ima
