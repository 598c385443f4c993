// FileProblem: what is wrong with one file's signatures, as verify and
// verify --deployment report it.
#pragma once

#include "ostree-ima/export.hpp"

#include <string_view>

namespace ostree_ima {

enum class FileProblem {
    Unsigned,  // no security.ima
    Malformed, // not a v2 or fs-verity signature the kernel can parse, or not of --verity's format
    WrongHash, // another algorithm than --hash
    UnsupportedHash, // an algorithm this OpenSSL cannot compute
    UnknownKey,      // no certificate with the key id
    BadSignature,    // does not verify against the content
    Corrupted,       // the object is damaged (its name, type or data): nothing could be checked
    EvmMissing,      // a valid security.ima but no security.evm, with --evm
    BadEvm, // a security.evm that is malformed, by an unknown key, or not valid for the metadata
    // verify --deployment only:
    VerityNotEnabled, // an fs-verity signature on a file without fs-verity: the kernel denies it
    Unchecked, // could not be checked (no permission, no fs-verity here, a link for a directory)
};
OSTREE_IMA_EXPORT std::string_view
problem_name(FileProblem problem); // "unsigned", "bad_signature", ...

} // namespace ostree_ima
