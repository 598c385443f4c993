// sign_commit and compute_commit_digests in a repository already open: what
// apply_signatures runs in the repository it opened. Internal, because Repo
// is (the public headers name a repository by its path).
#pragma once

#include "ostree-ima/commit_digests.hpp"
#include "ostree-ima/commit_signer.hpp"
#include "util/progress.hpp"

namespace ostree_ima {

class Repo;

// request.repo_path is not used; `step` is what request.progress is told
// (apply runs both, as its two steps).
SignReport sign_commit(const Repo &repo, const SignRequest &request, KeyBackend &key,
                       const ProgressStep &step = {"signing"});
DigestManifest compute_commit_digests(const Repo &repo, const DigestsRequest &request,
                                      const ProgressStep &step = {"computing digests"});

} // namespace ostree_ima
