// Cryptoki: the one place the project calls a module's CK_FUNCTION_LIST.
//
// Each method makes one Cryptoki call (or the fixed sequence of calls one
// operation needs: the two C_GetSlotList calls, C_FindObjectsInit ...
// C_FindObjectsFinal), turns a failure into a Pkcs11Error whose message
// starts with the caller's `what` (it names the module, token or key), and
// returns a typed result, as Botan's PKCS#11 LowLevel class does. C_Login
// alone returns its CK_RV: a wrong or locked PIN is worded by the login
// code (pkcs11_login), which is the wrapper's only caller for it.
#pragma once

#include "secrets/secret.hpp"

#include <p11-kit/pkcs11.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima::pkcs11 {

class Cryptoki {
  public:
    // `functions` belongs to the Module that holds this wrapper.
    explicit Cryptoki(CK_FUNCTION_LIST &functions) : functions_(&functions) {}

    // C_GetInfo; nullopt when the module does not answer it.
    [[nodiscard]] std::optional<CK_INFO> info() const;

    // C_GetSlotList (count, then the list; again if the count changed
    // meanwhile); only slots holding a token when `tokens_present`.
    [[nodiscard]] std::vector<CK_SLOT_ID> slot_list(bool tokens_present,
                                                    const std::string &what) const;
    // C_GetSlotInfo; nullopt on any failure (slot gone meanwhile).
    [[nodiscard]] std::optional<CK_SLOT_INFO> slot_info(CK_SLOT_ID slot) const;
    // C_GetTokenInfo: the throwing form and the one that gives up quietly.
    [[nodiscard]] CK_TOKEN_INFO token_info(CK_SLOT_ID slot, const std::string &what) const;
    [[nodiscard]] std::optional<CK_TOKEN_INFO> token_info_if_any(CK_SLOT_ID slot) const;

    // C_OpenSession: a read-only serial session.
    [[nodiscard]] CK_SESSION_HANDLE open_session(CK_SLOT_ID slot, const std::string &what) const;
    // C_CloseSession; its errors (a session the token dropped) leave nothing to do.
    void close_session(CK_SESSION_HANDLE session) const noexcept;
    // C_Login as `user_type`; a null `pin` uses the PIN pad.
    [[nodiscard]] CK_RV login(CK_SESSION_HANDLE session, CK_USER_TYPE user_type,
                              const SecretString *pin) const;

    // C_FindObjectsInit, C_FindObjects until none is left, C_FindObjectsFinal.
    [[nodiscard]] std::vector<CK_OBJECT_HANDLE> find_objects(CK_SESSION_HANDLE session,
                                                             std::span<CK_ATTRIBUTE> templ,
                                                             const std::string &what) const;
    // C_GetAttributeValue twice (size, value); nullopt when the object does
    // not have the attribute or it is sensitive.
    [[nodiscard]] std::optional<std::vector<std::uint8_t>>
    attribute_value(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                    const std::string &what) const;

    // C_SignInit with a mechanism without parameters.
    void sign_init(CK_SESSION_HANDLE session, CK_MECHANISM_TYPE mechanism, CK_OBJECT_HANDLE key,
                   const std::string &what) const;
    // C_Sign into a buffer of `expected_size`, once more if the token
    // asks for a larger one.
    [[nodiscard]] std::vector<std::uint8_t> sign(CK_SESSION_HANDLE session,
                                                 std::span<const std::uint8_t> input,
                                                 std::size_t expected_size,
                                                 const std::string &what) const;

  private:
    CK_FUNCTION_LIST *functions_;
};

} // namespace ostree_ima::pkcs11
