// sign_checked: what a key backend returns, verified against its public key
// before anything is written. A broken or hostile module (its code runs in
// the process), or a token whose public key is not its private key's, would
// otherwise get a wrong signature written and the ref moved
// (docs/threat-model.md, the PKCS#11 module row).
#pragma once

#include "ostree-ima/error.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/key_backend.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

// A signature the key made that does not verify for its digest. The job
// that knows the object names it (ContentSigner: the path).
class WrongKeySignature : public Error {
  public:
    explicit WrongKeySignature(const std::string &message) : Error(message) {}
};

// key.sign(algo, digest), then the kernel's check of the result against
// key.public_key(); throws WrongKeySignature, naming the key, `what` ("the
// signature", "the EVM signature") and the digest, when it fails.
std::vector<std::uint8_t> sign_checked(KeyBackend &key, const HashAlgo &algo,
                                       std::span<const std::uint8_t> digest,
                                       const char *what = "the signature");

} // namespace ostree_ima
