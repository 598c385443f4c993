#include "objects/bare_object.hpp"

#include "objects/bare_object_writer.hpp"
#include "objects/object_file_io.hpp"
#include "util/gerror.hpp"
#include "util/scratch_buffer.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>

namespace ostree_ima {

namespace {
struct ReadBuffer;
struct KeptContent;
} // namespace

BareObject::BareObject(OstreeRepo *repo, std::string checksum, std::uint64_t in_memory_limit)
    : repo_(repo), checksum_(std::move(checksum)), in_memory_limit_(in_memory_limit)
{
    load();
}

void BareObject::load()
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

bool BareObject::is_regular() const
{
    return g_file_info_get_file_type(info_.get()) == G_FILE_TYPE_REGULAR;
}

ObjectOwnership BareObject::ownership() const
{
    GFileInfo *info = info_.get();
    return {g_file_info_get_attribute_uint32(info, "unix::uid"),
            g_file_info_get_attribute_uint32(info, "unix::gid"),
            g_file_info_get_attribute_uint32(info, "unix::mode")};
}

std::uint64_t BareObject::size() const
{
    return static_cast<std::uint64_t>(g_file_info_get_size(info_.get()));
}

GVariantPtr BareObject::file_header() const
{
    GFileInfo *info = info_.get();
    return make_file_header(g_file_info_get_attribute_uint32(info, "unix::uid"),
                            g_file_info_get_attribute_uint32(info, "unix::gid"),
                            g_file_info_get_attribute_uint32(info, "unix::mode"),
                            g_file_info_get_symlink_target(info), xattrs_.get());
}

std::string BareObject::describe() const
{
    return "content object " + checksum_ + " (" + content_object_relpath(checksum_, false) + ")";
}

void BareObject::read(const ContentSink &sink, bool keep)
{
    if (read_)
        throw std::logic_error("BareObject::read called twice");
    read_ = true;
    const bool in_memory = keep && size() <= in_memory_limit_;
    std::vector<std::uint8_t> &memory = scratch_vector<KeptContent>(); // kept by the thread
    memory.clear();
    if (in_memory)
        memory.reserve(size());
    ObjectChecksum check(file_header().get());
    // No larger than the content needs (+1 to see the end in one read).
    const std::span<std::uint8_t> buf =
        scratch_buffer<ReadBuffer>(std::min<std::uint64_t>(size() + 1, kIoChunk));
    while (input_) {
        GError *error = nullptr;
        const gssize n = g_input_stream_read(input_.get(), buf.data(), buf.size(), nullptr, &error);
        if (n < 0)
            throw_gerror(error, "cannot read " + describe());
        if (n == 0)
            break;
        const std::span<const std::uint8_t> chunk(buf.data(), static_cast<std::size_t>(n));
        check.update(chunk);
        sink(chunk);
        if (in_memory)
            memory.insert(memory.end(), chunk.begin(), chunk.end());
    }
    check.require(checksum_, describe());
    input_.reset();
    kept_ = in_memory ? &memory : nullptr;
}

// The data is shared or copied in the kernel by write_bare_object, which
// also completes the new checksum (from the kept content, or from the new
// file).
std::string BareObject::write_with_xattrs(GVariant *new_xattrs)
{
    const OstreeRepoMode mode = ostree_repo_get_mode(repo_);
    if (mode != OSTREE_REPO_MODE_BARE && mode != OSTREE_REPO_MODE_BARE_USER)
        throw Error("cannot rewrite " + describe() +
                    ": only archive, bare and bare-user repositories hold security.ima");
    GFileInfo *info = info_.get();
    const BareFileMeta meta{g_file_info_get_attribute_uint32(info, "unix::uid"),
                            g_file_info_get_attribute_uint32(info, "unix::gid"),
                            g_file_info_get_attribute_uint32(info, "unix::mode")};
    ObjectChecksum sum(make_file_header(meta.uid, meta.gid, meta.mode, nullptr, new_xattrs).get());
    return write_bare_object(repo_, checksum_, meta, new_xattrs, sum, kept_);
}

} // namespace ostree_ima
