// BareObject: a content object of a bare or bare-user repository (read
// through libostree, which also reads bare-user-only and other modes), and
// the writer of its replacement (write_bare_object: data shared or copied in
// the kernel).
#pragma once

#include "objects/object_checksum.hpp"
#include "objects/stored_object.hpp"
#include "util/glib_ptr.hpp"

#include <cstdint>
#include <gio/gio.h>
#include <ostree.h>
#include <string>
#include <vector>

namespace ostree_ima {

class BareObject final : public StoredObject {
  public:
    // Loads header and an input stream over the content. Content up to
    // in_memory_limit is kept by read(.., keep) for the writer.
    BareObject(OstreeRepo *repo, std::string checksum, std::uint64_t in_memory_limit);

    [[nodiscard]] bool is_regular() const override;
    [[nodiscard]] std::uint64_t size() const override;
    [[nodiscard]] GVariant *xattrs() const override { return xattrs_.get(); }
    [[nodiscard]] ObjectOwnership ownership() const override;
    void read(const ContentSink &sink, bool keep) override;
    // bare and bare-user only: other modes cannot hold security.ima.
    std::string write_with_xattrs(GVariant *new_xattrs) override;

  private:
    void load();
    [[nodiscard]] GVariantPtr file_header() const;
    [[nodiscard]] std::string describe() const; // "content object X (objects/..)"
    OstreeRepo *repo_;
    std::string checksum_;
    std::uint64_t in_memory_limit_;
    GObjectPtr<GInputStream> input_;
    GObjectPtr<GFileInfo> info_;
    GVariantPtr xattrs_;
    bool read_ = false;
    // This thread's scratch vector holding the content, when read kept it.
    const std::vector<std::uint8_t> *kept_ = nullptr;
};

} // namespace ostree_ima
