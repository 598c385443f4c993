#include "pkcs11_login.hpp"

#include "ostree-ima/error.hpp"
#include "pkcs11_error.hpp"
#include "pkcs11_strings.hpp"
#include "util/diagnostics.hpp"
#include "util/quoted_input.hpp"
#include "util/stderr_capture.hpp"

#include <cstdlib>
#include <iostream>
#include <utility>

namespace ostree_ima::pkcs11 {

std::string token_what(const Module &module, const CK_TOKEN_INFO &token)
{
    const std::string where = " (module " + module.path() + ")";
    if ((token.flags & CKF_TOKEN_INITIALIZED) == 0) {
        return "an uninitialized token" + where;
    }
    return "token " + quoted_input(fixed_field(token.label)) + where;
}

CK_TOKEN_INFO read_token_info(const Module &module, CK_SLOT_ID slot, const std::string &what)
{
    return module.cryptoki().token_info(slot, what);
}

CK_RV log_in(const Session &session, CK_USER_TYPE user_type, const SecretString *pin)
{
    if (user_type != CKU_USER) {
        // A context-specific login happens on the signing threads, where
        // stderr (process-wide) cannot be held back.
        return session.cryptoki().login(session.handle(), user_type, pin);
    }
    // The module's own stderr is held back: tpm2-pkcs11 prints "ERROR: ..."
    // lines on a wrong PIN that no setting turns off, before our line that
    // already says it. What a module says on any other outcome may explain
    // it and is passed on; OSTREE_IMA_DEBUG passes on everything. The user
    // logs in while a key is opened, before any signing thread.
    StderrCapture capture;
    const CK_RV rv = session.cryptoki().login(session.handle(), user_type, pin);
    const std::string said = capture.finish();
    const bool explained = rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED;
    if (!explained || std::getenv("OSTREE_IMA_DEBUG") != nullptr)
        diagnose(DiagnosticKind::ModuleOutput, said);
    return rv;
}

void check_pin_state(const CK_TOKEN_INFO &token, const std::string &token_what)
{
    const CK_FLAGS flags = token.flags;
    if ((flags & CKF_USER_PIN_LOCKED) != 0) {
        throw Error("the user PIN of " + token_what +
                    " is locked; unlock it with the SO PIN (for example pkcs11-tool "
                    "--login --login-type so --init-pin)");
    }
    if ((flags & CKF_USER_PIN_INITIALIZED) == 0 &&
        (flags & CKF_PROTECTED_AUTHENTICATION_PATH) == 0) {
        throw Error("the user PIN of " + token_what +
                    " was never set (CKR_USER_PIN_NOT_INITIALIZED); initialize it first");
    }
    if ((flags & CKF_USER_PIN_FINAL_TRY) != 0) {
        throw Error("refusing to log in to " + token_what +
                    ": one more wrong PIN would lock it (CKF_USER_PIN_FINAL_TRY); check the "
                    "PIN with the token's own tools first");
    }
    if ((flags & CKF_USER_PIN_COUNT_LOW) != 0) {
        note(token_what + " reports that a wrong user PIN was entered recently "
                          "(CKF_USER_PIN_COUNT_LOW)");
    }
}

TokenLogin::TokenLogin(ModulePtr module, CK_SLOT_ID slot, std::string token_what)
    : session_(std::move(module), slot, token_what), token_what_(std::move(token_what))
{
}

void TokenLogin::login(const PinResolver &pins, SecretString *keep_pin)
{
    if (logged_in_) {
        return;
    }
    const Module &module = session_.module();
    const CK_TOKEN_INFO token = read_token_info(module, session_.slot(), token_what_);
    check_pin_state(token, token_what_);

    CK_RV rv = CKR_OK;
    if ((token.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0) {
        diagnose(DiagnosticKind::Prompt,
                 "enter the user PIN for " + token_what_ + " on its PIN pad");
        rv = log_in(session_, CKU_USER, nullptr);
    } else {
        SecretString pin =
            pins.obtain("user PIN for token " + quoted_input(fixed_field(token.label)));
        if (pin.empty()) {
            throw Error("empty user PIN for " + token_what_ + " from " + pins.origin() +
                        "; it was not tried");
        }
        rv = log_in(session_, CKU_USER, &pin);
        if ((rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) && keep_pin != nullptr) {
            *keep_pin = std::move(pin);
        }
    }

    if (rv == CKR_PIN_INCORRECT) {
        // Not retried, but this one try counted: the token keeps the count
        // and may lock after a few, whatever we do next.
        throw Error("wrong PIN for " + token_what_ + " (from " + pins.origin() +
                    "); it was tried once and not again, but each wrong attempt uses one of the "
                    "token's tries and it may lock: check the PIN before running again");
    }
    if (rv == CKR_PIN_LOCKED) {
        throw Error("the user PIN of " + token_what_ + " is locked (CKR_PIN_LOCKED)");
    }
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        throw Pkcs11Error("logging in to " + token_what_, "C_Login", rv);
    }
    logged_in_ = true;
}

} // namespace ostree_ima::pkcs11
