// list_pkcs11: what PKCS#11 modules, slots, tokens, keys and certificates
// there are, for an "ostree-ima keys [URI]" command. Printing is in
// pkcs11_listing_format.hpp.
#pragma once

#include "secrets/pin_source.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ostree_ima {

struct Pkcs11ObjectListing {
    std::string object_class;         // "private-key" or "certificate"
    std::string key_type;             // "RSA", "EC", other names; empty when unknown
    int bits = 0;                     // RSA modulus or EC field size; 0 when unknown
    std::string curve;                // "P-256", or OpenSSL's name for other curves
    std::string id_hex;               // CKA_ID
    std::string label;                // CKA_LABEL
    std::optional<bool> sign;         // CKA_SIGN of private keys (nullopt: not stated)
    bool always_authenticate = false; // needs the PIN for every signature
    bool has_certificate = false;     // private key: a certificate with its CKA_ID
    std::string subject;              // certificates: subject name, one line
    std::string ima_key_id;           // 8 hex digits; empty when unknown
    std::string ima_key_id_source;    // where ima_key_id comes from
    std::string uri;                  // pass to --key (private keys); no PIN
};

struct Pkcs11TokenListing {
    unsigned long slot_id = 0;
    std::string slot_description;
    bool token_present = false;
    // Token information (when present).
    std::string label;
    std::string manufacturer;
    std::string model;
    std::string serial;
    bool token_initialized = false;
    bool login_required = false;
    bool user_pin_initialized = false;
    bool user_pin_count_low = false;
    bool user_pin_final_try = false;
    bool user_pin_locked = false;
    bool protected_authentication_path = false;
    bool write_protected = false;
    bool logged_in = false;
    // Not logged in to a token that requires it: private keys are not shown.
    bool private_objects_hidden = false;
    std::vector<Pkcs11ObjectListing> objects;
    std::string error; // why the token could not be (fully) listed
};

struct Pkcs11ModuleListing {
    std::string name; // p11-kit registry name; empty for a module-path
    std::string path;
    std::string library_description;
    std::string library_manufacturer;
    std::string library_version; // "2.6"
    std::vector<Pkcs11TokenListing> slots;
    std::string error; // the module failed to initialize or list its slots
};

// Lists what `uri` selects ("" or "pkcs11:" for every registered module;
// module-path / module-name as for --key; token and object attributes
// filter). Logs in only when `login` is true and a token requires it to
// show private keys (PIN as for --key: URI pin-value / pin-source, then
// `pins`). Throws Error on a bad URI, an unusable module-path, a wrong PIN.
std::vector<Pkcs11ModuleListing> list_pkcs11(const std::string &uri_or_empty, bool login,
                                             const PinSource &pins);

} // namespace ostree_ima
