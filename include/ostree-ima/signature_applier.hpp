// apply_signatures: the `apply` job. Writes the commit `sign` would have
// written, with signatures made in the signing room.
#pragma once

#include "ostree-ima/certificate.hpp"
#include "ostree-ima/commit_signer.hpp"
#include "ostree-ima/export.hpp"
#include "ostree-ima/progress.hpp"
#include "ostree-ima/signature_file.hpp"

#include <string>
#include <vector>

namespace ostree_ima {

struct ApplyRequest {
    std::string repo_path;
    std::string source_rev;
    std::string target_ref;        // empty: write the commit, move no ref
    std::string signatures_origin; // the file's name, for messages
    unsigned jobs = 1;
    // --reuse as given to apply: must name the commits the manifest was made
    // with (which apply takes in any case); empty: not checked.
    std::vector<std::string> reuse;
    // Told how far the job is (may be null): two steps, the digests
    // recomputed from the repository, then the signed commit written.
    ProgressSink *progress = nullptr;
    // As SignRequest::allow_large_xattrs.
    bool allow_large_xattrs = false;
};

// Before writing anything: the file must be for this commit, algorithm and
// manifest (recomputed from the repository), its key id must be the
// certificate's, and every signature must verify against the certificate for
// the digest recomputed from the repository. Then signs the commit through
// a KeyBackend that hands out those signatures, so the result is what `sign`
// with the same key gives. Throws Error (repository and ref untouched).
OSTREE_IMA_EXPORT SignReport apply_signatures(const ApplyRequest &request,
                                              const SignatureFile &file, const Certificate &cert);

} // namespace ostree_ima
