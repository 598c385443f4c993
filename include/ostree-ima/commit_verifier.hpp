// verify_commit: the `verify` job. Checks every selected regular file's
// security.ima in a commit, in the repository (no checkout), as the kernel
// would: key by IMA key id, digest with the signature's algorithm, signature.
#pragma once

#include "ostree-ima/certificate.hpp"
#include "ostree-ima/export.hpp"
#include "ostree-ima/file_problem.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/path_selector.hpp"
#include "ostree-ima/progress.hpp"
#include "ostree-ima/signature_scheme.hpp"

#include <optional>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

struct VerifyRequest {
    std::string repo_path;
    std::string rev;
    std::vector<std::string> cert_paths; // certificates or directories of them
    // Certificates the caller loaded (from a token: load_certificate), in the
    // keyring beside those of cert_paths.
    std::vector<Certificate> certificates;
    bool require_all = false;                // unsigned files are failures
    const HashAlgo *required_algo = nullptr; // --hash: signatures must use it
    // --verity: signatures must be of this scheme; null: whichever is there.
    const SignatureScheme *required_scheme = nullptr;
    // A security.evm present is always checked (with the same keyring);
    // require_evm: every validly signed file must have a valid one.
    bool require_evm = false;
    PathSelector selector;
    unsigned jobs = 1;
    ProgressSink *progress = nullptr; // told how far the job is (may be null)
};

struct VerifyFinding {
    std::string path;
    std::string object; // content object checksum
    FileProblem problem;
    std::string detail; // one line, e.g. "key id 1a2b3c4d matches no --cert"
    // The scheme of the well-formed signature the file holds; null when it
    // is unsigned or holds no well-formed signature of any scheme.
    const SignatureScheme *scheme = nullptr;
};

struct VerifyReport {
    std::string commit;
    std::uint64_t files_checked = 0;  // selected regular files (paths)
    std::uint64_t files_signed = 0;   // with a valid signature
    std::uint64_t files_unsigned = 0; // without security.ima
    std::uint64_t files_invalid = 0;  // with a security.ima that is not valid
    bool require_all = false;
    std::vector<VerifyFinding> findings; // sorted by path
    // Of files_signed, by the scheme of their signature (its name).
    std::map<std::string, std::uint64_t> files_signed_by_scheme;
    // Valid signatures everywhere they are required.
    [[nodiscard]] bool passed() const
    {
        return files_invalid == 0 && (!require_all || files_unsigned == 0);
    }
};

// Reads the repository only. Throws Error for what stops the check itself
// (repository, rev, certificates); problems of files are findings.
OSTREE_IMA_EXPORT VerifyReport verify_commit(const VerifyRequest &request);

} // namespace ostree_ima
