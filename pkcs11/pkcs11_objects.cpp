#include "pkcs11_objects.hpp"

#include "ima/algorithms/key_algorithm.hpp"
#include "pkcs11_attributes.hpp"
#include "pkcs11_strings.hpp"
#include "util/quoted_input.hpp"

#include <cstdio>
#include <cstring>

namespace ostree_ima::pkcs11 {

std::vector<CK_OBJECT_HANDLE> find_objects(const Session &session, std::span<CK_ATTRIBUTE> templ)
{
    return session.cryptoki().find_objects(
        session.handle(), templ, "searching objects on module " + session.module().path());
}

ObjectTemplate::ObjectTemplate(CK_OBJECT_CLASS object_class,
                               const std::optional<std::string> &label,
                               const std::optional<std::vector<std::uint8_t>> &id)
    : class_(object_class)
{
    attrs_.push_back({CKA_CLASS, &class_, sizeof class_});
    if (label) {
        label_ = *label;
        attrs_.push_back({CKA_LABEL, label_.data(), label_.size()});
    }
    if (id) {
        id_ = *id;
        attrs_.push_back({CKA_ID, id_.data(), id_.size()});
    }
}

ObjectInfo read_object_info(const Session &session, CK_OBJECT_HANDLE object)
{
    ObjectInfo info;
    info.handle = object;
    if (const auto klass = get_ulong_attribute(session, object, CKA_CLASS)) {
        info.object_class = *klass;
    }
    info.label = get_string_attribute(session, object, CKA_LABEL);
    info.id = get_attribute(session, object, CKA_ID).value_or(std::vector<std::uint8_t>{});
    if (info.object_class == CKO_PRIVATE_KEY || info.object_class == CKO_PUBLIC_KEY ||
        info.object_class == CKO_SECRET_KEY) {
        info.key_type = get_ulong_attribute(session, object, CKA_KEY_TYPE);
    }
    return info;
}

std::string class_name(CK_OBJECT_CLASS object_class)
{
    switch (object_class) {
    case CKO_PRIVATE_KEY:
        return "private key";
    case CKO_PUBLIC_KEY:
        return "public key";
    case CKO_CERTIFICATE:
        return "certificate";
    case CKO_SECRET_KEY:
        return "secret key";
    case CKO_DATA:
        return "data";
    default:
        return "object class " + std::to_string(object_class);
    }
}

std::string key_type_name(CK_KEY_TYPE key_type)
{
    if (const KeyAlgorithm *algorithm = find_key_algorithm(key_type)) {
        return std::string(algorithm->name());
    }
    switch (key_type) { // the types IMA cannot use, by name
    case CKK_DSA:
        return "DSA";
    case CKK_EC_EDWARDS:
        return "EdDSA";
    case CKK_AES:
        return "AES";
    default:
        return "key type " + std::to_string(key_type);
    }
}

std::string describe_object(const ObjectInfo &object)
{
    std::string text = class_name(object.object_class);
    text += object.label.empty() ? " (no label)" : " " + quoted_input(object.label);
    text += object.id.empty() ? " (no id)" : " id " + to_hex(object.id);
    if (object.key_type) {
        text += " (" + key_type_name(*object.key_type) + ")";
    }
    return text;
}

} // namespace ostree_ima::pkcs11
