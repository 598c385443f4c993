// compute_commit_digests: the `digests` job. The IMA file digests that
// `sign` would sign for a commit, as a manifest for the signing room.
#pragma once

#include "ostree-ima/digest_manifest.hpp"

#include <string>

namespace ostree_ima {

struct DigestsRequest {
    std::string repo_path;
    std::string source_rev;
    const HashAlgo *algo = nullptr;
    DigestSelection selection;
    unsigned jobs = 1;
};

// Reads the repository only. Skips what `sign` would skip: symlinks, and
// files already carrying security.ima unless selection.overwrite.
DigestManifest compute_commit_digests(const DigestsRequest &request);

} // namespace ostree_ima
