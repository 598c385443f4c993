// sign_commit and compute_commit_digests in a repository already open: what
// apply_signatures runs in the repository it opened. Internal, because Repo
// is (the public headers name a repository by its path).
#pragma once

#include "ostree-ima/commit_digests.hpp"
#include "ostree-ima/commit_signer.hpp"

namespace ostree_ima {

class Repo;

// request.repo_path is not used.
SignReport sign_commit(const Repo &repo, const SignRequest &request, KeyBackend &key);
DigestManifest compute_commit_digests(const Repo &repo, const DigestsRequest &request);

} // namespace ostree_ima
