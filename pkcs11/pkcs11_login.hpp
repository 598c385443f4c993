// TokenLogin: the user's login on one token, held by a dedicated session.
//
// Login state belongs to the application and token, not to a session: one
// C_Login makes private objects usable from every session we open on the
// token, for as long as at least one of our sessions stays open. So we log
// in once, on a session that lives as long as the key is used, and never
// log out from pooled sessions.
#pragma once

#include "pkcs11_module.hpp"
#include "pkcs11_pin.hpp"
#include "pkcs11_session.hpp"
#include "secrets/secret.hpp"

#include <p11-kit/pkcs11.h>

#include <string>

namespace ostree_ima::pkcs11 {

// How messages name a token: "token 'LABEL' (module PATH)", or "an
// uninitialized token (module PATH)".
std::string token_what(const Module &module, const CK_TOKEN_INFO &token);

// Reads the token's current information (flags change with PIN attempts).
CK_TOKEN_INFO read_token_info(const Module &module, CK_SLOT_ID slot, const std::string &what);

// The project's one C_Login, for the user's login (TokenLogin) and a key's
// context-specific one (CKA_ALWAYS_AUTHENTICATE, Pkcs11Backend). A null
// `pin` uses the PIN pad. Returns the CK_RV for the caller to word: a wrong
// or locked PIN is never retried.
CK_RV log_in(const Session &session, CK_USER_TYPE user_type, const SecretString *pin);

// Throws Error unless a PIN may safely be tried: refuses a locked user PIN,
// an uninitialized one, and the final try (so a wrong PIN cannot lock the
// token); notes a low retry count on stderr.
void check_pin_state(const CK_TOKEN_INFO &token, const std::string &token_what);

class TokenLogin {
  public:
    // `token_what`: "token 'label' (module /path)", for messages.
    TokenLogin(ModulePtr module, CK_SLOT_ID slot, std::string token_what);

    // Logs the user in unless already done. A PIN pad (protected
    // authentication path) is used when the token has one. A wrong PIN is
    // an Error at once, never retried. When `keep_pin` is given, the PIN
    // used is moved there (empty with a PIN pad).
    void login(const PinResolver &pins, SecretString *keep_pin = nullptr);

    [[nodiscard]] bool logged_in() const { return logged_in_; }
    [[nodiscard]] const Session &session() const { return session_; }
    [[nodiscard]] const std::string &token_what() const { return token_what_; }

  private:
    Session session_;
    std::string token_what_;
    bool logged_in_ = false;
};

} // namespace ostree_ima::pkcs11
