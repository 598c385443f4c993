#include "objects/metadata_object.hpp"

#include "objects/object_file_io.hpp"
#include "ostree-ima/error.hpp"
#include "util/gerror.hpp"

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
} // namespace

GVariantPtr load_metadata_object(OstreeRepo *repo, OstreeObjectType type,
                                 const std::string &checksum, const std::string &where)
{
    const std::string what = std::string(type_name(type)) + " " + checksum + " (" +
                             object_relpath(checksum, type_name(type)) + ")" +
                             (where.empty() ? "" : " of " + where);
    GVariant *raw = nullptr;
    GError *error = nullptr;
    check_g(ostree_repo_load_variant(repo, type, checksum.c_str(), &raw, &error), error,
            "cannot load " + what);
    GVariantPtr object = take_variant(raw);
    const std::string actual = sha256_hex_of(object.get());
    if (actual != checksum)
        throw Error(what + " is corrupted: it hashes to " + actual +
                    ", not to its name; run 'ostree fsck' and restore the object (e.g. pull "
                    "the commit again)");
    check_g(validate_structure(type, object.get(), &error), error,
            what + " is malformed; run 'ostree fsck'");
    return object;
}

} // namespace ostree_ima
