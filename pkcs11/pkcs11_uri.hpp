// Pkcs11Uri: an RFC 7512 "pkcs11:" URI, parsed and matched by p11-kit.
//
// p11-kit only parses and matches; which object to take, and refusing an
// ambiguous match, is up to the key finder.
#pragma once

#include "secrets/secret.hpp"

#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima::pkcs11 {

class Pkcs11Uri {
  public:
    // Whether `text` starts with the "pkcs11:" scheme (case-insensitive).
    static bool is_pkcs11_uri(std::string_view text);

    // Throws Error naming the URI (its display) and the part that is not
    // understood: p11-kit silently ignores such parts by failing every
    // match, which would read as "no key found". The scheme may be in any
    // case ("PKCS11:").
    explicit Pkcs11Uri(const std::string &text);

    // The URI rebuilt from its recognised attributes, never a pin-value nor
    // anything from the first unrecognised attribute on
    // (pkcs11_uri_text.hpp): safe for messages.
    [[nodiscard]] const std::string &display() const { return display_; }

    [[nodiscard]] std::optional<std::string> module_path() const;
    [[nodiscard]] std::optional<std::string> module_name() const;
    [[nodiscard]] bool has_pin_value() const;
    [[nodiscard]] SecretString pin_value() const;
    [[nodiscard]] std::optional<std::string> pin_source() const;
    [[nodiscard]] std::optional<CK_SLOT_ID> slot_id() const;

    [[nodiscard]] std::optional<CK_OBJECT_CLASS> object_class() const;
    [[nodiscard]] std::optional<std::string> object_label() const;
    [[nodiscard]] std::optional<std::vector<std::uint8_t>> object_id() const;

    [[nodiscard]] bool matches_module(const CK_INFO &info) const;
    [[nodiscard]] bool matches_slot(CK_SLOT_ID slot, const CK_SLOT_INFO &info) const;
    [[nodiscard]] bool matches_token(const CK_TOKEN_INFO &info) const;
    // Compares class, label and id, those the URI names.
    [[nodiscard]] bool matches_object(CK_OBJECT_CLASS object_class, const std::string &label,
                                      std::span<const std::uint8_t> id) const;

  private:
    // Wipes a pin-value before p11-kit frees it (p11-kit does not).
    struct UriFree {
        void operator()(P11KitUri *uri) const;
    };
    std::unique_ptr<P11KitUri, UriFree> uri_;
    std::string display_;
};

// Reads the PIN a URI's pin-source names: "file:/path", "file:///path" or a
// bare path (first line, newline stripped). Programs ("|cmd") are refused.
SecretString read_pin_source(const std::string &pin_source);

// Where a formatted URI says the module is, so that --key finds it again.
struct ModuleHint {
    std::string module_path; // added as ?module-path= when not empty
    std::string module_name; // added as ?module-name= when not empty
};

// The module part of `uri` (its module-path, else its module-name), so URIs
// we print lead back to the same module.
ModuleHint module_hint(const Pkcs11Uri &uri);

// The URI of an object on a token, for --key and messages. Never has a PIN.
std::string format_object_uri(const CK_TOKEN_INFO &token, CK_OBJECT_CLASS object_class,
                              const std::string &label, std::span<const std::uint8_t> id,
                              const ModuleHint &hint = {});

// The URI of a token (no object), for "list it with `ostree-ima keys URI`".
std::string format_token_uri(const CK_TOKEN_INFO &token, const ModuleHint &hint = {});

} // namespace ostree_ima::pkcs11
