// SignatureFile: what the signing room hands back (the `sign-digests`
// output, `apply` input). Format: docs/signing-room.md.
#pragma once

#include "ostree-ima/digest_manifest.hpp"
#include "ostree-ima/export.hpp"
#include "ostree-ima/ima_xattr.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

inline constexpr std::string_view kSignatureFileFormat = "ostree-ima-signatures";
// Version 2: the manifest's selection carries signer_key_id; 3: reuse.
inline constexpr std::uint64_t kSignatureFileVersion = 3;
// 4: names its signature scheme (manifest.selection.signature_format), for
// the schemes other than v2 (today: fs-verity signatures).
inline constexpr std::uint64_t kSignatureFileSchemeVersion = 4;

// Which manifest the signatures are for.
struct ManifestIdentity {
    std::string commit;
    const HashAlgo *algo = nullptr;
    std::string manifest_sha256; // of the manifest file's bytes
    DigestSelection selection;
};

struct DigestSignature {
    std::vector<std::uint8_t> digest;
    std::vector<std::uint8_t> signature; // as it goes into security.ima
};

struct SignatureFile {
    ManifestIdentity manifest;
    KeyId key_id{};
    std::vector<std::uint8_t> certificate_der; // empty when none was known
    std::vector<DigestSignature> signatures;   // digests unique
};

OSTREE_IMA_EXPORT std::string serialize_signature_file(const SignatureFile &file);

// Strict parse of untrusted text; throws Error naming `origin` and the first
// problem. Never crashes on malformed, truncated or hostile input.
OSTREE_IMA_EXPORT SignatureFile parse_signature_file(std::string_view text,
                                                     const std::string &origin);

} // namespace ostree_ima
