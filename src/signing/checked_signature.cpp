#include "signing/checked_signature.hpp"

#include "ima/signature_check.hpp"
#include "ima/signature_size.hpp"
#include "util/text_encoding.hpp"

namespace ostree_ima {

std::vector<std::uint8_t> sign_checked(KeyBackend &key, const HashAlgo &algo,
                                       std::span<const std::uint8_t> digest, const char *what)
{
    std::vector<std::uint8_t> signature = key.sign(algo, digest);
    // Larger would be written here but refused by the cache and the
    // signatures file: no path takes more than another.
    if (signature.size() > kMaxSignatureBytes)
        throw Error(
            std::string(what) + " by " + key.description() + " is " +
            std::to_string(signature.size()) + " bytes, more than the " +
            std::to_string(kMaxSignatureBytes) +
            " ostree-ima carries (/usr/share/doc/ostree-ima/docs/format.md); nothing was written");
    if (!verify_digest_signature(key.public_key(), algo, digest, signature))
        throw WrongKeySignature(std::string(what) + " by " + key.description() + " for " +
                                std::string(algo.name) + " digest " + to_hex(digest) +
                                " does not verify against the key's public key; nothing was "
                                "written: check the key and its module or token");
    return signature;
}

} // namespace ostree_ima
