#include "ima/existing_signature.hpp"

namespace ostree_ima {

ExistingSignature classify_existing_signature(const std::optional<std::vector<std::uint8_t>> &xattr,
                                              const KeyId &signing_key_id, SignatureFormat format)
{
    ExistingSignature existing;
    if (!xattr)
        return existing;
    ImaDecodeResult decoded = decode_signature(format, *xattr);
    if (!decoded.ok) {
        const SignatureFormat other =
            format == SignatureFormat::Verity ? SignatureFormat::Digest : SignatureFormat::Verity;
        existing.kind = decode_signature(other, *xattr).ok ? ExistingSignature::Kind::OtherFormat
                                                           : ExistingSignature::Kind::Malformed;
        existing.problem = std::move(decoded.problem);
        return existing;
    }
    existing.value = std::move(decoded.value);
    existing.kind = existing.value.key_id == signing_key_id ? ExistingSignature::Kind::OwnKey
                                                            : ExistingSignature::Kind::OtherKey;
    return existing;
}

} // namespace ostree_ima
