// SignatureScheme: which IMA signature a security.ima holds (v2 over the
// file digest, or sigv3 over the fs-verity file id), never both. Opaque to
// library users: a scheme is chosen by name and carried by requests,
// reports and manifests; what it does lives in the library (src/ima/).
#pragma once

#include "ostree-ima/export.hpp"

#include <string_view>

namespace ostree_ima {

class SignatureScheme;

// v2 (type 3, header v2, appraise_type=imasig): the default.
OSTREE_IMA_EXPORT const SignatureScheme &ima_v2_scheme();
// sigv3 over the fs-verity digest (type 6, appraise_type=sigv3).
OSTREE_IMA_EXPORT const SignatureScheme &ima_verity_scheme();

// The scheme of this name ("v2", "verity"); nullptr when none is.
OSTREE_IMA_EXPORT const SignatureScheme *find_signature_scheme(std::string_view name);

// Its name in reports, manifests and the signature cache: "v2", "verity".
OSTREE_IMA_EXPORT std::string_view signature_scheme_name(const SignatureScheme &scheme);

} // namespace ostree_ima
