#include "signing/content_signer.hpp"

#include "objects/ext4_xattr_room.hpp"
#include "objects/xattr_list.hpp"
#include "signing/checked_signature.hpp"
#include "signing/signing_decision.hpp"

namespace ostree_ima {

namespace {
// Fills `out` and returns true when the object keeps its existing signature.
bool keeps_existing(SigningDecision &plan, const KeyBackend &key, ObjectOutcome &out)
{
    if (plan.keeps_other_key()) {
        out.kind = ObjectOutcome::Kind::KeptOtherKey;
        out.other_key_id = plan.other_key_id();
        return true;
    }
    if (plan.checks_own_key() && plan.own_signature_verifies(key.public_key())) {
        out.kind = ObjectOutcome::Kind::Kept;
        return true;
    }
    return false;
}

// A source whose xattrs already overflow ext4's block is not deployed to
// ext4 without ea_inode: only a file that the new signatures push over is
// refused.
void check_ext4_room(const std::string &checksum, GVariant *source, GVariant *result)
{
    if (!fits_ext4_xattr_block(source) || fits_ext4_xattr_block(result))
        return;
    const auto ima = xattr_get(result, kImaXattrName);
    const auto evm = xattr_get(result, kEvmXattrName);
    throw RefusedContent(
        checksum,
        "its xattrs with the signature" + std::string(evm ? "s" : "") + " (security.ima " +
            std::to_string(ima ? ima->size() : 0) + " bytes" +
            (evm ? ", security.evm " + std::to_string(evm->size()) + " bytes" : "") + ") take " +
            std::to_string(ext4_xattr_block_bytes(result)) + " bytes of the " +
            std::to_string(kExt4XattrBlockSize) +
            "-byte block ext4 without ea_inode holds a file's xattrs in, and would not deploy "
            "there; for XFS, btrfs, composefs or ext4 made with -O ea_inode give "
            "--allow-large-xattrs (/usr/share/doc/ostree-ima/docs/format.md)");
}
} // namespace

ContentSigner::ContentSigner(const HashAlgo &algo, const KeyId &key_id, KeyBackend &key,
                             bool overwrite, const SignatureScheme &scheme, EvmSigner *evm,
                             bool allow_large_xattrs)
    : algo_(algo), key_id_(key_id), key_(key), overwrite_(overwrite), scheme_(scheme), evm_(evm),
      allow_large_xattrs_(allow_large_xattrs)
{
}

std::vector<std::uint8_t> ContentSigner::signature_xattr(std::span<const std::uint8_t> digest,
                                                         CpuSlots::Held &cpu)
{
    const std::vector<std::uint8_t> signature = cpu.away([&] { return key_.sign(algo_, digest); });
    return scheme_.encode(algo_, key_id_, signature);
}

ObjectOutcome ContentSigner::process(const ObjectStore &store, const std::string &checksum,
                                     CpuSlots::Held &cpu)
{
    try {
        return sign_object(store, checksum, cpu);
    } catch (const WrongKeySignature &wrong) {
        // The run fails before the ref moves; the rewrite names the path.
        throw RefusedContent(checksum, wrong.what());
    }
}

// One read for the digest and the object's checksum; the content is kept
// for the new object's checksum pass only when it will surely be signed (an
// own signature usually verifies: its rare replacement reads again, rather
// than every kept file being copied).
ObjectOutcome ContentSigner::sign_object(const ObjectStore &store, const std::string &checksum,
                                         CpuSlots::Held &cpu)
{
    ObjectOutcome out;
    out.new_checksum = checksum;
    const std::unique_ptr<StoredObject> object = store.open(checksum);
    if (!object->is_regular())
        return out;
    SigningDecision decision(checksum, object->xattrs(), object->size(), algo_, key_id_, overwrite_,
                             scheme_);
    object->read(
        [&](std::span<const std::uint8_t> chunk) {
            decision.update(chunk);
            out.bytes_hashed += chunk.size();
        },
        decision.signs_for_sure());
    out.has_selinux_label = xattr_get(object->xattrs(), "security.selinux").has_value();
    GVariantPtr xattrs;
    if (!keeps_existing(decision, key_, out)) {
        xattrs =
            xattr_set(object->xattrs(), kImaXattrName, signature_xattr(decision.digest(), cpu));
        out.kind = ObjectOutcome::Kind::Signed;
        out.replaced = decision.replaced();
    }
    GVariant *final_xattrs = xattrs ? xattrs.get() : object->xattrs();
    if (evm_ != nullptr) {
        EvmSigner::Result evm = evm_->apply(final_xattrs, object->ownership(), cpu);
        out.evm = evm.outcome;
        if (evm.xattrs)
            xattrs = std::move(evm.xattrs);
    } else if (xattrs && xattr_get(final_xattrs, kEvmXattrName)) {
        // It covered the old security.ima: the kernel would deny the file.
        xattrs = xattr_remove(final_xattrs, kEvmXattrName);
        out.evm = EvmOutcome::RemovedStale;
    }
    if (xattrs && !allow_large_xattrs_)
        check_ext4_room(checksum, object->xattrs(), xattrs.get());
    if (xattrs)
        out.new_checksum = object->write_with_xattrs(xattrs.get());
    return out;
}

} // namespace ostree_ima
