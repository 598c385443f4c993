// SignatureFormat: which IMA signature a security.ima holds, never both.
#pragma once

#include "ostree-ima/export.hpp"
#include "ostree-ima/ima_xattr.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace ostree_ima {

enum class SignatureFormat {
    Digest, // type 3, header v2, over the file digest (appraise_type=imasig)
    Verity, // type 6, header v3, over the fs-verity file id (appraise_type=sigv3)
};

// "v2" or "verity": the names of reports and manifests.
OSTREE_IMA_EXPORT std::string_view signature_format_name(SignatureFormat format);

// Decodes a security.ima value of `format`; never throws. A value of the
// other format is not well-formed for this one.
OSTREE_IMA_EXPORT ImaDecodeResult decode_signature(SignatureFormat format,
                                                   std::span<const std::uint8_t> xattr);

} // namespace ostree_ima
