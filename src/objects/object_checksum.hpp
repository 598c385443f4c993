// ObjectChecksum: a content object's OSTree checksum, computed while its
// content streams past, so reading an object also proves it intact.
//
// The checksum is SHA-256 over <BE u32 header size><4 zero bytes><file header
// (uuuusa(ayay)), integers big-endian><content>. Neither libostree's readers
// nor raw deflate (no CRC) notice a flipped byte, and signing such content
// would bless the corruption, so every full read is checked.
#pragma once

#include "util/glib_ptr.hpp"
#include "util/openssl_ptr.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace ostree_ima {

class ObjectChecksum {
  public:
    // `file_header` is the (uuuusa(ayay)) variant, integers big-endian.
    explicit ObjectChecksum(GVariant *file_header);
    void update(std::span<const std::uint8_t> content);
    // Finishes; throws Error naming `what` (the object and its path) unless
    // the content read hashes to `expected`.
    void require(const std::string &expected, const std::string &what);
    // Finishes; the checksum as 64 hex digits.
    std::string finish_hex();

  private:
    EvpMdCtxPtr ctx_;
};

// The file header from host-order values; null xattrs mean none.
GVariantPtr make_file_header(std::uint32_t uid, std::uint32_t gid, std::uint32_t mode,
                             const char *symlink_target, GVariant *xattrs);

} // namespace ostree_ima
