// ArchiveObject: a content object of an archive-mode repository (.filez),
// read and rewritten without recompressing its body.
//
// An archive object is <BE u32 header size><4 zero bytes><header variant
// (tuuuusa(ayay))><raw deflate body>. Only the header holds the xattrs, so a
// signed copy is the new header followed by the very same compressed bytes
// (copied in the kernel with copy_file_range). The object's checksum is
// SHA-256 over the *uncompressed* form, <BE u32 size><4 zero bytes><header
// variant (uuuusa(ayay))><content>, so the content is still inflated once to
// compute the IMA digest and the checksum.
#pragma once

#include "objects/content_copy.hpp"
#include "objects/object_file_io.hpp"
#include "objects/stored_object.hpp"
#include "util/glib_ptr.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <ostree.h>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

class ArchiveObject final : public StoredObject {
  public:
    // Opens objects/XX/YYY.filez and parses its header; Error names the path
    // and checksum when it is missing or malformed, when its mode is neither
    // a regular file nor a symlink (the only types OSTree stores), or when it
    // is a symlink whose header does not hash to its name. Content up to
    // in_memory_limit is kept in memory by read(.., keep), more in an
    // unnamed file (ContentCopy).
    ArchiveObject(OstreeRepo *repo, std::string checksum, std::uint64_t in_memory_limit);

    [[nodiscard]] bool is_regular() const override;
    [[nodiscard]] std::uint64_t size() const override { return size_; }
    [[nodiscard]] GVariant *xattrs() const override { return xattrs_.get(); }
    [[nodiscard]] ObjectOwnership ownership() const override;

    // Inflates the body (see inflate()), keeping the content for the
    // writer's checksum pass when asked.
    void read(const ContentSink &sink, bool keep) override;

    // Writes the same object with other xattrs straight into objects/ (an
    // atomic link of a finished file: never a partial object) and returns its
    // checksum. The checksum pass replays the kept content, or inflates the
    // body (again).
    std::string write_with_xattrs(GVariant *new_xattrs) override;

  private:
    // Calls sink for each chunk of content; checks that the body is one
    // complete deflate stream, that the content has the size the header
    // says and that the object hashes to its name, so the stream can be
    // reused as it is. Bytes after the end of the stream (which libostree's
    // readers ignore) are not part of it and are not reused.
    void inflate(const ContentSink &sink);
    [[nodiscard]] std::string object_path() const;
    [[nodiscard]] std::string describe() const; // "content object X (objects/..)"
    void check_symlink() const;
    OstreeRepo *repo_;
    std::string checksum_;
    std::uint64_t in_memory_limit_;
    Fd fd_;
    std::uint64_t body_offset_ = 0;
    std::uint64_t body_size_ = 0;
    // The complete deflate stream's length, once inflate() has proved it.
    std::optional<std::uint64_t> stream_size_;
    std::optional<ContentCopy> kept_;
    GVariantPtr header_; // (tuuuusa(ayay)), integers big-endian as stored
    GVariantPtr xattrs_;
    std::uint64_t size_ = 0;
    std::uint32_t mode_ = 0;
};

} // namespace ostree_ima
