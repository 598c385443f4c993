#include "jobs/signing_decision.hpp"

#include "ima/signature_check.hpp"
#include "objects/xattr_list.hpp"

namespace ostree_ima {

SigningDecision::SigningDecision(GVariant *xattrs, const HashAlgo &algo, const KeyId &key_id,
                                 bool overwrite, SignatureFormat format)
    : algo_(algo)
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
    if (!digest_)
        digest_ = sign_digest_->finish();
    return *digest_;
}

} // namespace ostree_ima
