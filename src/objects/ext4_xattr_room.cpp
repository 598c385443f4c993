#include "objects/ext4_xattr_room.hpp"

#include <array>
#include <string_view>

namespace ostree_ima {

namespace {
constexpr std::size_t kBlockHeaderBytes = 32; // struct ext4_xattr_header
constexpr std::size_t kEntryBytes = 16;       // struct ext4_xattr_entry, before the name
constexpr std::size_t kEndMarkBytes = 4;      // the zero word after the last entry

constexpr std::size_t round_up_4(std::size_t n)
{
    return (n + 3) & ~std::size_t{3};
}

// ext4 stores a name as the index of its prefix and the rest
// (ext4_xattr_handler_map); these names are all prefix.
std::size_t stored_name_length(std::string_view name)
{
    constexpr std::array<std::string_view, 3> kWhole = {
        "system.posix_acl_access", "system.posix_acl_default", "system.richacl"};
    for (std::string_view whole : kWhole)
        if (name == whole)
            return 0;
    constexpr std::array<std::string_view, 4> kPrefixes = {"user.", "trusted.", "security.",
                                                           "system."};
    for (std::string_view prefix : kPrefixes)
        if (name.starts_with(prefix))
            return name.size() - prefix.size();
    return name.size();
}
} // namespace

std::size_t ext4_xattr_block_bytes(GVariant *xattrs)
{
    if (xattrs == nullptr || g_variant_n_children(xattrs) == 0)
        return 0;
    std::size_t bytes = kBlockHeaderBytes + kEndMarkBytes;
    const gsize n = g_variant_n_children(xattrs);
    for (gsize i = 0; i < n; ++i) {
        GVariantPtr entry(g_variant_get_child_value(xattrs, i));
        GVariantPtr name(g_variant_get_child_value(entry.get(), 0));
        GVariantPtr value(g_variant_get_child_value(entry.get(), 1));
        bytes +=
            round_up_4(kEntryBytes + stored_name_length(g_variant_get_bytestring(name.get()))) +
            round_up_4(g_variant_get_size(value.get()));
    }
    return bytes;
}

bool fits_ext4_xattr_block(GVariant *xattrs)
{
    return ext4_xattr_block_bytes(xattrs) <= kExt4XattrBlockSize;
}

} // namespace ostree_ima
