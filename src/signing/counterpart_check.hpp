// counterpart_refusal: whether a signed object that a --reuse commit's
// record pairs with a source file (SignedCounterparts) may be taken as that
// file's signed form without reading the file. Only a signature the key
// verifies is taken: a record can name the wrong one of the key's earlier
// files, never put a signature the key did not make into a commit.
#pragma once

#include "ima/algorithms/digest_recovery.hpp"
#include "objects/stored_object.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/signature_scheme.hpp"

#include <openssl/evp.h>
#include <optional>
#include <string>

namespace ostree_ima {

// Whether checking a counterpart needs no file content: the key's
// algorithm recovers the digest it signed (RSA). An EC signature verifies
// only against the digest, which only the content gives.
bool counterparts_checkable(const EVP_PKEY *public_key);

// nullopt when `object` is a regular file whose security.ima is a
// well-formed `scheme` signature by `key_id` with `algo` and that verifies
// under the key of `recovery` (made for `algo`); else why not, for the report ("its signature does
// not verify for the signing key").
std::optional<std::string> counterpart_refusal(const StoredObject &object,
                                               const DigestRecovery &recovery, const HashAlgo &algo,
                                               const KeyId &key_id, const SignatureScheme &scheme);

} // namespace ostree_ima
