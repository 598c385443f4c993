#include "objects/metadata_object_writer.hpp"

#include "objects/object_file_io.hpp"
#include "ostree-ima/error.hpp"
#include "util/glib_ptr.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>

namespace ostree_ima {

std::string write_metadata_object(OstreeRepo *repo, OstreeObjectType type, GVariant *value,
                                  const std::string &what)
{
    // The checksum covers the normal form, which is also what is stored.
    const GVariantPtr normal(g_variant_get_normal_form(value)); // a new reference
    const auto *data = static_cast<const std::uint8_t *>(g_variant_get_data(normal.get()));
    const std::size_t size = g_variant_get_size(normal.get());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_Digest(data, size, digest, &digest_len, EVP_sha256(), nullptr) != 1 ||
        digest_len != OSTREE_SHA256_DIGEST_LEN)
        throw Error("cannot compute the checksum of the " + what);
    char hex[OSTREE_SHA256_STRING_LEN + 1];
    ostree_checksum_inplace_from_bytes(digest, hex);

    const int dfd = ostree_repo_get_dfd(repo);
    const std::string relpath = object_relpath(hex, ostree_object_type_to_string(type));
    // Already there (a dirtree a --reuse commit shares): content-addressed,
    // so the same bytes, as libostree's own writer assumes. Saves a file
    // per directory of a tree that was signed before.
    struct stat st {};
    if (::fstatat(dfd, relpath.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
        return hex;
    require_free_space(repo, size, what);
    const Fd tmp = open_object_tmpfile(dfd);
    write_all(tmp.get(), data, size, what);
    if (::fchmod(tmp.get(), 0644) != 0)
        throw Error("cannot set the mode of the " + what + ": " + errno_text());
    link_object(dfd, tmp.get(), relpath, what);
    return hex;
}

} // namespace ostree_ima
