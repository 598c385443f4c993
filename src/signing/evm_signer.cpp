#include "signing/evm_signer.hpp"

#include "ima/signature_check.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/error.hpp"
#include "signing/checked_signature.hpp"

#include <openssl/evp.h>
#include <string>

namespace ostree_ima {

void require_separate_evm_key(const KeyBackend &ima_key, const KeyId &ima_key_id,
                              const KeyBackend &evm_key, const KeyId &evm_key_id)
{
    const char *why = nullptr;
    if (EVP_PKEY_eq(ima_key.public_key(), evm_key.public_key()) == 1)
        why = "the EVM key is the IMA signing key";
    else if (evm_key_id == ima_key_id)
        why = "the EVM key has the IMA key's key id";
    if (why == nullptr)
        return;
    throw UsageError(std::string(why) + " (" + key_id_hex(ima_key_id) +
                     "): with one key for both, the v2 signature of a file whose content is "
                     "another file's EVM message is a valid security.evm for it (a setuid "
                     "root file would pass EVM); give --evm-key a key of its own, and its "
                     "certificate to policy --evm-cert only (one key per format: "
                     "/usr/share/doc/ostree-ima/docs/format.md)");
}

std::vector<std::uint8_t> object_evm_digest(const HashAlgo &algo, GVariant *xattrs,
                                            const ObjectOwnership &owner)
{
    return evm_portable_digest(
        algo, [&](std::string_view name) { return xattr_get(xattrs, std::string(name)); },
        {owner.uid, owner.gid, owner.mode});
}

bool evm_signature_verifies(std::span<const std::uint8_t> value, GVariant *xattrs,
                            const ObjectOwnership &owner, const KeyId &key_id,
                            const EVP_PKEY *public_key, std::string &problem)
{
    const ImaDecodeResult decoded = decode_evm_portable_signature(value);
    if (!decoded.ok) {
        problem = "malformed security.evm: " + decoded.problem;
        return false;
    }
    if (decoded.value.key_id != key_id) {
        problem = "security.evm by key id " + key_id_hex(decoded.value.key_id) + ", not " +
                  key_id_hex(key_id);
        return false;
    }
    const std::vector<std::uint8_t> digest = object_evm_digest(*decoded.value.algo, xattrs, owner);
    if (!verify_digest_signature(public_key, *decoded.value.algo, digest,
                                 decoded.value.signature)) {
        problem = "security.evm does not match the file's security xattrs, owner and mode";
        return false;
    }
    return true;
}

EvmSigner::EvmSigner(const HashAlgo &algo, const KeyId &key_id, KeyBackend &key)
    : algo_(algo), key_id_(key_id), key_(key)
{
}

EvmSigner::Result EvmSigner::apply(GVariant *xattrs, const ObjectOwnership &owner,
                                   CpuSlots::Held &cpu)
{
    Result result;
    const auto existing = xattr_get(xattrs, kEvmXattrName);
    std::string problem;
    if (existing &&
        evm_signature_verifies(*existing, xattrs, owner, key_id_, key_.public_key(), problem)) {
        result.outcome = EvmOutcome::Kept;
        return result;
    }
    // security.evm is not one of the xattrs it covers: no need to remove it
    // before hashing.
    const std::vector<std::uint8_t> digest = object_evm_digest(algo_, xattrs, owner);
    const std::vector<std::uint8_t> signature =
        cpu.away([&] { return sign_checked(key_, algo_, digest, "the EVM signature"); });
    result.xattrs =
        xattr_set(xattrs, kEvmXattrName, encode_evm_portable_signature(algo_, key_id_, signature));
    result.outcome = existing ? EvmOutcome::Replaced : EvmOutcome::Signed;
    return result;
}

} // namespace ostree_ima
