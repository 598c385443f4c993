#include "pkcs11_session.hpp"

#include "pkcs11_error.hpp"

#include <utility>

namespace ostree_ima::pkcs11 {

Session::Session(ModulePtr module, CK_SLOT_ID slot, const std::string &what)
    : module_(std::move(module)), slot_(slot)
{
    const CK_RV rv =
        module_->fn().C_OpenSession(slot_, CKF_SERIAL_SESSION, nullptr, nullptr, &handle_);
    if (rv != CKR_OK) {
        handle_ = CK_INVALID_HANDLE;
        throw Pkcs11Error(what, "C_OpenSession", rv);
    }
}

Session::~Session()
{
    close();
}

Session::Session(Session &&other) noexcept
    : module_(std::move(other.module_)), slot_(other.slot_),
      handle_(std::exchange(other.handle_, CK_INVALID_HANDLE))
{
}

Session &Session::operator=(Session &&other) noexcept
{
    if (this != &other) {
        close();
        module_ = std::move(other.module_);
        slot_ = other.slot_;
        handle_ = std::exchange(other.handle_, CK_INVALID_HANDLE);
    }
    return *this;
}

void Session::close() noexcept
{
    if (handle_ != CK_INVALID_HANDLE && module_) {
        // Errors (a session the token already dropped) leave nothing to do.
        module_->fn().C_CloseSession(handle_);
    }
    handle_ = CK_INVALID_HANDLE;
}

} // namespace ostree_ima::pkcs11
