// Reading object attributes with C_GetAttributeValue (two calls: size, value).
#pragma once

#include "pkcs11_session.hpp"

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ostree_ima::pkcs11 {

// nullopt when the object does not have the attribute or it is sensitive;
// throws Pkcs11Error on other failures (session gone, device removed).
std::optional<std::vector<std::uint8_t>>
get_attribute(const Session &session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
std::optional<bool> get_bool_attribute(const Session &session, CK_OBJECT_HANDLE object,
                                       CK_ATTRIBUTE_TYPE type);
std::optional<CK_ULONG> get_ulong_attribute(const Session &session, CK_OBJECT_HANDLE object,
                                            CK_ATTRIBUTE_TYPE type);
// Empty when absent.
std::string get_string_attribute(const Session &session, CK_OBJECT_HANDLE object,
                                 CK_ATTRIBUTE_TYPE type);

} // namespace ostree_ima::pkcs11
