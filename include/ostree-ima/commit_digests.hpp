// compute_commit_digests: the `digests` job. The IMA file digests that
// `sign` would sign for a commit, as a manifest for the signing room.
#pragma once

#include "ostree-ima/digest_manifest.hpp"
#include "ostree-ima/export.hpp"
#include "ostree-ima/progress.hpp"

#include <openssl/evp.h>
#include <string>
#include <vector>

namespace ostree_ima {

struct DigestsRequest {
    std::string repo_path;
    std::string source_rev;
    const HashAlgo *algo = nullptr;
    DigestSelection selection;
    // The signing certificate's public key; required when
    // selection.signer_key_id is set (its existing signatures are checked).
    const EVP_PKEY *signer_public_key = nullptr;
    unsigned jobs = 1;
    // When set, gets one warning per part of a --reuse commit that cannot be
    // read (skipped: its digests are listed for the key instead).
    std::vector<std::string> *reuse_warnings = nullptr;
    ProgressSink *progress = nullptr; // told how far the job is (may be null)
};

// Reads the repository only. Skips what `sign` would skip: symlinks, and
// files whose security.ima it would keep (see DigestSelection).
OSTREE_IMA_EXPORT DigestManifest compute_commit_digests(const DigestsRequest &request);

} // namespace ostree_ima
