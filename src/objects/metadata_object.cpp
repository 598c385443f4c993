#include "objects/metadata_object.hpp"

#include "objects/object_file_io.hpp"
#include "ostree-ima/error.hpp"
#include "util/fd.hpp"
#include "util/gerror.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/sha.h>

namespace ostree_ima {

namespace {
const char *type_name(OstreeObjectType type)
{
    return ostree_object_type_to_string(type);
}

std::string sha256_hex_of(GVariant *v)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(static_cast<const unsigned char *>(g_variant_get_data(v)), g_variant_get_size(v),
           digest);
    char hex[OSTREE_SHA256_STRING_LEN + 1];
    ostree_checksum_inplace_from_bytes(digest, hex);
    return hex;
}

gboolean validate_structure(OstreeObjectType type, GVariant *v, GError **error)
{
    switch (type) {
    case OSTREE_OBJECT_TYPE_COMMIT:
        return ostree_validate_structureof_commit(v, error);
    case OSTREE_OBJECT_TYPE_DIR_TREE:
        return ostree_validate_structureof_dirtree(v, error);
    case OSTREE_OBJECT_TYPE_DIR_META:
        return ostree_validate_structureof_dirmeta(v, error);
    default:
        return TRUE;
    }
}

// The object straight from objects/: one open, fstat and read, where
// ostree_repo_load_variant first looks through the transaction's staging
// directory and stats more paths (the walks of a 200,000-file commit load
// 20,000 dirtrees, docs/benchmarks.md). Null when the file is not there (a
// staged object, a parent repository's): libostree then looks. A floating
// reference.
GVariant *read_loose_object(OstreeRepo *repo, OstreeObjectType type, const std::string &checksum)
{
    const std::string relpath = object_relpath(checksum, type_name(type));
    const Fd fd(
        openat(ostree_repo_get_dfd(repo), relpath.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st {};
    if (!fd.valid() || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return nullptr;
    const auto size = static_cast<std::size_t>(st.st_size);
    void *data = g_malloc(size == 0 ? 1 : size);
    try {
        pread_all(fd.get(), data, size, 0, relpath);
    } catch (const Error &) {
        g_free(data);
        return nullptr; // libostree reads it again and names the error
    }
    GBytes *bytes = g_bytes_new_take(data, size);
    GVariant *v = g_variant_new_from_bytes(ostree_metadata_variant_type(type), bytes, FALSE);
    g_bytes_unref(bytes);
    return v; // floating
}
} // namespace

GVariantPtr load_metadata_object(OstreeRepo *repo, OstreeObjectType type,
                                 const std::string &checksum, const std::string &where)
{
    const auto what = [&] {
        return std::string(type_name(type)) + " " + checksum + " (" +
               object_relpath(checksum, type_name(type)) + ")" +
               (where.empty() ? "" : " of " + where);
    };
    GVariantPtr object = take_variant(read_loose_object(repo, type, checksum));
    GError *error = nullptr;
    if (!object) {
        GVariant *raw = nullptr;
        check_g(ostree_repo_load_variant(repo, type, checksum.c_str(), &raw, &error), error,
                "cannot load " + what());
        object.reset(raw); // a full reference already: sinking it again would keep it forever
    }
    const std::string actual = sha256_hex_of(object.get());
    if (actual != checksum)
        throw Error(what() + " is corrupted: it hashes to " + actual +
                    ", not to its name; run 'ostree fsck' and restore the object (e.g. pull "
                    "the commit again)");
    check_g(validate_structure(type, object.get(), &error), error,
            what() + " is malformed; run 'ostree fsck'");
    return object;
}

} // namespace ostree_ima
