// Session: one Cryptoki session (RAII). Opens in the constructor, closes in
// a noexcept destructor. Never logs out: login state belongs to the
// application and token, not to a session, and other sessions rely on it.
#pragma once

#include "pkcs11_module.hpp"

#include <p11-kit/pkcs11.h>

namespace ostree_ima::pkcs11 {

class Session {
  public:
    // Opens a read-only serial session; throws Pkcs11Error (with the CK_RV,
    // so a pool can tell CKR_SESSION_COUNT apart) naming `what`.
    Session(ModulePtr module, CK_SLOT_ID slot, const std::string &what);
    ~Session();
    Session(Session &&other) noexcept;
    Session &operator=(Session &&other) noexcept;
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    [[nodiscard]] CK_SESSION_HANDLE handle() const { return handle_; }
    [[nodiscard]] const Cryptoki &cryptoki() const { return module_->cryptoki(); }
    [[nodiscard]] const Module &module() const { return *module_; }
    [[nodiscard]] CK_SLOT_ID slot() const { return slot_; }

  private:
    void close() noexcept;

    ModulePtr module_;
    CK_SLOT_ID slot_;
    CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
};

} // namespace ostree_ima::pkcs11
