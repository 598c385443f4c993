// SigningRecord: what `sign` writes into the metadata of a commit it
// changed: the source commit it was made from and the options that shape
// every signed file. A later `sign --reuse` of that commit takes its files
// for the unchanged files of a new source without reading them
// (SignedCounterparts), when the options are the same. `strip` removes it,
// so strip(sign(C)) is C again. docs/format.md has the layout, and
// docs/threat-model.md what a forged record can and cannot do.
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/signature_scheme.hpp"
#include "util/glib_ptr.hpp"

#include <optional>
#include <string>

namespace ostree_ima {

// The commit metadata key (a{sv}).
inline constexpr const char *kSigningRecordKey = "ostree-ima.signing";

struct SigningRecord {
    std::string source_commit; // 64 hex digits
    // What shapes a signed file: the same source object under the same
    // options becomes the same signed object.
    std::string scheme;     // "v2", "sigv3" (SignatureScheme::name)
    std::string hash;       // "sha256"
    std::string key_id;     // 8 hex digits
    std::string evm_key_id; // empty: no EVM signatures
    bool overwrite = false;
    bool allow_large_xattrs = false;

    // The a{sv} value written under kSigningRecordKey.
    [[nodiscard]] GVariantPtr to_variant() const;
    // The first option in which `other` differs, for the report ("the hash
    // algorithm (sha512, now sha256)"); nullopt when none does. The source
    // commit is not compared.
    [[nodiscard]] std::optional<std::string> differs_from(const SigningRecord &other) const;
};

// The record of a commit variant; nullopt when it has none. A record that
// is not well-formed (wrong types, a source that is not a checksum, another
// version) is `malformed` and is not used.
struct SigningRecordRead {
    std::optional<SigningRecord> record;
    bool malformed = false;
};
SigningRecordRead read_signing_record(GVariant *commit);

} // namespace ostree_ima
