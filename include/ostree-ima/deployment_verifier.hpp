// verify_deployment: the `verify --deployment` job. Checks the security.ima
// of every regular file under /usr and /etc of a deployed (or checked-out)
// tree on disk, as the kernel would, and tells what OSTree's deployment did to /etc apart from a
// real failure: /etc is a copy of /usr/etc that admins edit, and an edited
// file keeps its old signature, which the 3-way /etc merge carries into
// every later deployment (docs/deploying.md).
#pragma once

#include "ostree-ima/certificate.hpp"
#include "ostree-ima/commit_verifier.hpp"
#include "ostree-ima/export.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/progress.hpp"
#include "ostree-ima/signature_scheme.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

struct DeploymentVerifyRequest {
    std::string path;                    // the tree's root: holds usr/ (and etc/)
    std::vector<std::string> cert_paths; // certificates or directories of them
    std::vector<Certificate> certificates;
    bool require_all = false;                // unsigned and unchecked files under /usr are failures
    const HashAlgo *required_algo = nullptr; // --hash
    const SignatureScheme *required_scheme = nullptr;
    unsigned jobs = 1;
    ProgressSink *progress = nullptr; // told how far the job is (may be null)
};

// What an /etc file's signature says about it.
enum class EtcState {
    Valid,     // signed, matches
    Stale,     // signed, content changed since (edited in place after deployment)
    Unsigned,  // no security.ima: replaced editor-style (rename) or added locally
    Invalid,   // another problem: unknown key, malformed, wrong hash
    Unchecked, // could not be checked (FileProblem::Unchecked)
};
OSTREE_IMA_EXPORT std::string_view etc_state_name(EtcState state); // "stale", ...

struct DeploymentFinding {
    std::string path; // "/usr/bin/ls", "/etc/some.conf"
    FileProblem problem;
    std::optional<EtcState> etc; // for files under /etc
    std::string detail;          // one line: what it is, and for /etc what to do
    bool fatal = false;          // counts against passed()
};

struct DeploymentReport {
    std::string path;
    // Under /usr: as `verify`.
    std::uint64_t files_checked = 0;
    std::uint64_t files_signed = 0;
    std::uint64_t files_unsigned = 0;
    std::uint64_t files_invalid = 0;
    // Files and directories under /usr that could not be checked (each a
    // finding; not in files_checked): nothing is known of them.
    std::uint64_t files_unchecked = 0;
    // Under /etc: reported, never failures (admins edit /etc; the policy
    // `ostree-ima policy` proposes never appraises it by signature).
    std::uint64_t etc_checked = 0;
    std::uint64_t etc_valid = 0;
    std::uint64_t etc_stale = 0;
    std::uint64_t etc_unsigned = 0;
    std::uint64_t etc_invalid = 0;
    std::uint64_t etc_unchecked = 0; // not in etc_checked
    bool require_all = false;
    std::vector<DeploymentFinding> findings; // /usr's, then /etc's, each by path
    [[nodiscard]] bool passed() const
    {
        return files_invalid == 0 &&
               (!require_all || (files_unsigned == 0 && files_unchecked == 0));
    }
};

// Reads the tree only, following no symlink below DIR. Throws Error when the
// tree or the certificates cannot be read (a tree without a usr/ directory
// is not a deployment); files and directories below that cannot be read
// are findings (`unchecked`).
OSTREE_IMA_EXPORT DeploymentReport verify_deployment(const DeploymentVerifyRequest &request);

} // namespace ostree_ima
