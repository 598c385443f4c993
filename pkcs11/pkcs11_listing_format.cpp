#include "pkcs11_listing_format.hpp"

#include "util/quoted_input.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace ostree_ima {

namespace {

// Longer than any fixed Cryptoki field (64) and any label a person gives.
constexpr std::size_t kShownChars = 256;

// What the module gave (labels, descriptions, a certificate's subject) as the
// text listing shows it: control bytes (ESC sequences, newlines) and bytes
// that are not UTF-8 as \xNN, as messages show input (quoted_input), so a
// module or whoever labelled the token cannot drive the terminal or forge
// lines of the listing. The JSON listing keeps the values: JSON escapes them.
std::string shown(std::string_view text)
{
    return printable_input(text, kShownChars);
}

std::string token_flags(const Pkcs11TokenListing &token)
{
    std::string flags;
    const auto add = [&](bool set, const char *name) {
        if (set) {
            flags += (flags.empty() ? "" : ", ") + std::string(name);
        }
    };
    add(!token.token_initialized, "not initialized");
    add(token.login_required, "login required");
    add(token.token_initialized && !token.user_pin_initialized, "user PIN not set");
    add(token.protected_authentication_path, "PIN pad");
    add(token.user_pin_count_low, "user PIN count low");
    add(token.user_pin_final_try, "user PIN final try");
    add(token.user_pin_locked, "user PIN LOCKED");
    add(token.write_protected, "write-protected");
    add(token.logged_in, "logged in");
    return flags;
}

std::string shape(const Pkcs11ObjectListing &object)
{
    if (object.key_type.empty()) {
        return "unknown key";
    }
    if (!object.curve.empty()) {
        return object.key_type + " " + object.curve;
    }
    if (object.bits > 0) {
        return object.key_type + "-" + std::to_string(object.bits);
    }
    return object.key_type;
}

void print_object(std::ostream &out, const Pkcs11ObjectListing &object)
{
    out << "      " << (object.object_class == "private-key" ? "private key " : "certificate ")
        << shape(object) << " id " << (object.id_hex.empty() ? "(none)" : object.id_hex)
        << " label '" << shown(object.label) << "'";
    if (object.object_class == "private-key") {
        out << (object.sign == false ? " [CKA_SIGN false: cannot sign]" : "");
        out << (object.always_authenticate ? " [PIN for every signature]" : "");
        out << (object.has_certificate ? " [certificate on token]" : "");
    } else if (!object.subject.empty()) {
        out << " subject " << shown(object.subject);
    }
    if (!object.ima_key_id.empty()) {
        out << " ima-keyid " << object.ima_key_id << " (" << object.ima_key_id_source << ")";
    }
    out << "\n        " << object.uri << "\n"; // percent-encoded by p11-kit
}

} // namespace

void print_pkcs11_listing(std::ostream &out, const std::vector<Pkcs11ModuleListing> &listing)
{
    if (listing.empty()) {
        out << "no PKCS#11 modules\n";
    }
    for (const auto &module : listing) {
        out << "module " << shown(module.name.empty() ? module.path : module.name);
        if (!module.name.empty() && !module.path.empty()) {
            out << " (" << shown(module.path) << ")";
        }
        out << "\n";
        if (!module.library_description.empty()) {
            out << "  library: " << shown(module.library_description) << ", "
                << shown(module.library_manufacturer) << ", version "
                << shown(module.library_version) << "\n";
        }
        if (!module.error.empty()) {
            out << "  error: " << shown(module.error) << "\n";
        }
        if (module.error.empty() && module.slots.empty()) {
            out << "  no matching slots\n";
        }
        for (const auto &slot : module.slots) {
            out << "  slot " << slot.slot_id << " '" << shown(slot.slot_description) << "'";
            if (!slot.token_present) {
                out << ": no token\n";
                continue;
            }
            out << "\n    token '" << shown(slot.label) << "' manufacturer '"
                << shown(slot.manufacturer) << "' model '" << shown(slot.model) << "' serial '"
                << shown(slot.serial) << "'\n";
            out << "    flags: " << token_flags(slot) << "\n";
            if (!slot.error.empty()) {
                out << "    error: " << shown(slot.error) << "\n";
            }
            if (slot.private_objects_hidden) {
                out << "    (not logged in: private keys are hidden; log in to list them)\n";
            }
            if (slot.objects.empty() && slot.token_initialized) {
                out << "      no matching keys or certificates\n";
            }
            for (const auto &object : slot.objects) {
                print_object(out, object);
            }
        }
    }
}

nlohmann::json pkcs11_listing_to_json(const std::vector<Pkcs11ModuleListing> &listing)
{
    nlohmann::json modules = nlohmann::json::array();
    for (const auto &module : listing) {
        nlohmann::json slots = nlohmann::json::array();
        for (const auto &slot : module.slots) {
            nlohmann::json objects = nlohmann::json::array();
            for (const auto &object : slot.objects) {
                nlohmann::json o = {
                    {"class", object.object_class},
                    {"key_type", object.key_type},
                    {"bits", object.bits},
                    {"curve", object.curve},
                    {"id", object.id_hex},
                    {"label", object.label},
                    {"uri", object.uri},
                    {"ima_key_id", object.ima_key_id},
                    {"ima_key_id_source", object.ima_key_id_source},
                };
                if (object.object_class == "private-key") {
                    o["sign"] = object.sign ? nlohmann::json(*object.sign) : nlohmann::json();
                    o["always_authenticate"] = object.always_authenticate;
                    o["has_certificate"] = object.has_certificate;
                } else {
                    o["subject"] = object.subject;
                }
                objects.push_back(std::move(o));
            }
            nlohmann::json s = {
                {"slot_id", slot.slot_id},
                {"slot_description", slot.slot_description},
                {"token_present", slot.token_present},
            };
            if (slot.token_present) {
                s["token"] = {
                    {"label", slot.label},
                    {"manufacturer", slot.manufacturer},
                    {"model", slot.model},
                    {"serial", slot.serial},
                    {"flags",
                     {
                         {"token_initialized", slot.token_initialized},
                         {"login_required", slot.login_required},
                         {"user_pin_initialized", slot.user_pin_initialized},
                         {"user_pin_count_low", slot.user_pin_count_low},
                         {"user_pin_final_try", slot.user_pin_final_try},
                         {"user_pin_locked", slot.user_pin_locked},
                         {"protected_authentication_path", slot.protected_authentication_path},
                         {"write_protected", slot.write_protected},
                     }},
                    {"logged_in", slot.logged_in},
                    {"private_objects_hidden", slot.private_objects_hidden},
                    {"objects", std::move(objects)},
                };
            }
            if (!slot.error.empty()) {
                s["error"] = slot.error;
            }
            slots.push_back(std::move(s));
        }
        nlohmann::json m = {
            {"name", module.name},
            {"path", module.path},
            {"library_description", module.library_description},
            {"library_manufacturer", module.library_manufacturer},
            {"library_version", module.library_version},
            {"slots", std::move(slots)},
        };
        if (!module.error.empty()) {
            m["error"] = module.error;
        }
        modules.push_back(std::move(m));
    }
    // format and version as every --json report has them (docs/json-output.md).
    return nlohmann::json{
        {"format", "ostree-ima-keys"}, {"version", 1}, {"modules", std::move(modules)}};
}

} // namespace ostree_ima
