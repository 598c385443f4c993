// ContentSigner: turns one content object into its signed replacement.
#pragma once

#include "ima/existing_signature.hpp"
#include "objects/stored_object.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/signature_scheme.hpp"
#include "signing/evm_signer.hpp"
#include "util/cpu_slots.hpp"

#include <cstdint>
#include <optional>
#include <ostree.h>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

struct ObjectOutcome {
    enum class Kind {
        NotRegular,   // a symlink: nothing to sign
        Kept,         // its valid signature by the signing key was kept
        KeptOtherKey, // its well-formed signature by another key was kept
        Signed,       // a new signature (replacing `replaced` when set)
        // Left without signature (sign --skip-usr-etc): none to remove, or
        // its security.ima and security.evm removed.
        Unsigned,
        SignatureRemoved,
    };
    Kind kind = Kind::NotRegular;
    std::string new_checksum; // equals the old one unless Signed or evm changed it
    std::uint64_t bytes_hashed = 0;
    KeyId other_key_id{};                    // when KeptOtherKey
    std::optional<ReplacedBecause> replaced; // when Signed over an existing security.ima
    EvmOutcome evm = EvmOutcome::None;
    bool has_selinux_label = false; // security.selinux present (regular files)
};

class ContentSigner {
  public:
    // `evm`: also a portable EVM signature over the result (null: none, and
    // a security.evm that a new security.ima makes stale is removed).
    // Unless `allow_large_xattrs`, an object whose xattrs fit ext4's one
    // xattr block before and not with the new signatures is refused
    // (RefusedContent; objects/ext4_xattr_room.hpp).
    ContentSigner(const HashAlgo &algo, const KeyId &key_id, KeyBackend &key, bool overwrite,
                  const SignatureScheme &scheme = ima_v2_scheme(), EvmSigner *evm = nullptr,
                  bool allow_large_xattrs = false);

    // Thread-safe: workers call it for distinct objects. Must run inside a
    // transaction. Every regular object is read whole, so its content is
    // checked against its name whatever is decided (StoredObject); existing
    // signatures follow ExistingSignature's rules.
    // Holds `cpu` but while the key signs. A signature the key made that
    // does not verify under its public key (the IMA or the EVM key) is
    // never written: RefusedContent naming the object.
    ObjectOutcome process(const ObjectStore &store, const std::string &checksum,
                          CpuSlots::Held &cpu);

  private:
    ObjectOutcome sign_object(const ObjectStore &store, const std::string &checksum,
                              CpuSlots::Held &cpu);
    std::vector<std::uint8_t> signature_xattr(std::span<const std::uint8_t> digest,
                                              CpuSlots::Held &cpu);
    const HashAlgo &algo_;
    KeyId key_id_;
    KeyBackend &key_;
    bool overwrite_;
    const SignatureScheme &scheme_;
    EvmSigner *evm_;
    bool allow_large_xattrs_;
};

} // namespace ostree_ima
