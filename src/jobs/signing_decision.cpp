#include "jobs/signing_decision.hpp"

#include "ima/signature_check.hpp"
#include "ima/verity_file_id.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/error.hpp"

namespace ostree_ima {

SigningDecision::SigningDecision(std::string_view object, GVariant *xattrs, const HashAlgo &algo,
                                 const KeyId &key_id, bool overwrite, SignatureFormat format)
    : object_(object), algo_(algo), format_(format)
{
    const auto value = xattr_get(xattrs, kImaXattrName);
    if (value && overwrite) {
        replaced_ = ReplacedBecause::Overwrite;
    } else if (value) {
        existing_ = classify_existing_signature(value, key_id, format);
        if (existing_.kind == ExistingSignature::Kind::Malformed)
            replaced_ = ReplacedBecause::Malformed;
        else if (existing_.kind == ExistingSignature::Kind::OtherFormat)
            replaced_ = ReplacedBecause::OtherFormat;
    }
    if (keeps_other_key())
        return;
    sign_digest_.emplace(format, algo);
    // The signing key's own signature is checked with its own algorithm.
    const HashAlgo *own = existing_.value.algo;
    // A verity signature of another algorithm cannot be checked: replaced.
    if (checks_own_key() && own != &algo && own->available() && format == SignatureFormat::Digest)
        check_digest_.emplace(format, *own);
}

void SigningDecision::update(std::span<const std::uint8_t> chunk)
{
    if (sign_digest_)
        sign_digest_->update(chunk);
    if (check_digest_)
        check_digest_->update(chunk);
    if (format_ == SignatureFormat::Digest && !longer_than_file_id_) {
        if (head_.size() + chunk.size() > kMaxVerityFileIdSize)
            longer_than_file_id_ = true;
        else
            head_.insert(head_.end(), chunk.begin(), chunk.end());
    }
}

bool SigningDecision::own_signature_verifies(const EVP_PKEY *public_key)
{
    const ImaSignatureV2 &sig = existing_.value;
    bool ok = false;
    if (check_digest_)
        ok = verify_digest_signature(public_key, *sig.algo, check_digest_->finish(), sig.signature);
    else if (sig.algo == &algo_)
        ok = verify_digest_signature(public_key, algo_, digest(), sig.signature);
    // else: an algorithm this OpenSSL lacks cannot be vouched for.
    if (!ok)
        replaced_ = ReplacedBecause::NotVerifying;
    return ok;
}

const std::vector<std::uint8_t> &SigningDecision::digest()
{
    if (!digest_ && format_ == SignatureFormat::Digest && !longer_than_file_id_ &&
        is_verity_file_id(head_))
        throw Error("object " + object_ +
                    ": its content is an fs-verity file id (type 0x06, an algorithm and a "
                    "digest); its v2 signature would also be a valid fs-verity signature of "
                    "every file with that digest, so it is not signed: remove or change the "
                    "file, or exclude it (--exclude)");
    if (!digest_)
        digest_ = sign_digest_->finish();
    return *digest_;
}

} // namespace ostree_ima
