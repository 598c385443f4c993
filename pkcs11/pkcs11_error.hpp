// Pkcs11Error: an Error that also carries the CK_RV, so callers can react to
// particular codes (session gone, PIN wrong) without parsing text.
#pragma once

#include "ckr_text.hpp"
#include "ostree-ima/error.hpp"

#include <p11-kit/pkcs11.h>

#include <string>

namespace ostree_ima::pkcs11 {

class Pkcs11Error : public Error {
  public:
    // `context` says what was attempted, naming module/token/key.
    Pkcs11Error(const std::string &context, const char *function, CK_RV rv)
        : Error(context + ": " + function + " failed: " + ckr_text(rv)), rv_(rv)
    {
    }

    [[nodiscard]] CK_RV rv() const { return rv_; }

  private:
    CK_RV rv_;
};

} // namespace ostree_ima::pkcs11
