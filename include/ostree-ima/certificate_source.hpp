// load_certificate: a certificate wherever the user may name one (--cert):
// a PEM or DER file, or a pkcs11: URI of a certificate object on a token.
#pragma once

#include "ostree-ima/certificate.hpp"
#include "ostree-ima/export.hpp"

#include <string>
#include <string_view>

namespace ostree_ima {

// Whether `source` names a token object (a pkcs11: URI, in any case)
// rather than a file.
OSTREE_IMA_EXPORT bool is_certificate_uri(std::string_view source);

// A pkcs11: URI goes to the PKCS#11 backend (read without login, unless the
// token hides the certificate and a PIN is given: the URI's pin-source,
// `pin_file` when not empty, or OSTREE_IMA_PIN); anything else is a file.
// Throws Error naming the source (a URI through its redacting display).
OSTREE_IMA_EXPORT Certificate load_certificate(const std::string &source,
                                               const std::string &pin_file = {});

} // namespace ostree_ima
