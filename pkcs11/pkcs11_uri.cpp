#include "pkcs11_uri.hpp"

#include "util/malloc_ptr.hpp"

#include "ostree-ima/error.hpp"
#include "pkcs11_uri_text.hpp"
#include "secrets/pin_source.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ostree_ima::pkcs11 {

namespace {

std::optional<std::string> optional_string(const char *value)
{
    if (value == nullptr) {
        return std::nullopt;
    }
    return std::string(value);
}

} // namespace

void Pkcs11Uri::UriFree::operator()(P11KitUri *uri) const
{
    if (const char *pin = p11_kit_uri_get_pin_value(uri)) {
        // The URI owns this heap copy and nothing reads it after this point.
        OPENSSL_cleanse(const_cast<char *>(pin), std::strlen(pin));
    }
    p11_kit_uri_free(uri);
}

bool Pkcs11Uri::is_pkcs11_uri(std::string_view text)
{
    return pkcs11::is_pkcs11_uri(text);
}

Pkcs11Uri::Pkcs11Uri(const std::string &text) : uri_(p11_kit_uri_new())
{
    if (!uri_) {
        throw Error("out of memory parsing a PKCS#11 URI");
    }
    if (!is_pkcs11_uri(text)) {
        throw Error("not a PKCS#11 URI (must start with \"pkcs11:\")");
    }
    display_ = uri_display(text);
    if (text.find('\0') != std::string::npos) {
        throw UsageError("PKCS#11 URI " + display_ + " holds a NUL byte");
    }
    // Our own reading names what p11-kit would ignore (it only sets a flag),
    // keep as a "vendor" query attribute (no flag at all), or refuse without
    // saying why (a percent-encoded query name): a typo is never silently
    // ignored, and the message names it without its value.
    const std::string problem = describe_unrecognized(text);
    const SecretString lowered = with_lowercase_scheme(text); // p11-kit wants "pkcs11:"
    const int rc = p11_kit_uri_parse(lowered.c_str(), P11_KIT_URI_FOR_ANY, uri_.get());
    if (rc != P11_KIT_URI_OK && problem.empty()) {
        throw UsageError("cannot parse PKCS#11 URI " + display_ + ": " + p11_kit_uri_message(rc));
    }
    if (rc != P11_KIT_URI_OK || !problem.empty() || p11_kit_uri_any_unrecognized(uri_.get()) != 0) {
        throw UsageError("PKCS#11 URI " + display_ + " is not understood: " +
                         (problem.empty()
                              ? "a value is too long for its field or does not fit this kind of URI"
                              : problem));
    }
}

std::optional<std::string> Pkcs11Uri::module_path() const
{
    return optional_string(p11_kit_uri_get_module_path(uri_.get()));
}

std::optional<std::string> Pkcs11Uri::module_name() const
{
    return optional_string(p11_kit_uri_get_module_name(uri_.get()));
}

bool Pkcs11Uri::has_pin_value() const
{
    return p11_kit_uri_get_pin_value(uri_.get()) != nullptr;
}

SecretString Pkcs11Uri::pin_value() const
{
    const char *value = p11_kit_uri_get_pin_value(uri_.get());
    return SecretString(value == nullptr ? std::string() : std::string(value));
}

std::optional<std::string> Pkcs11Uri::pin_source() const
{
    return optional_string(p11_kit_uri_get_pin_source(uri_.get()));
}

std::optional<CK_SLOT_ID> Pkcs11Uri::slot_id() const
{
    const CK_SLOT_ID slot = p11_kit_uri_get_slot_id(uri_.get());
    if (slot == static_cast<CK_SLOT_ID>(-1)) {
        return std::nullopt;
    }
    return slot;
}

std::optional<CK_OBJECT_CLASS> Pkcs11Uri::object_class() const
{
    const CK_ATTRIBUTE *attr = p11_kit_uri_get_attribute(uri_.get(), CKA_CLASS);
    if (attr == nullptr || attr->ulValueLen != sizeof(CK_OBJECT_CLASS)) {
        return std::nullopt;
    }
    CK_OBJECT_CLASS value = 0;
    std::memcpy(&value, attr->pValue, sizeof value);
    return value;
}

std::optional<std::string> Pkcs11Uri::object_label() const
{
    const CK_ATTRIBUTE *attr = p11_kit_uri_get_attribute(uri_.get(), CKA_LABEL);
    if (attr == nullptr) {
        return std::nullopt;
    }
    return std::string(static_cast<const char *>(attr->pValue), attr->ulValueLen);
}

std::optional<std::vector<std::uint8_t>> Pkcs11Uri::object_id() const
{
    const CK_ATTRIBUTE *attr = p11_kit_uri_get_attribute(uri_.get(), CKA_ID);
    if (attr == nullptr) {
        return std::nullopt;
    }
    const auto *bytes = static_cast<const std::uint8_t *>(attr->pValue);
    return std::vector<std::uint8_t>(bytes, bytes + attr->ulValueLen);
}

bool Pkcs11Uri::matches_module(const CK_INFO &info) const
{
    CK_INFO copy = info; // p11-kit takes a non-const pointer
    return p11_kit_uri_match_module_info(uri_.get(), &copy) != 0;
}

