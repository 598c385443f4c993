#include "pkcs11_session.hpp"

#include <utility>

namespace ostree_ima::pkcs11 {

Session::Session(ModulePtr module, CK_SLOT_ID slot, const std::string &what)
    : module_(std::move(module)), slot_(slot),
      handle_(module_->cryptoki().open_session(slot_, what))
{
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
        module_->cryptoki().close_session(handle_);
    }
    handle_ = CK_INVALID_HANDLE;
}

} // namespace ostree_ima::pkcs11
