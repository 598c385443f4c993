// KeylimePolicy: a Keylime runtime policy, format version 1, as Keylime's
// RUNTIME_POLICY_SCHEMA (keylime/ima/ima.py) defines it, written as
// `keylime-policy create runtime` writes it (json.dumps). What goes into it
// and why: docs/keylime.md.
#pragma once

#include "ostree-ima/certificate.hpp"
#include "ostree-ima/hash_algo.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ostree_ima {

inline constexpr std::uint64_t kKeylimePolicyVersion = 1;
// RUNTIME_POLICY_GENERATOR.LegacyAllowList, what `keylime-policy create
// runtime` writes; Keylime counts a policy with a generator above 1
// (EmptyAllowList) as a runtime policy.
inline constexpr std::uint64_t kKeylimePolicyGenerator = 3;
// The keyring `ostree-ima policy`'s load-keys.sh loads the certificates into;
// a KEY_CHECK rule measures each key under this name.
inline constexpr const char *kImaKeyringName = "_ima";

struct KeylimePolicy {
    std::uint64_t release = 0;
    // Path -> the digests the file may have there (any algorithm: Keylime
    // compares the hex), each list sorted and unique.
    std::map<std::string, std::set<std::string>> digests;
    std::vector<std::string> excludes; // regular expressions, as given
    // Certificates whose IMA signatures Keylime is to accept at any path
    // (--trust-signatures): verification-keys and the keyring measurement.
    std::vector<const Certificate *> trusted;
    // The kernel's ima_hash: the digest of a key measurement (ima-buf).
    const HashAlgo *ima_hash = nullptr;
};

// `verification-keys`: the JSON document (a string in the policy) Keylime's
// ImaKeyring.to_string writes: base64 DER SubjectPublicKeyInfo and the IMA
// key id of each certificate (from its subjectKeyIdentifier, as Keylime
// takes it from a certificate).
std::string keylime_verification_keys(const std::vector<const Certificate *> &certs);

// The policy's text (one line, no newline at the end, as Keylime writes it).
std::string keylime_policy_text(const KeylimePolicy &policy);

} // namespace ostree_ima
