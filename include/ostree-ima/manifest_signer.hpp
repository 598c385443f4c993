// sign_manifest: the `sign-digests` job, for the signing room: signs every
// digest of a manifest with a KeyBackend (no repository needed).
#pragma once

#include "ostree-ima/digest_manifest.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/signature_file.hpp"

#include <string>

namespace ostree_ima {

struct ManifestSignRequest {
    const DigestManifest *manifest = nullptr;
    std::string manifest_sha256; // of the manifest file's bytes
    KeyId key_id{};
    std::vector<std::uint8_t> certificate_der; // may be empty
    unsigned jobs = 1;
};

// Each signature is checked against the key's public half before it is
// written out. Throws Error naming the key when signing fails.
SignatureFile sign_manifest(const ManifestSignRequest &request, KeyBackend &key);

} // namespace ostree_ima
