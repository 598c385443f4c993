// sign_commit: the whole `sign` job as a library call.
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/path_selector.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace ostree_ima {

struct SignRequest {
    std::string repo_path;
    std::string source_rev; // a ref or a commit checksum
    std::string target_ref; // empty: write the commit, move no ref
    const HashAlgo *algo = nullptr;
    KeyId key_id{};
    bool overwrite = false; // replace an existing security.ima
    unsigned jobs = 1;      // worker threads
    bool progress = false;  // progress display on stderr
    PathSelector selector;  // which files to sign (default: all)
};

struct SignReport {
    std::string source_commit;
    std::string new_commit;
    std::string ref;
    std::uint64_t files_signed = 0;  // paths whose file got a new signature
    std::uint64_t files_kept = 0;    // paths whose existing security.ima was kept
    std::uint64_t unique_signed = 0; // content objects signed
    std::uint64_t bytes_hashed = 0;  // content bytes hashed
    double seconds = 0;
};

// Writes a new commit in one OSTree transaction; moves target_ref only when
// every object is written. Throws Error (repository and ref untouched).
SignReport sign_commit(const SignRequest &request, KeyBackend &key);

} // namespace ostree_ima
