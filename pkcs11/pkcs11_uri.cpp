#include "pkcs11_uri.hpp"

#include "ostree-ima/error.hpp"
#include "ostree-ima/pin_source.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace ostree_ima::pkcs11 {

namespace {

struct CharFree {
    void operator()(char *p) const { std::free(p); }
};

bool iequals_prefix(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) {
            return false;
        }
    }
    return true;
}

// Splits "a=1;b=2" (or "&"-separated) into its parts.
std::vector<std::string_view> split(std::string_view text, char separator)
{
    std::vector<std::string_view> parts;
    while (!text.empty()) {
        const auto pos = text.find(separator);
        parts.push_back(text.substr(0, pos));
        if (pos == std::string_view::npos) {
            break;
        }
        text.remove_prefix(pos + 1);
    }
    return parts;
}

std::string_view name_of(std::string_view part)
{
    return part.substr(0, part.find('='));
}

std::string_view value_of(std::string_view part)
{
    const auto pos = part.find('=');
    return pos == std::string_view::npos ? std::string_view{} : part.substr(pos + 1);
}

// The URI text without pin-value, for messages (keeps the user's spelling).
std::string without_pin_value(const std::string &text)
{
    const auto colon = text.find(':');
    std::string_view rest = std::string_view(text).substr(colon + 1);
    const auto qpos = rest.find('?');
    const auto path = rest.substr(0, qpos);
    const auto query = qpos == std::string_view::npos ? std::string_view{} : rest.substr(qpos + 1);

    std::string out = text.substr(0, colon + 1);
    bool first = true;
    for (const auto part : split(path, ';')) {
        if (name_of(part) == "pin-value") {
            continue;
        }
        out += first ? "" : ";";
        out += part;
        first = false;
    }
    first = true;
    for (const auto part : split(query, '&')) {
        if (name_of(part) == "pin-value") {
            continue;
        }
        out += first ? "?" : "&";
        out += part;
        first = false;
    }
    return out;
}

// Whether every segment of the URI is a plain "name=value" in the characters
// RFC 7512 allows: only then is filtering pin-value out by segment certain to
// remove all of it (odd spellings with blanks, NULs or empty segments are
// split differently by p11-kit).
bool is_plain(const std::string &text)
{
    static constexpr std::string_view allowed =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%:/@!$'()*+,;=?&";
    if (text.find_first_not_of(allowed) != std::string::npos) {
        return false;
    }
    const auto colon = text.find(':');
    std::string_view rest = std::string_view(text).substr(colon + 1);
    const auto qpos = rest.find('?');
    const auto path = rest.substr(0, qpos);
    const auto query = qpos == std::string_view::npos ? std::string_view{} : rest.substr(qpos + 1);
    const auto plain_parts = [](std::string_view section, char separator) {
        for (const auto part : split(section, separator)) {
            const auto name = name_of(part);
            if (name.empty() || name.size() == part.size() ||
                name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string_view::npos ||
                value_of(part).find_first_of("?&") != std::string_view::npos) {
                return false;
            }
        }
        return true;
    };
    return plain_parts(path, ';') && plain_parts(query, '&');
}

bool mentions_pin_value(std::string_view text)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (iequals_prefix(text.substr(i), "pin-value")) {
            return true;
        }
    }
    return false;
}

