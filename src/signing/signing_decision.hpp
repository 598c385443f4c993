// SigningDecision: what becomes of one regular file's security.ima when a
// commit is signed, decided from its header before the content is read, and
// after the read for the signing key's own signatures. Shared by `sign`
// (ContentSigner) and `digests` (which must list exactly what `sign` would
// sign). The rules are ExistingSignature's.
#pragma once

#include "ima/existing_signature.hpp"
#include "ima/signed_digest.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/hash_algo.hpp"

#include <glib.h>
#include <openssl/evp.h>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

// Content that must not get a v2 signature by the signing key (the reasons
// in SigningDecision::digest), or whose signature the key made wrongly
// (ContentSigner::process). Thrown with the object; the job that knows
// the commit's paths names the path too (refused_content_error), since
// that is what the user gives --exclude.
class RefusedContent : public Error {
  public:
    RefusedContent(std::string object, std::string reason)
        : Error("object " + object + ": " + reason), object_(std::move(object)),
          reason_(std::move(reason))
    {
    }
    [[nodiscard]] const std::string &object() const { return object_; }
    [[nodiscard]] const std::string &reason() const { return reason_; }

  private:
    std::string object_;
    std::string reason_;
};

// "PATH (object X): reason", with how many other paths share the object.
Error refused_content_error(const RefusedContent &refused, const std::vector<std::string> &paths);

class SigningDecision {
  public:
    // `xattrs`: the object's (may be null); `content_size`: its content's
    // size, so that only the bytes the checks of digest() need are kept.
    // With `overwrite` every existing security.ima is replaced; so is one
    // of another scheme than `scheme`. `object` names it in messages.
    SigningDecision(std::string_view object, GVariant *xattrs, std::uint64_t content_size,
                    const HashAlgo &algo, const KeyId &key_id, bool overwrite,
                    const SignatureScheme &scheme = ima_v2_scheme());

    // A well-formed signature by another key is kept; its content is still
    // read by sign, so the object is checked against its name.
    [[nodiscard]] bool keeps_other_key() const
    {
        return existing_.kind == ExistingSignature::Kind::OtherKey;
    }
    // The signing key's own signature is kept only if it verifies.
    [[nodiscard]] bool checks_own_key() const
    {
        return existing_.kind == ExistingSignature::Kind::OwnKey;
    }
    // Signed whatever the content: worth keeping the content for the writer.
    [[nodiscard]] bool signs_for_sure() const { return !keeps_other_key() && !checks_own_key(); }
    [[nodiscard]] const KeyId &other_key_id() const { return existing_.value.key_id; }
    [[nodiscard]] std::optional<ReplacedBecause> replaced() const { return replaced_; }

    // Feeds the content, in order.
    void update(std::span<const std::uint8_t> chunk);

    // After the read: whether the signing key's existing signature verifies
    // for this content under `public_key`; when not, it will be replaced.
    // Throws RefusedContent as digest() does: a v2 signature of such content
    // is not kept either, whatever its hash algorithm.
    [[nodiscard]] bool own_signature_verifies(const EVP_PKEY *public_key);

    // After the read: the digest to sign, with the signing algorithm.
    // Throws RefusedContent when the signature of the content would be a
    // signature of another format too (SignatureScheme::collision; v2:
    // content that is an fs-verity file id, a valid sigv3 signature of every
    // file with that fs-verity digest, or shaped like an EVM message, a valid
    // portable security.evm of the file whose metadata it holds).
    [[nodiscard]] const std::vector<std::uint8_t> &digest();

  private:
    std::string object_;
    const HashAlgo &algo_;
    const SignatureScheme &scheme_;
    // Refuses content that is another format's message (digest()).
    void refuse_other_format_message() const;

    // The content's last bytes the scheme's collision check needs (all of a
    // short one), kept only when it is short enough to be another format's
    // message: a large file costs no copy, a small one one copy of it.
    std::uint64_t keep_from_; // offset of the first byte kept
    std::vector<std::uint8_t> tail_;
    std::uint64_t size_ = 0; // bytes fed so far
    ExistingSignature existing_;
    std::optional<ReplacedBecause> replaced_;
    std::optional<SignedDigest> sign_digest_;
    std::optional<SignedDigest> check_digest_;
    std::optional<std::vector<std::uint8_t>> digest_;
};

} // namespace ostree_ima