bool Pkcs11Uri::matches_slot(CK_SLOT_ID slot, const CK_SLOT_INFO &info) const
{
    if (const auto wanted = slot_id(); wanted && *wanted != slot) {
        return false;
    }
    CK_SLOT_INFO copy = info;
    return p11_kit_uri_match_slot_info(uri_.get(), &copy) != 0;
}

bool Pkcs11Uri::matches_token(const CK_TOKEN_INFO &info) const
{
    CK_TOKEN_INFO copy = info;
    return p11_kit_uri_match_token_info(uri_.get(), &copy) != 0;
}

bool Pkcs11Uri::matches_object(CK_OBJECT_CLASS object_class, const std::string &label,
                               std::span<const std::uint8_t> id) const
{
    if (const auto wanted = this->object_class(); wanted && *wanted != object_class) {
        return false;
    }
    if (const auto wanted = object_label(); wanted && *wanted != label) {
        return false;
    }
    if (const auto wanted = object_id();
        wanted && !std::equal(wanted->begin(), wanted->end(), id.begin(), id.end())) {
        return false;
    }
    return true;
}

SecretString read_pin_source(const std::string &pin_source)
{
    std::string path = pin_source;
    if (path.starts_with("file://")) {
        path.erase(0, 7); // "file:///p" -> "/p"
    } else if (path.starts_with("file:")) {
        path.erase(0, 5);
    } else if (path.starts_with("|")) {
        throw Error("pin-source programs (\"|command\") are not supported; "
                    "put the PIN in a file readable only by you and use "
                    "pin-source=file:/path");
    } else if (const auto colon = path.find(':');
               colon != std::string::npos && path.find('/') > colon) {
        // Not shown, here or below: a secret may stand where a file name
        // belongs (pin-source=SECRET).
        throw Error("unsupported pin-source in the PKCS#11 URI (not shown); "
                    "use pin-source=file:/path");
    }
    if (path.empty()) {
        throw Error("empty pin-source in PKCS#11 URI");
    }
    return PinSource::read_pin_file(path, PathShown::No);
}

ModuleHint module_hint(const Pkcs11Uri &uri)
{
    ModuleHint hint;
    if (const auto path = uri.module_path()) {
        hint.module_path = *path;
    } else if (const auto name = uri.module_name()) {
        hint.module_name = *name;
    }
    return hint;
}

std::string format_object_uri(const CK_TOKEN_INFO &token, CK_OBJECT_CLASS object_class,
                              const std::string &label, std::span<const std::uint8_t> id,
                              const ModuleHint &hint)
{
    std::unique_ptr<P11KitUri, void (*)(P11KitUri *)> uri(p11_kit_uri_new(), p11_kit_uri_free);
    if (!uri) {
        throw Error("out of memory formatting a PKCS#11 URI");
    }
    *p11_kit_uri_get_token_info(uri.get()) = token;

    CK_OBJECT_CLASS klass = object_class;
    std::vector<CK_ATTRIBUTE> attrs;
    attrs.push_back({CKA_CLASS, &klass, sizeof klass});
    std::string label_copy = label;
    if (!label_copy.empty()) {
        attrs.push_back({CKA_LABEL, label_copy.data(), label_copy.size()});
    }
    std::vector<std::uint8_t> id_copy(id.begin(), id.end());
    if (!id_copy.empty()) {
        attrs.push_back({CKA_ID, id_copy.data(), id_copy.size()});
    }
    if (p11_kit_uri_set_attributes(uri.get(), attrs.data(), attrs.size()) != P11_KIT_URI_OK) {
        throw Error("cannot build a PKCS#11 URI");
    }
    if (!hint.module_path.empty()) {
        p11_kit_uri_set_module_path(uri.get(), hint.module_path.c_str());
    } else if (!hint.module_name.empty()) {
        p11_kit_uri_set_module_name(uri.get(), hint.module_name.c_str());
    }

    char *text = nullptr;
    // No pin-value was ever set on this URI object, so none can be printed.
    if (p11_kit_uri_format(uri.get(), P11_KIT_URI_FOR_OBJECT_ON_TOKEN, &text) != P11_KIT_URI_OK) {
        throw Error("cannot format a PKCS#11 URI");
    }
    const MallocPtr<char> owned(text);
    return std::string(text);
}

std::string format_token_uri(const CK_TOKEN_INFO &token, const ModuleHint &hint)
{
    std::unique_ptr<P11KitUri, void (*)(P11KitUri *)> uri(p11_kit_uri_new(), p11_kit_uri_free);
    if (!uri) {
        throw Error("out of memory formatting a PKCS#11 URI");
    }
    *p11_kit_uri_get_token_info(uri.get()) = token;
    if (!hint.module_path.empty()) {
        p11_kit_uri_set_module_path(uri.get(), hint.module_path.c_str());
    } else if (!hint.module_name.empty()) {
        p11_kit_uri_set_module_name(uri.get(), hint.module_name.c_str());
    }
    char *text = nullptr;
    if (p11_kit_uri_format(uri.get(), P11_KIT_URI_FOR_TOKEN, &text) != P11_KIT_URI_OK) {
        throw Error("cannot format a PKCS#11 URI");
    }
    const MallocPtr<char> owned(text);
    return std::string(text);
}

} // namespace ostree_ima::pkcs11
