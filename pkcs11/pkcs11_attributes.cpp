#include "pkcs11_attributes.hpp"

#include "pkcs11_error.hpp"

#include <cstring>

namespace ostree_ima::pkcs11 {

namespace {

bool attribute_missing(CK_RV rv)
{
    return rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID;
}

} // namespace

std::optional<std::vector<std::uint8_t>>
get_attribute(const Session &session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type)
{
    CK_ATTRIBUTE attr{type, nullptr, 0};
    CK_RV rv = session.fn().C_GetAttributeValue(session.handle(), object, &attr, 1);
    if (attribute_missing(rv) || attr.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        return std::nullopt;
    }
    if (rv != CKR_OK) {
        throw Pkcs11Error("reading an object attribute on module " + session.module().path(),
                          "C_GetAttributeValue", rv);
    }
    std::vector<std::uint8_t> value(attr.ulValueLen);
    attr.pValue = value.data();
    rv = session.fn().C_GetAttributeValue(session.handle(), object, &attr, 1);
    if (attribute_missing(rv) || attr.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        return std::nullopt;
    }
    if (rv != CKR_OK) {
        throw Pkcs11Error("reading an object attribute on module " + session.module().path(),
                          "C_GetAttributeValue", rv);
    }
    value.resize(attr.ulValueLen);
    return value;
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
