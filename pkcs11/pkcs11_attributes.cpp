#include "pkcs11_attributes.hpp"

#include <cstring>

namespace ostree_ima::pkcs11 {

std::optional<std::vector<std::uint8_t>>
get_attribute(const Session &session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type)
{
    return session.cryptoki().attribute_value(session.handle(), object, type,
                                              "reading an object attribute on module " +
                                                  session.module().path());
}

std::optional<bool> get_bool_attribute(const Session &session, CK_OBJECT_HANDLE object,
                                       CK_ATTRIBUTE_TYPE type)
{
    const auto value = get_attribute(session, object, type);
    if (!value || value->size() != sizeof(CK_BBOOL)) {
        return std::nullopt;
    }
    return (*value)[0] != CK_FALSE;
}

std::optional<CK_ULONG> get_ulong_attribute(const Session &session, CK_OBJECT_HANDLE object,
                                            CK_ATTRIBUTE_TYPE type)
{
    const auto value = get_attribute(session, object, type);
    if (!value || value->size() != sizeof(CK_ULONG)) {
        return std::nullopt;
    }
    CK_ULONG result = 0;
    std::memcpy(&result, value->data(), sizeof result);
    return result;
}

std::string get_string_attribute(const Session &session, CK_OBJECT_HANDLE object,
                                 CK_ATTRIBUTE_TYPE type)
{
    const auto value = get_attribute(session, object, type);
    if (!value) {
        return {};
    }
    return std::string(value->begin(), value->end());
}

} // namespace ostree_ima::pkcs11
