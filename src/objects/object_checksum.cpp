#include "objects/object_checksum.hpp"

#include "objects/object_file_io.hpp"

#include "ostree-ima/error.hpp"

#include <ostree.h>
#include <vector>

namespace ostree_ima {

ObjectChecksum::ObjectChecksum(GVariant *file_header) : ctx_(EVP_MD_CTX_new())
{
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
        throw Error("cannot start SHA-256: " + openssl_error_text());
    const std::vector<std::uint8_t> prefix = sized_variant(file_header);
    EVP_DigestUpdate(ctx_.get(), prefix.data(), prefix.size());
}

void ObjectChecksum::update(std::span<const std::uint8_t> content)
{
    EVP_DigestUpdate(ctx_.get(), content.data(), content.size());
}

std::string ObjectChecksum::finish_hex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &len);
    char hex[OSTREE_SHA256_STRING_LEN + 1];
    ostree_checksum_inplace_from_bytes(digest, hex);
    return hex;
}

void ObjectChecksum::require(const std::string &expected, const std::string &what)
{
    const std::string actual = finish_hex();
    if (expected != actual)
        throw Error(what + " is corrupted: its content hashes to " + actual +
                    ", not to its name; run 'ostree fsck' and restore the object (e.g. pull "
                    "the commit again)");
}

GVariantPtr make_file_header(std::uint32_t uid, std::uint32_t gid, std::uint32_t mode,
                             const char *symlink_target, GVariant *xattrs)
{
    GVariant *none =
        xattrs != nullptr ? nullptr : g_variant_new_array(G_VARIANT_TYPE("(ayay)"), nullptr, 0);
    return take_variant(g_variant_new(
        "(uuuus@a(ayay))", GUINT32_TO_BE(uid), GUINT32_TO_BE(gid), GUINT32_TO_BE(mode), 0U,
        symlink_target != nullptr ? symlink_target : "", xattrs != nullptr ? xattrs : none));
}

} // namespace ostree_ima
