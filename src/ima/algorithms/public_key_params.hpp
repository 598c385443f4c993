// A public key built by OpenSSL from named parameters (a token's modulus and
// exponent, its curve and point): the part every algorithm shares.
#pragma once

#include "util/openssl_ptr.hpp"

#include <openssl/param_build.h>

namespace ostree_ima {

// `type`: OpenSSL's key type name ("RSA", "EC"). nullptr when OpenSSL
// refuses the parameters as a key; throws Error when it cannot start.
EvpPkeyPtr public_key_from_params(const char *type, OSSL_PARAM_BLD *builder);

} // namespace ostree_ima
