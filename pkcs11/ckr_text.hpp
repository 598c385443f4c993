// CK_RV -> words, for error messages that a user can act on.
#pragma once

#include <p11-kit/pkcs11.h>

#include <string>

namespace ostree_ima::pkcs11 {

// The constant's name: "CKR_PIN_INCORRECT"; "CKR_0x...(vendor/unknown)" otherwise.
std::string ckr_name(CK_RV rv);

// Name and meaning: "CKR_PIN_INCORRECT: wrong PIN".
std::string ckr_text(CK_RV rv);

} // namespace ostree_ima::pkcs11
