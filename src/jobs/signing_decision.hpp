// SigningDecision: what becomes of one regular file's security.ima when a
// commit is signed, decided from its header before the content is read, and
// after the read for the signing key's own signatures. Shared by `sign`
// (ContentSigner) and `digests` (which must list exactly what `sign` would
// sign). The rules are ExistingSignature's.
#pragma once

#include "ima/existing_signature.hpp"
#include "ima/signed_digest.hpp"
#include "ostree-ima/hash_algo.hpp"

#include <glib.h>
#include <openssl/evp.h>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

class SigningDecision {
  public:
    // `xattrs`: the object's (may be null). With `overwrite` every existing
    // security.ima is replaced; so is one of another format than `format`.
    // `object` names it in messages.
    SigningDecision(std::string_view object, GVariant *xattrs, const HashAlgo &algo,
                    const KeyId &key_id, bool overwrite,
                    SignatureFormat format = SignatureFormat::Digest);

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
    [[nodiscard]] bool own_signature_verifies(const EVP_PKEY *public_key);

    // After the read: the digest to sign, with the signing algorithm.
    // Throws Error for a v2 signature of content that is an fs-verity file
    // id (is_verity_file_id): it would be a valid sigv3 signature of every
    // file with that fs-verity digest.
    [[nodiscard]] const std::vector<std::uint8_t> &digest();

  private:
    std::string object_;
    const HashAlgo &algo_;
    SignatureFormat format_;
    std::vector<std::uint8_t> head_; // the content's first bytes, while it may be a file id
    bool longer_than_file_id_ = false;
    ExistingSignature existing_;
    std::optional<ReplacedBecause> replaced_;
    std::optional<SignedDigest> sign_digest_;
    std::optional<SignedDigest> check_digest_;
    std::optional<std::vector<std::uint8_t>> digest_;
};

} // namespace ostree_ima
