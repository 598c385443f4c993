#include "signing/signing_record.hpp"

#include <ostree.h>

namespace ostree_ima {

namespace {
constexpr std::uint32_t kVersion = 1;

std::optional<std::string> lookup_string(GVariant *dict, const char *key)
{
    const char *value = nullptr;
    if (!g_variant_lookup(dict, key, "&s", &value))
        return std::nullopt;
    return std::string(value);
}

std::optional<bool> lookup_bool(GVariant *dict, const char *key)
{
    gboolean value = FALSE;
    if (!g_variant_lookup(dict, key, "b", &value))
        return std::nullopt;
    return value != FALSE;
}

std::string differ(const char *what, const std::string &then, const std::string &now)
{
    return std::string(what) + " (" + (then.empty() ? "none" : then) + ", now " +
           (now.empty() ? "none" : now) + ")";
}

std::string yes_no(bool value)
{
    return value ? "given" : "not given";
}
} // namespace

GVariantPtr SigningRecord::to_variant() const
{
    VariantBuilder builder(G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(builder.get(), "{sv}", "version", g_variant_new_uint32(kVersion));
    g_variant_builder_add(builder.get(), "{sv}", "source",
                          g_variant_new_string(source_commit.c_str()));
    g_variant_builder_add(builder.get(), "{sv}", "scheme", g_variant_new_string(scheme.c_str()));
    g_variant_builder_add(builder.get(), "{sv}", "hash", g_variant_new_string(hash.c_str()));
    g_variant_builder_add(builder.get(), "{sv}", "key-id", g_variant_new_string(key_id.c_str()));
    g_variant_builder_add(builder.get(), "{sv}", "evm-key-id",
                          g_variant_new_string(evm_key_id.c_str()));
    g_variant_builder_add(builder.get(), "{sv}", "overwrite", g_variant_new_boolean(overwrite));
    g_variant_builder_add(builder.get(), "{sv}", "allow-large-xattrs",
                          g_variant_new_boolean(allow_large_xattrs));
    return take_variant(builder.end());
}

SigningRecordRead read_signing_record(GVariant *commit)
{
    SigningRecordRead out;
    const GVariantPtr metadata(g_variant_get_child_value(commit, 0));
    const GVariantPtr value(g_variant_lookup_value(metadata.get(), kSigningRecordKey, nullptr));
    if (!value)
        return out;
    out.malformed = true;
    if (!g_variant_is_of_type(value.get(), G_VARIANT_TYPE_VARDICT))
        return out;
    guint32 version = 0;
    if (!g_variant_lookup(value.get(), "version", "u", &version) || version != kVersion)
        return out;
    SigningRecord r;
    const auto source = lookup_string(value.get(), "source");
    const auto scheme = lookup_string(value.get(), "scheme");
    const auto hash = lookup_string(value.get(), "hash");
    const auto key_id = lookup_string(value.get(), "key-id");
    const auto evm_key_id = lookup_string(value.get(), "evm-key-id");
    const auto overwrite = lookup_bool(value.get(), "overwrite");
    const auto large = lookup_bool(value.get(), "allow-large-xattrs");
    if (!source || !ostree_validate_checksum_string(source->c_str(), nullptr) || !scheme || !hash ||
        !key_id || !evm_key_id || !overwrite || !large)
        return out;
    r.source_commit = *source;
    r.scheme = *scheme;
    r.hash = *hash;
    r.key_id = *key_id;
    r.evm_key_id = *evm_key_id;
    r.overwrite = *overwrite;
    r.allow_large_xattrs = *large;
    out.record = std::move(r);
    out.malformed = false;
    return out;
}

std::optional<std::string> SigningRecord::differs_from(const SigningRecord &other) const
{
    if (scheme != other.scheme)
        return differ("the signature scheme", scheme, other.scheme);
    if (hash != other.hash)
        return differ("the hash algorithm", hash, other.hash);
    if (key_id != other.key_id)
        return differ("the key id", key_id, other.key_id);
    if (evm_key_id != other.evm_key_id)
        return differ("the EVM key id", evm_key_id, other.evm_key_id);
    if (overwrite != other.overwrite)
        return differ("--overwrite", yes_no(overwrite), yes_no(other.overwrite));
    if (allow_large_xattrs != other.allow_large_xattrs)
        return differ("--allow-large-xattrs", yes_no(allow_large_xattrs),
                      yes_no(other.allow_large_xattrs));
    return std::nullopt;
}

} // namespace ostree_ima
