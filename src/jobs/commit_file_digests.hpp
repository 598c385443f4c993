// compute_commit_file_digests: every selected regular file of a commit with
// the digest the kernel will measure for it, and what its security.ima is,
// for `keylime-policy`. Reads the repository only; each content object is
// read once, on `jobs` workers, as `digests` reads them.
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/path_selector.hpp"
#include "ostree-ima/progress.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ostree_ima {

struct FileDigestsRequest {
    std::string repo_path;
    std::string source_rev;
    const HashAlgo *algo = nullptr; // the kernel's ima_hash
    PathSelector selector;
    unsigned jobs = 1;
    ProgressSink *progress = nullptr; // told how far the reading is (may be null)
};

// One content object (regular file) and every selected path that has it.
struct MeasuredObject {
    std::string checksum;
    std::vector<std::string> paths;
    std::vector<std::uint8_t> digest; // with the request's algo
    // The algorithm security.ima makes the kernel measure with (a v2
    // signature's, a hash value's: ima/measurement_algo.hpp), nullptr for
    // ima_hash; when it differs from the request's, the content's digest
    // with it is here too.
    const HashAlgo *measured_algo = nullptr;
    std::vector<std::uint8_t> measured_algo_digest; // when measured_algo != algo
    // The key id of a well-formed IMA v2 signature.
    std::optional<KeyId> signature_key_id;
    // An fs-verity (sigv3) security.ima: the content is not read.
    bool verity_signature = false;
};

struct CommitFileDigests {
    std::string commit;
    std::vector<MeasuredObject> objects; // in commit walk order
};

CommitFileDigests compute_commit_file_digests(const FileDigestsRequest &request);

} // namespace ostree_ima
