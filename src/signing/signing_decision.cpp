#include "signing/signing_decision.hpp"

#include "ima/signature_check.hpp"
#include "objects/xattr_list.hpp"

namespace ostree_ima {

namespace {
constexpr std::uint64_t kKeepNothing = UINT64_MAX;
}

SigningDecision::SigningDecision(std::string_view object, GVariant *xattrs,
                                 std::uint64_t content_size, const HashAlgo &algo,
                                 const KeyId &key_id, bool overwrite, const SignatureScheme &scheme)
    : object_(object), algo_(algo), scheme_(scheme),
      keep_from_(scheme.collision_tail_size(content_size) != 0
                     ? content_size - scheme.collision_tail_size(content_size)
                     : kKeepNothing)
{
    if (keep_from_ != kKeepNothing)
        tail_.reserve(static_cast<std::size_t>(content_size - keep_from_));
    const auto value = xattr_get(xattrs, kImaXattrName);
    if (value && overwrite) {
        replaced_ = ReplacedBecause::Overwrite;
    } else if (value) {
        existing_ = classify_existing_signature(value, key_id, scheme);
        if (existing_.kind == ExistingSignature::Kind::Malformed)
            replaced_ = ReplacedBecause::Malformed;
        else if (existing_.kind == ExistingSignature::Kind::OtherFormat)
            replaced_ = ReplacedBecause::OtherFormat;
    }
    if (keeps_other_key())
        return;
    sign_digest_.emplace(scheme, algo);
    // The signing key's own signature is checked with its own algorithm.
    const HashAlgo *own = existing_.value.algo;
    // One of an algorithm the scheme cannot sign with cannot be checked:
    // replaced.
    if (checks_own_key() && own != &algo && own->available() && scheme.accepts(*own))
        check_digest_.emplace(scheme, *own);
}

void SigningDecision::update(std::span<const std::uint8_t> chunk)
{
    if (sign_digest_)
        sign_digest_->update(chunk);
    if (check_digest_)
        check_digest_->update(chunk);
    const std::uint64_t start = size_;
    size_ += chunk.size();
    if (keep_from_ == kKeepNothing || size_ <= keep_from_)
        return;
    const std::size_t skip = start >= keep_from_ ? 0 : static_cast<std::size_t>(keep_from_ - start);
    tail_.insert(tail_.end(), chunk.begin() + static_cast<std::ptrdiff_t>(skip), chunk.end());
}

void SigningDecision::refuse_other_format_message() const
{
    // Content shorter than its object said (which the object's read refuses)
    // leaves no end to judge.
    if (keep_from_ == kKeepNothing || size_ != keep_from_ + tail_.size())
        return;
    if (const std::optional<std::string> why = scheme_.collision(tail_, size_))
        throw RefusedContent(object_, *why);
}

bool SigningDecision::own_signature_verifies(const EVP_PKEY *public_key)
{
    refuse_other_format_message();
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
    if (!digest_) {
        refuse_other_format_message();
        digest_ = sign_digest_->finish();
    }
    return *digest_;
}

Error refused_content_error(const RefusedContent &refused, const std::vector<std::string> &paths)
{
    std::string where = paths.empty() ? "a file" : paths.front();
    where += " (object " + refused.object();
    if (paths.size() > 1)
        where += ", also at " + std::to_string(paths.size() - 1) + " other path" +
                 (paths.size() > 2 ? "s" : "");
    return Error(where + "): " + refused.reason());
}

} // namespace ostree_ima
