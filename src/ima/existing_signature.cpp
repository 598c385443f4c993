#include "ima/existing_signature.hpp"

namespace ostree_ima {

ExistingSignature classify_existing_signature(const std::optional<std::vector<std::uint8_t>> &xattr,
                                              const KeyId &signing_key_id,
                                              const SignatureScheme &scheme)
{
    ExistingSignature existing;
    if (!xattr)
        return existing;
    ImaDecodeResult decoded = scheme.decode(*xattr);
    if (!decoded.ok) {
        existing.kind = well_formed_in_other_scheme(scheme, *xattr)
                            ? ExistingSignature::Kind::OtherFormat
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
