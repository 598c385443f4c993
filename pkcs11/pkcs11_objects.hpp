// Object search (C_FindObjects) and the summary of an object we show users.
#pragma once

#include "pkcs11_session.hpp"

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima::pkcs11 {

// Every object matching `templ` visible in the session.
std::vector<CK_OBJECT_HANDLE> find_objects(const Session &session, std::span<CK_ATTRIBUTE> templ);

// Template for objects of `object_class`, optionally with a label and an id.
// The vectors keep the values the template points into.
class ObjectTemplate {
  public:
    ObjectTemplate(CK_OBJECT_CLASS object_class, const std::optional<std::string> &label,
                   const std::optional<std::vector<std::uint8_t>> &id);
    ObjectTemplate(const ObjectTemplate &) = delete;
    ObjectTemplate &operator=(const ObjectTemplate &) = delete;
    [[nodiscard]] std::span<CK_ATTRIBUTE> attributes() { return attrs_; }

  private:
    CK_OBJECT_CLASS class_;
    std::string label_;
    std::vector<std::uint8_t> id_;
    std::vector<CK_ATTRIBUTE> attrs_;
};

struct ObjectInfo {
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    CK_OBJECT_CLASS object_class = CKO_DATA;
    std::string label;
    std::vector<std::uint8_t> id;
    std::optional<CK_KEY_TYPE> key_type; // keys only
};

ObjectInfo read_object_info(const Session &session, CK_OBJECT_HANDLE object);

// "private key", "public key", "certificate", ...
std::string class_name(CK_OBJECT_CLASS object_class);
// "RSA", "EC", ...
std::string key_type_name(CK_KEY_TYPE key_type);
// "private key 'rsa2048' id 01 (RSA)", for listings in error messages.
std::string describe_object(const ObjectInfo &object);

} // namespace ostree_ima::pkcs11
