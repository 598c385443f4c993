// DigestManifest: what the build host asks the signing room to sign (the
// `digests` output, `sign-digests` input). Format: docs/signing-room.md.
#pragma once

#include "ostree-ima/export.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/path_selector.hpp"
#include "ostree-ima/signature_scheme.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

inline constexpr std::string_view kDigestManifestFormat = "ostree-ima-digests";
// Version 2 added selection.signer_key_id (the rules for existing
// signatures), version 3 selection.reuse; version 4 names its scheme and is
// written for the schemes other than v2 only, today fs-verity signatures
// (selection.signature_format), so v2 manifests keep version
// 3 and their bytes, and an ostree-ima that knows no sigv3 refuses version 4.
inline constexpr std::uint64_t kDigestManifestVersion = 3;
inline constexpr std::uint64_t kDigestManifestSchemeVersion = 4;
// Manifests and signature files larger than this are refused unread.
inline constexpr std::size_t kMaxSigningFileBytes = 256UL * 1024 * 1024;

// Which files the manifest covers; `apply` recomputes it with the same.
// Without overwrite, a file whose security.ima `sign` would keep is left
// out. With signer_key_id (digests --cert) the rules are sign's exactly: a
// well-formed signature by another key, or a valid one by the signing key,
// is left out. Without it no existing signature can be told valid, so files
// with a well-formed signature are listed too (apply keeps the valid ones);
// malformed ones are always listed.
struct DigestSelection {
    PathSelector selector;
    bool overwrite = false;             // also files that carry a valid security.ima
    std::optional<KeyId> signer_key_id; // the signing certificate's key id, when known
    // Commits (checksums) whose signatures by the signer are reused: a digest
    // one of them has a valid signature for is left out (digests --reuse).
    // Needs signer_key_id.
    std::vector<std::string> reuse;
    // The scheme of the signatures (digests and apply --verity: sigv3).
    const SignatureScheme *scheme = &ima_v2_scheme();
};

// One file digest to sign, and every selected path whose content has it.
struct DigestEntry {
    std::vector<std::uint8_t> digest;
    std::vector<std::string> paths;
};

struct DigestManifest {
    std::string commit; // source commit checksum
    const HashAlgo *algo = nullptr;
    DigestSelection selection;
    std::vector<DigestEntry> entries; // digests unique, in commit walk order
};

// The canonical text (same manifest, same bytes: its SHA-256 identifies it).
OSTREE_IMA_EXPORT std::string serialize_digest_manifest(const DigestManifest &manifest);

// Strict parse of untrusted text; throws Error naming `origin` and the first
// problem. Never crashes on malformed, truncated or hostile input.
OSTREE_IMA_EXPORT DigestManifest parse_digest_manifest(std::string_view text,
                                                       const std::string &origin);

// Lowercase hex SHA-256 of bytes (the manifest's identity).
OSTREE_IMA_EXPORT std::string sha256_hex(std::string_view bytes);

} // namespace ostree_ima