// The URI as messages show it: never a PIN. A plain URI is shown without its
// pin-value segments; any other text that mentions pin-value is shown only
// up to the segment where it does.
std::string display_text(const std::string &text)
{
    if (!mentions_pin_value(text)) {
        return text.substr(0, text.find('\0'));
    }
    if (is_plain(text)) {
        std::string shown = without_pin_value(text);
        if (!mentions_pin_value(shown)) {
            return shown;
        }
    }
    std::string lower = text;
    for (auto &c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const auto at = lower.find("pin-value");
    const auto cut = text.find_last_of(";?&", at);
    return text.substr(0, cut == std::string::npos ? std::min<std::size_t>(at, 7) : cut) +
           "(pin-value and what follows not shown)";
}

// A name or value from the URI for a message; one that mentions pin-value
// may hold a PIN and is not shown.
std::string quoted(std::string_view text)
{
    if (mentions_pin_value(text)) {
        return "(a part that mentions pin-value, not shown)";
    }
    // Appended piecewise: g++ 12 at -O3 warns falsely (-Wrestrict) on
    // "'" + std::string(...).
    std::string out(1, '\'');
    out.append(text);
    out.push_back('\'');
    return out;
}

// What p11-kit did not understand; it only sets a flag, so find it ourselves.
std::string describe_unrecognized(const std::string &text)
{
    static constexpr std::array<std::string_view, 17> path_names = {"id",
                                                                    "object",
                                                                    "type",
                                                                    "objecttype",
                                                                    "object-type",
                                                                    "model",
                                                                    "manufacturer",
                                                                    "serial",
                                                                    "token",
                                                                    "slot-description",
                                                                    "slot-manufacturer",
                                                                    "slot-id",
                                                                    "library-description",
                                                                    "library-manufacturer",
                                                                    "library-version",
                                                                    "pin-source",
                                                                    "pin-value"};
    static constexpr std::array<std::string_view, 7> type_values = {
        "cert", "public", "private", "secretkey", "secret-key", "data", ""};
    static constexpr std::array<std::string_view, 4> query_names = {"pin-source", "pin-value",
                                                                    "module-name", "module-path"};

    const auto colon = text.find(':');
    std::string_view rest = std::string_view(text).substr(colon + 1);
    const auto qpos = rest.find('?');
    const auto path = rest.substr(0, qpos);
    const auto query = qpos == std::string_view::npos ? std::string_view{} : rest.substr(qpos + 1);

    std::vector<std::string> problems;
    for (const auto part : split(path, ';')) {
        const auto name = name_of(part);
        if (std::find(path_names.begin(), path_names.end(), name) == path_names.end()) {
            problems.push_back("unknown attribute " + quoted(name));
        } else if ((name == "type" || name == "objecttype" || name == "object-type") &&
                   std::find(type_values.begin(), type_values.end(), value_of(part)) ==
                       type_values.end()) {
            problems.push_back("unknown object type " + quoted(value_of(part)) +
                               " (use private, public or cert)");
        }
    }
    for (const auto part : split(query, '&')) {
        const auto name = name_of(part);
        if (std::find(query_names.begin(), query_names.end(), name) == query_names.end()) {
            problems.push_back("unknown query attribute " + quoted(name));
        }
    }
    if (problems.empty()) {
        return "a value is too long for its field or does not fit this kind of URI";
    }
    std::string joined;
    for (const auto &problem : problems) {
        joined += (joined.empty() ? "" : ", ") + problem;
    }
    return joined;
}

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
    return iequals_prefix(text, "pkcs11:");
}

Pkcs11Uri::Pkcs11Uri(const std::string &text) : uri_(p11_kit_uri_new())
{
    if (!uri_) {
        throw Error("out of memory parsing a PKCS#11 URI");
    }
    if (!is_pkcs11_uri(text)) {
        throw Error("not a PKCS#11 URI (must start with \"pkcs11:\")");
    }
    display_ = display_text(text);
    const int rc = p11_kit_uri_parse(text.c_str(), P11_KIT_URI_FOR_ANY, uri_.get());
    if (rc != P11_KIT_URI_OK) {
        throw UsageError("cannot parse PKCS#11 URI " + display_ + ": " + p11_kit_uri_message(rc));
    }
    // p11-kit keeps unknown query attributes as "vendor" queries without
    // flagging them; we refuse them too, so a typo is not silently ignored.
    const std::string problem = describe_unrecognized(text);
    const bool query_problem = problem.find("unknown query attribute") != std::string::npos;
    if (p11_kit_uri_any_unrecognized(uri_.get()) != 0 || query_problem) {
        throw UsageError("PKCS#11 URI " + display_ + " is not understood: " + problem);
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
        throw Error("unsupported pin-source \"" + pin_source + "\"; use pin-source=file:/path");
    }
    if (path.empty()) {
        throw Error("empty pin-source in PKCS#11 URI");
    }
    return PinSource::read_pin_file(path);
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
    const std::unique_ptr<char, CharFree> owned(text);
    return std::string(text);
}

} // namespace ostree_ima::pkcs11
