// PinResolver: where the user PIN for a token comes from, in order: the
// URI's pin-value (warned about: argv is visible to other users), the URI's
// pin-source file, then PinSource (--pin-file, OSTREE_IMA_PIN, prompt).
#pragma once

#include "pkcs11_uri.hpp"
#include "secrets/pin_source.hpp"
#include "secrets/secret.hpp"

#include <string>

namespace ostree_ima::pkcs11 {

class PinResolver {
  public:
    // Both must outlive the resolver.
    PinResolver(const Pkcs11Uri &uri, const PinSource &fallback);

    // `what` names what the PIN unlocks ("user PIN for token 'x'").
    [[nodiscard]] SecretString obtain(const std::string &what) const;

    // Where obtain() takes the PIN from, for messages: "the pin-source file /p".
    [[nodiscard]] std::string origin() const;

    // Whether a PIN was given (URI, --pin-file, OSTREE_IMA_PIN): obtain()
    // would not prompt. Reading a certificate logs in only then.
    [[nodiscard]] bool given() const;

  private:
    const Pkcs11Uri &uri_;
    const PinSource &fallback_;
};

} // namespace ostree_ima::pkcs11
