#include "signing/counterpart_check.hpp"

#include "ima/algorithms/digest_recovery.hpp"
#include "ima/algorithms/key_algorithm.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "objects/xattr_list.hpp"

namespace ostree_ima {

bool counterparts_checkable(const EVP_PKEY *public_key)
{
    const KeyAlgorithm *algorithm = find_key_algorithm(public_key);
    return algorithm != nullptr && algorithm->recovers_digest();
}

std::optional<std::string> counterpart_refusal(const StoredObject &object,
                                               const DigestRecovery &recovery, const HashAlgo &algo,
                                               const KeyId &key_id, const SignatureScheme &scheme)
{
    if (!object.is_regular())
        return "it is not a regular file";
    const auto value = xattr_get(object.xattrs(), kImaXattrName);
    if (!value)
        return "it carries no security.ima";
    const ImaDecodeResult decoded = scheme.decode(*value);
    if (!decoded.ok || decoded.value.key_id != key_id ||
        decoded.value.algo->kernel_id != algo.kernel_id)
        return "its security.ima is not a " + std::string(scheme.name()) + " " +
               std::string(algo.name) + " signature by key " + key_id_hex(key_id);
    if (!recovery.recover(decoded.value.signature))
        return "its signature does not verify for the signing key";
    return std::nullopt;
}

} // namespace ostree_ima
