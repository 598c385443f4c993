// The signature scheme the command line asks for: --verity names the
// fs-verity one, nothing the default; the one place of the CLI that maps
// options to schemes.
#pragma once

#include "ima/schemes/signature_scheme.hpp"
#include "ostree-ima/hash_algo.hpp"

#include <string>

namespace ostree_ima::cli {

// The scheme asked; one that cannot sign with `algo` is a usage error
// (--verity --hash sha512), raised before the key is opened.
const SignatureScheme &scheme_option(bool verity, const HashAlgo &algo);
// Without an algorithm to check (policy, verify).
const SignatureScheme &scheme_option(bool verity);

// The names of the schemes other than `scheme`, "v2" or "verity" today
// ("a or b" were there more): what a format change replaced.
std::string other_scheme_names(const SignatureScheme &scheme);

} // namespace ostree_ima::cli
