// ContentObject: one content object of the repository, loaded for reading,
// and the writer of its signed (or stripped) replacement.
#pragma once

#include "gvariant_ptr.hpp"
#include "object_checksum.hpp"
#include "scratch_buffer.hpp"

#include <algorithm>
#include <cstdint>
#include <gio/gio.h>
#include <memory>
#include <ostree.h>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

struct GObjectUnref {
    void operator()(gpointer p) const { g_object_unref(p); }
};
template <typename T> using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

class ContentObject {
  public:
    // Loads header and an input stream over the content; Error names the
    // object when it is missing, when it is neither a regular file nor a
    // symlink, or when it is a symlink whose header does not hash to its name
    // (a regular file's content is checked by read_content).
    ContentObject(OstreeRepo *repo, std::string checksum);

    [[nodiscard]] bool is_regular() const;
    [[nodiscard]] std::uint64_t size() const;
    [[nodiscard]] GVariant *xattrs() const { return xattrs_.get(); }
    [[nodiscard]] GFileInfo *info() const { return info_.get(); }
    [[nodiscard]] const std::string &checksum() const { return checksum_; }

    // Reads the whole content in chunks, calling sink for each. Once only.
    // Throws Error naming the object's path when the content does not match
    // the checksum (a corrupted object), after the sink saw it all.
    template <typename Sink> void read_content(Sink &&sink);

    // Reopens the content stream (after read_content consumed it).
    void reopen();

    // Writes a content object with this object's uid/gid/mode, the given
    // xattrs, and the same content (`memory` holds it when not null).
    // Returns its checksum. Must run inside a transaction. bare and
    // bare-user objects are written by write_bare_object (data shared or
    // copied in the kernel; without `memory` the checksum pass reads the new
    // file), other modes through libostree's writer (without `memory` the
    // object is read again).
    std::string write_with_xattrs(GVariant *new_xattrs, const std::vector<std::uint8_t> *memory);

  private:
    std::string write_bare(GVariant *new_xattrs, const std::vector<std::uint8_t> *memory);
    std::string write_through_libostree(GVariant *new_xattrs,
                                        const std::vector<std::uint8_t> *memory);
    void load();
    void read_chunk_error(GError *error);
    [[nodiscard]] GVariantPtr file_header() const;
    [[nodiscard]] std::string describe() const; // "content object X (objects/..)"
    OstreeRepo *repo_;
    std::string checksum_;
    GObjectPtr<GInputStream> input_;
    GObjectPtr<GFileInfo> info_;
    GVariantPtr xattrs_;
};

template <typename Sink> void ContentObject::read_content(Sink &&sink)
{
    if (!input_)
        return;
    ObjectChecksum check(file_header().get());
    struct ReadBuffer;
    // No larger than the content needs (+1 to see the end in one read).
    const std::span<std::uint8_t> buf =
        scratch_buffer<ReadBuffer>(std::min<std::uint64_t>(size() + 1, 256 * 1024));
    for (;;) {
        GError *error = nullptr;
        const gssize n = g_input_stream_read(input_.get(), buf.data(), buf.size(), nullptr, &error);
        if (n < 0)
            read_chunk_error(error);
        if (n <= 0)
            break;
        const std::span<const std::uint8_t> chunk(buf.data(), static_cast<std::size_t>(n));
        check.update(chunk);
        sink(chunk);
    }
    check.require(checksum_, describe());
}

} // namespace ostree_ima
