// sign_manifest: the `sign-digests` job, for the signing room: signs every
// digest of a manifest with a KeyBackend (no repository needed).
#pragma once

#include "ostree-ima/commit_signer.hpp"
#include "ostree-ima/digest_manifest.hpp"
#include "ostree-ima/export.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/progress.hpp"
#include "ostree-ima/signature_file.hpp"

#include <string>

namespace ostree_ima {

struct ManifestSignRequest {
    const DigestManifest *manifest = nullptr;
    std::string manifest_sha256; // of the manifest file's bytes
    KeyId key_id{};
    std::vector<std::uint8_t> certificate_der; // may be empty
    // An append-only file of the signatures the key makes, read at start, so
    // a run that failed can be resumed (empty: none).
    std::string signature_cache;
    ProgressSink *progress = nullptr; // told how far the job is (may be null)
};

struct SignedManifest {
    SignatureFile file;
    SignatureCounts signatures; // made, taken from the cache, ...
};

// Signs on as many threads as the key has signatures in flight
// (KeyBackend::max_parallel: a token's sessions). Each signature is checked
// against the key's public half before it is written out. Throws Error
// naming the key when signing fails.
OSTREE_IMA_EXPORT SignedManifest sign_manifest(const ManifestSignRequest &request, KeyBackend &key);

} // namespace ostree_ima
