// EvmSigner: the portable EVM signature (security.evm) of one content object,
// over its final xattrs (security.ima included) and its owner and mode, as
// the object stores them. Used by ContentSigner after security.ima is
// decided, and by the verifier through object_evm_digest.
#pragma once

#include "ima/evm_xattr.hpp"
#include "objects/stored_object.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/key_backend.hpp"
#include "util/cpu_slots.hpp"
#include "util/glib_ptr.hpp"

#include <glib.h>
#include <openssl/evp.h>

namespace ostree_ima {

// What became of an object's security.evm.
enum class EvmOutcome {
    None,         // no EVM asked for and none present, or not a regular file
    Kept,         // an existing one verifies under the EVM key: kept
    Signed,       // a new one, none before
    Replaced,     // a new one over one that did not verify (stale, other key, malformed)
    RemovedStale, // no EVM asked for; security.ima changed, so the old one was removed
};

// The digest a portable signature signs for an object with `xattrs` (may be
// null) and `owner`.
std::vector<std::uint8_t> object_evm_digest(const HashAlgo &algo, GVariant *xattrs,
                                            const ObjectOwnership &owner);

// Whether `value` (a security.evm) is a portable signature by `key_id` that
// verifies for `xattrs` and `owner` under `public_key`; `problem` says why not.
bool evm_signature_verifies(std::span<const std::uint8_t> value, GVariant *xattrs,
                            const ObjectOwnership &owner, const KeyId &key_id,
                            const EVP_PKEY *public_key, std::string &problem);

// One key per format (docs/format.md): the kernel tells a v2 security.ima
// signature from a portable security.evm one only by the type byte, so a
// key trusted for both makes the v2 signature of chosen content a valid
// security.evm (evm_input_shape.hpp). Throws UsageError when `evm_key` is
// the IMA key: the same public key, or the same key id.
void require_separate_evm_key(const KeyBackend &ima_key, const KeyId &ima_key_id,
                              const KeyBackend &evm_key, const KeyId &evm_key_id);

class EvmSigner {
  public:
    // `key` must outlive the signer; its sign() is called from the workers.
    EvmSigner(const HashAlgo &algo, const KeyId &key_id, KeyBackend &key);

    struct Result {
        EvmOutcome outcome = EvmOutcome::None;
        GVariantPtr xattrs; // the new xattrs; null when unchanged (Kept)
    };
    // Thread-safe. Holds `cpu` but while the key signs. A new signature that
    // does not verify under the key throws WrongKeySignature.
    Result apply(GVariant *xattrs, const ObjectOwnership &owner, CpuSlots::Held &cpu);

  private:
    const HashAlgo &algo_;
    KeyId key_id_;
    KeyBackend &key_;
};

} // namespace ostree_ima
