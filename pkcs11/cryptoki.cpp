#include "cryptoki.hpp"

#include "ostree-ima/error.hpp"
#include "pkcs11_error.hpp"

#include <algorithm>

namespace ostree_ima::pkcs11 {

namespace {

bool attribute_missing(CK_RV rv, const CK_ATTRIBUTE &attr)
{
    return rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
           attr.ulValueLen == CK_UNAVAILABLE_INFORMATION;
}

// Ends a search even when reading results throws.
class FindOperation {
  public:
    FindOperation(CK_FUNCTION_LIST &functions, CK_SESSION_HANDLE session)
        : functions_(functions), session_(session)
    {
    }
    ~FindOperation() { functions_.C_FindObjectsFinal(session_); }
    FindOperation(const FindOperation &) = delete;
    FindOperation &operator=(const FindOperation &) = delete;

  private:
    CK_FUNCTION_LIST &functions_;
    CK_SESSION_HANDLE session_;
};

} // namespace

std::optional<CK_INFO> Cryptoki::info() const
{
    CK_INFO info{};
    if (functions_->C_GetInfo(&info) != CKR_OK) {
        return std::nullopt;
    }
    return info;
}

std::vector<CK_SLOT_ID> Cryptoki::slot_list(bool tokens_present, const std::string &what) const
{
    const CK_BBOOL present = tokens_present ? CK_TRUE : CK_FALSE;
    // The count can change between the two calls (a token plugged in).
    for (int attempt = 0; attempt < 3; ++attempt) {
        CK_ULONG count = 0;
        CK_RV rv = functions_->C_GetSlotList(present, nullptr, &count);
        if (rv != CKR_OK) {
            throw Pkcs11Error(what, "C_GetSlotList", rv);
        }
        std::vector<CK_SLOT_ID> slots(count);
        rv = functions_->C_GetSlotList(present, slots.data(), &count);
        if (rv == CKR_BUFFER_TOO_SMALL) {
            continue;
        }
        if (rv != CKR_OK) {
            throw Pkcs11Error(what, "C_GetSlotList", rv);
        }
        slots.resize(count);
        return slots;
    }
    throw Error(what + ": the slot list keeps changing");
}

std::optional<CK_SLOT_INFO> Cryptoki::slot_info(CK_SLOT_ID slot) const
{
    CK_SLOT_INFO info{};
    if (functions_->C_GetSlotInfo(slot, &info) != CKR_OK) {
        return std::nullopt;
    }
    return info;
}

CK_TOKEN_INFO Cryptoki::token_info(CK_SLOT_ID slot, const std::string &what) const
{
    CK_TOKEN_INFO info{};
    const CK_RV rv = functions_->C_GetTokenInfo(slot, &info);
    if (rv != CKR_OK) {
        throw Pkcs11Error(what, "C_GetTokenInfo", rv);
    }
    return info;
}

std::optional<CK_TOKEN_INFO> Cryptoki::token_info_if_any(CK_SLOT_ID slot) const
{
    CK_TOKEN_INFO info{};
    if (functions_->C_GetTokenInfo(slot, &info) != CKR_OK) {
        return std::nullopt;
    }
    return info;
}

CK_SESSION_HANDLE Cryptoki::open_session(CK_SLOT_ID slot, const std::string &what) const
{
    CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
    const CK_RV rv =
        functions_->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &session);
    if (rv != CKR_OK) {
        throw Pkcs11Error(what, "C_OpenSession", rv);
    }
    return session;
}

void Cryptoki::close_session(CK_SESSION_HANDLE session) const noexcept
{
    functions_->C_CloseSession(session);
}

CK_RV Cryptoki::login(CK_SESSION_HANDLE session, CK_USER_TYPE user_type,
                      const SecretString *pin) const
{
    if (pin == nullptr) {
        return functions_->C_Login(session, user_type, nullptr, 0);
    }
    // Cryptoki's prototype is not const-correct; modules do not write to it.
    auto *pin_bytes = reinterpret_cast<CK_UTF8CHAR *>(const_cast<char *>(pin->c_str()));
    return functions_->C_Login(session, user_type, pin_bytes, pin->size());
}

std::vector<CK_OBJECT_HANDLE> Cryptoki::find_objects(CK_SESSION_HANDLE session,
                                                     std::span<CK_ATTRIBUTE> templ,
                                                     const std::string &what) const
{
    CK_RV rv = functions_->C_FindObjectsInit(session, templ.data(), templ.size());
    if (rv != CKR_OK) {
        throw Pkcs11Error(what, "C_FindObjectsInit", rv);
    }
    const FindOperation operation(*functions_, session);
    std::vector<CK_OBJECT_HANDLE> found;
    for (;;) {
        CK_OBJECT_HANDLE batch[64];
        CK_ULONG count = 0;
        rv = functions_->C_FindObjects(session, batch, 64, &count);
        if (rv != CKR_OK) {
            throw Pkcs11Error(what, "C_FindObjects", rv);
        }
        if (count == 0) {
            break;
        }
        found.insert(found.end(), batch, batch + count);
    }
    return found;
}

std::optional<std::vector<std::uint8_t>> Cryptoki::attribute_value(CK_SESSION_HANDLE session,
                                                                   CK_OBJECT_HANDLE object,
                                                                   CK_ATTRIBUTE_TYPE type,
                                                                   const std::string &what) const
{
    CK_ATTRIBUTE attr{type, nullptr, 0};
    CK_RV rv = functions_->C_GetAttributeValue(session, object, &attr, 1);
    if (attribute_missing(rv, attr)) {
        return std::nullopt;
    }
    if (rv != CKR_OK) {
        throw Pkcs11Error(what, "C_GetAttributeValue", rv);
    }
    std::vector<std::uint8_t> value(attr.ulValueLen);
    attr.pValue = value.data();
    rv = functions_->C_GetAttributeValue(session, object, &attr, 1);
    if (attribute_missing(rv, attr)) {
        return std::nullopt;
    }
    if (rv != CKR_OK) {
        throw Pkcs11Error(what, "C_GetAttributeValue", rv);
    }
    value.resize(attr.ulValueLen);
    return value;
}

void Cryptoki::sign_init(CK_SESSION_HANDLE session, CK_MECHANISM_TYPE mechanism,
                         CK_OBJECT_HANDLE key, const std::string &what) const
{
    CK_MECHANISM parameters{mechanism, nullptr, 0};
    const CK_RV rv = functions_->C_SignInit(session, &parameters, key);
    if (rv != CKR_OK) {
        throw Pkcs11Error(what, "C_SignInit", rv);
    }
}

std::vector<std::uint8_t> Cryptoki::sign(CK_SESSION_HANDLE session,
                                         std::span<const std::uint8_t> input,
                                         std::size_t expected_size, const std::string &what) const
{
    std::vector<std::uint8_t> signature(expected_size);
    auto *data = const_cast<CK_BYTE *>(input.data()); // Cryptoki is not const-correct
    CK_ULONG length = signature.size();
    CK_RV rv = functions_->C_Sign(session, data, input.size(), signature.data(), &length);
    if (rv == CKR_BUFFER_TOO_SMALL) {
        // The operation stays active and `length` says what is needed; some
        // modules do not set it, so at least double the buffer.
        signature.resize(std::max<std::size_t>(length, signature.size() * 2));
        length = signature.size();
        rv = functions_->C_Sign(session, data, input.size(), signature.data(), &length);
    }
    if (rv != CKR_OK) {
        throw Pkcs11Error(what, "C_Sign", rv);
    }
    signature.resize(length);
    return signature;
}

} // namespace ostree_ima::pkcs11
