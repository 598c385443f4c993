// check_file_signature: one file's security.ima against its content and the
// keyring, as the kernel checks it (key by IMA key id, digest with the
// signature's algorithm and format, then the signature). Shared by `verify`
// of a commit (objects in a repository) and of a deployment (files on disk).
#pragma once

#include "certs/keyring.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "ostree-ima/file_problem.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

struct SignatureRules {
    const Keyring *keyring = nullptr;
    const HashAlgo *required_algo = nullptr;          // --hash
    const SignatureScheme *required_scheme = nullptr; // --verity
};

struct SignatureVerdict {
    std::optional<FileProblem> problem; // none: a valid signature
    std::string detail;
    const SignatureScheme *scheme = nullptr; // of a well-formed security.ima
};

// Calls `sink` with every chunk of the file's content, in order; throws
// Error when the content cannot be read.
using ContentFeed =
    std::function<void(const std::function<void(std::span<const std::uint8_t>)> &sink)>;

// What the kernel measured of a file on disk for a sigv3 signature: its
// fs-verity digest, or why there is none (a problem and its detail).
struct VerityMeasurement {
    std::optional<FileProblem> problem; // none: `digest` is the fs-verity digest
    std::string detail;
    const HashAlgo *algo = nullptr; // of the fs-verity digest
    std::vector<std::uint8_t> digest;
};
using VerityMeasure = std::function<VerityMeasurement()>;

// `xattr`: the file's security.ima, nullopt when it has none. The content is
// read only when a certificate could verify the signature. `measure_verity`
// (files on disk): a sigv3 signature is checked against the fs-verity
// digest it returns, as the kernel appraises it, not against one computed
// from the content; without it (objects in a repository) from the content.
SignatureVerdict check_file_signature(const std::optional<std::vector<std::uint8_t>> &xattr,
                                      const ContentFeed &content, const SignatureRules &rules,
                                      const VerityMeasure &measure_verity = {});

} // namespace ostree_ima
