#include "jobs/signing_decision.hpp"

#include "ima/evm_input_shape.hpp"
#include "ima/signature_check.hpp"
#include "ima/verity_file_id.hpp"
#include "objects/xattr_list.hpp"

namespace ostree_ima {

namespace {
constexpr std::uint64_t kKeepNothing = UINT64_MAX;
}

SigningDecision::SigningDecision(std::string_view object, GVariant *xattrs,
                                 std::uint64_t content_size, const HashAlgo &algo,
                                 const KeyId &key_id, bool overwrite, SignatureFormat format)
    : object_(object), algo_(algo),
      keep_from_(format == SignatureFormat::Digest && content_size <= kMaxEvmInputSize
                     ? content_size - std::min<std::uint64_t>(content_size, kEvmInputTailSize)
                     : kKeepNothing)
{
    if (keep_from_ != kKeepNothing)
        tail_.reserve(static_cast<std::size_t>(content_size - keep_from_));
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
    if (size_ == tail_.size() && is_verity_file_id(tail_))
        throw RefusedContent(object_,
                             "its content is an fs-verity file id (type 0x06, an algorithm and "
                             "a digest); its v2 signature would also be a valid fs-verity "
                             "signature of every file with that digest, so it is not signed: "
                             "remove or change the file, or exclude it (--exclude)");
    if (looks_like_evm_input(tail_, size_))
        throw RefusedContent(object_,
                             "its content is shaped like an EVM message (a security.ima value, "
                             "then a struct h_misc with an owner and mode); its v2 signature "
                             "would also be a valid portable security.evm for a file with that "
                             "metadata where one key is trusted for IMA and EVM, so it is not "
                             "signed: remove or change the file, or exclude it (--exclude)");
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
