#include "ostree-ima/signature_format.hpp"

#include "ostree-ima/ima_verity_xattr.hpp"

namespace ostree_ima {

std::string_view signature_format_name(SignatureFormat format)
{
    return format == SignatureFormat::Verity ? "verity" : "v2";
}

ImaDecodeResult decode_signature(SignatureFormat format, std::span<const std::uint8_t> xattr)
{
    return format == SignatureFormat::Verity ? decode_ima_verity_signature(xattr)
                                             : decode_ima_signature(xattr);
}

} // namespace ostree_ima
