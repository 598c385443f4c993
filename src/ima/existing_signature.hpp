// ExistingSignature: what a signer may do with the security.ima a file
// already carries when --overwrite is not given. No I/O.
//
// Only what could be valid is ever kept: a well-formed signature of the
// format being signed (v2: type 3, version 2; sigv3: type 6, version 3; a
// hash algorithm the kernel knows, a size field that matches the bytes that
// follow). A well-formed one of the other format is replaced as a format
// change; anything else (garbage, a truncated or over-long value, a
// hash-only xattr, another version) as malformed. A well-formed signature with the signing key's id
// must still verify for the content (the caller checks it, see needs_check); one with another key
// id is kept, since that is the point of keeping, and reported with its key id.
#pragma once

#include "ima/schemes/signature_scheme.hpp"
#include "ostree-ima/ima_xattr.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

struct ExistingSignature {
    enum class Kind {
        None,        // no security.ima: sign
        Malformed,   // not a well-formed signature of the format signed: replace
        OtherFormat, // a well-formed signature of the other format: replace
        OtherKey,    // well-formed, another key id: keep, report the key id
        OwnKey,      // well-formed, the signing key's id: keep only if it verifies
    };
    Kind kind = Kind::None;
    std::string problem;  // why it is malformed
    ImaSignatureV2 value; // when OtherKey or OwnKey
};

// Well-formed means of `scheme`: a signature of another scheme is replaced
// (one security.ima holds one format), as OtherFormat: a format change, not
// a broken value.
ExistingSignature classify_existing_signature(const std::optional<std::vector<std::uint8_t>> &xattr,
                                              const KeyId &signing_key_id,
                                              const SignatureScheme &scheme = ima_v2_scheme());

// Why an existing security.ima was replaced, for reports.
enum class ReplacedBecause { Malformed, OtherFormat, NotVerifying, Overwrite };

} // namespace ostree_ima
