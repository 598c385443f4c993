#include "pkcs11_listing.hpp"

#include "ima/algorithms/key_algorithm.hpp"
#include "ostree-ima/certificate.hpp"
#include "ostree-ima/error.hpp"
#include "pkcs11_attributes.hpp"
#include "pkcs11_error.hpp"
#include "pkcs11_login.hpp"
#include "pkcs11_module.hpp"
#include "pkcs11_objects.hpp"
#include "pkcs11_pin.hpp"
#include "pkcs11_public_key.hpp"
#include "pkcs11_strings.hpp"
#include "pkcs11_uri.hpp"
#include "util/openssl_ptr.hpp"
#include "util/quoted_input.hpp"

#include <openssl/bio.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>
#include <tuple>

namespace ostree_ima {

using namespace pkcs11;

namespace {

// The IMA key id by the one rule (Certificate::ima_key_id); nothing for a
// value that is not an X.509 certificate.
void set_key_id_from_certificate(const std::vector<std::uint8_t> &der, std::string &id,
                                 std::string &source)
{
    try {
        const Certificate cert = Certificate::from_bytes(der, "on the token");
        id = key_id_hex(cert.ima_key_id());
        source = cert.subject_key_identifier() ? "certificate subjectKeyIdentifier"
                                               : "SHA-1 of the public key";
    } catch (const Error &) {
    }
}

void describe_shape(const EVP_PKEY *key, Pkcs11ObjectListing &out)
{
    if (key == nullptr) {
        return;
    }
    if (const KeyAlgorithm *algorithm = find_key_algorithm(key)) {
        const KeySize size = algorithm->size(key);
        out.key_type = std::string(algorithm->name());
        out.bits = size.bits;
        out.curve = size.curve;
    } else {
        out.key_type = EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "";
        out.bits = EVP_PKEY_get_bits(key);
    }
}

std::string certificate_subject(std::span<const std::uint8_t> der)
{
    const unsigned char *in = der.data();
    const X509Ptr cert(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!cert || !bio ||
        X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253) < 0) {
        return {};
    }
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

Pkcs11ObjectListing list_certificate(const Session &session, const ObjectInfo &info,
                                     const CK_TOKEN_INFO &token, const ModuleHint &hint)
{
    Pkcs11ObjectListing out;
    out.object_class = "certificate";
    out.id_hex = to_hex(info.id);
    out.label = info.label;
    out.uri = format_object_uri(token, CKO_CERTIFICATE, info.label, info.id, hint);
    if (const auto der = get_attribute(session, info.handle, CKA_VALUE)) {
        const auto key = public_key_from_certificate(*der);
        describe_shape(key.get(), out);
        out.subject = certificate_subject(*der);
        set_key_id_from_certificate(*der, out.ima_key_id, out.ima_key_id_source);
    }
    return out;
}

Pkcs11ObjectListing list_private_key(const Session &session, const ObjectInfo &info,
                                     const CK_TOKEN_INFO &token, const ModuleHint &hint)
{
    Pkcs11ObjectListing out;
    out.object_class = "private-key";
    out.id_hex = to_hex(info.id);
    out.label = info.label;
    out.uri = format_object_uri(token, CKO_PRIVATE_KEY, info.label, info.id, hint);
    out.sign = get_bool_attribute(session, info.handle, CKA_SIGN);
    out.always_authenticate =
        get_bool_attribute(session, info.handle, CKA_ALWAYS_AUTHENTICATE).value_or(false);
    if (info.key_type) {
        out.key_type = key_type_name(*info.key_type);
    }

    const KeyAlgorithm *algorithm = info.key_type ? find_key_algorithm(*info.key_type) : nullptr;
    EvpPkeyPtr key;
    if (info.key_type) {
        try {
            key = public_key_for_key(session, info.handle, algorithm, info.id);
        } catch (const Error &) {
            key = nullptr; // ambiguous public keys: show what else we know
        }
    }
    describe_shape(key.get(), out);
    if (!key && algorithm != nullptr) {
        if (const auto size_attribute = algorithm->pkcs11_size_attribute()) {
            out.bits = static_cast<int>(
                get_ulong_attribute(session, info.handle, *size_attribute).value_or(0));
        }
    }

    // A certificate with the same CKA_ID (and the same key) gives the key id.
    if (!info.id.empty()) {
        ObjectTemplate templ(CKO_CERTIFICATE, std::nullopt, info.id);
        for (const auto handle : find_objects(session, templ.attributes())) {
            const auto der = get_attribute(session, handle, CKA_VALUE);
            if (!der) {
                continue;
            }
            const auto cert_key = public_key_from_certificate(*der);
            if (key && cert_key && EVP_PKEY_eq(key.get(), cert_key.get()) != 1) {
                continue;
            }
            out.has_certificate = true;
            set_key_id_from_certificate(*der, out.ima_key_id, out.ima_key_id_source);
            break;
        }
    }
    if (out.ima_key_id.empty() && key) {
        try {
            out.ima_key_id = key_id_hex(key_id_from_public_key(key.get()));
            out.ima_key_id_source = "SHA-1 of the public key";
        } catch (const Error &) { // a key OpenSSL cannot encode: no id to show
        }
    }
    return out;
}

std::vector<ObjectInfo> search(const Session &session, CK_OBJECT_CLASS object_class,
                               const Pkcs11Uri &uri)
{
    if (const auto wanted = uri.object_class(); wanted && *wanted != object_class) {
        return {};
    }
    ObjectTemplate templ(object_class, uri.object_label(), uri.object_id());
    std::vector<ObjectInfo> found;
    for (const auto handle : find_objects(session, templ.attributes())) {
        found.push_back(read_object_info(session, handle));
    }
    return found;
}

void fill_token_info(const CK_TOKEN_INFO &token, Pkcs11TokenListing &out)
{
    out.label = fixed_field(token.label);
    out.manufacturer = fixed_field(token.manufacturerID);
    out.model = fixed_field(token.model);
    out.serial = fixed_field(token.serialNumber);
    const CK_FLAGS f = token.flags;
    out.token_initialized = (f & CKF_TOKEN_INITIALIZED) != 0;
    out.login_required = (f & CKF_LOGIN_REQUIRED) != 0;
    out.user_pin_initialized = (f & CKF_USER_PIN_INITIALIZED) != 0;
    out.user_pin_count_low = (f & CKF_USER_PIN_COUNT_LOW) != 0;
    out.user_pin_final_try = (f & CKF_USER_PIN_FINAL_TRY) != 0;
    out.user_pin_locked = (f & CKF_USER_PIN_LOCKED) != 0;
    out.protected_authentication_path = (f & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
    out.write_protected = (f & CKF_WRITE_PROTECTED) != 0;
}

void list_token_objects(const ModulePtr &module, CK_SLOT_ID slot, const CK_TOKEN_INFO &token,
                        const Pkcs11Uri &uri, bool login, const PinResolver &pins,
                        Pkcs11TokenListing &out)
{
    const std::string what =
        "token " + quoted_input(out.label) + " (module " + module->path() + ")";
    TokenLogin session_holder(module, slot, what);
    const Session &session = session_holder.session();

    auto keys = search(session, CKO_PRIVATE_KEY, uri);
    const bool wants_login = (token.flags & CKF_LOGIN_REQUIRED) != 0 ||
                             (keys.empty() && (token.flags & CKF_USER_PIN_INITIALIZED) != 0 &&
                              uri.object_class().value_or(CKO_PRIVATE_KEY) == CKO_PRIVATE_KEY);
    if (login && wants_login) {
        try {
            check_pin_state(token, what);
        } catch (const Error &error) {
            out.error = error.what(); // locked or final try: list without login
        }
        if (out.error.empty()) {
            session_holder.login(pins); // a wrong PIN ends the listing: no retries
            keys = search(session, CKO_PRIVATE_KEY, uri);
        }
    }
    out.logged_in = session_holder.logged_in();
    out.private_objects_hidden = !out.logged_in && (token.flags & CKF_LOGIN_REQUIRED) != 0;

    const auto by_id = [](const ObjectInfo &a, const ObjectInfo &b) {
        return std::tie(a.id, a.label) < std::tie(b.id, b.label);
    };
    auto certificates = search(session, CKO_CERTIFICATE, uri);
    std::sort(keys.begin(), keys.end(), by_id);
    std::sort(certificates.begin(), certificates.end(), by_id);
    const ModuleHint hint = module_hint(uri);
    for (const auto &info : keys) {
        out.objects.push_back(list_private_key(session, info, token, hint));
    }
    for (const auto &info : certificates) {
        out.objects.push_back(list_certificate(session, info, token, hint));
    }
}

Pkcs11ModuleListing list_module(const ModulePtr &module, const Pkcs11Uri &uri, bool login,
                                const PinResolver &pins)
{
    Pkcs11ModuleListing out;
    out.name = module->registry_name();
    out.path = module->path();
    out.library_description = module->library_description();
    out.library_manufacturer = module->manufacturer();
    out.library_version = std::to_string(module->info().libraryVersion.major) + "." +
                          std::to_string(module->info().libraryVersion.minor);
    std::vector<CK_SLOT_ID> slots;
    try {
        slots = module->slots(false);
    } catch (const Error &error) {
        out.error = error.what();
        return out;
    }
    for (const CK_SLOT_ID slot : slots) {
        const auto slot_found = module->cryptoki().slot_info(slot);
        if (!slot_found || !uri.matches_slot(slot, *slot_found)) {
            continue;
        }
        const CK_SLOT_INFO &slot_info = *slot_found;
        Pkcs11TokenListing token_out;
        token_out.slot_id = slot;
        token_out.slot_description = fixed_field(slot_info.slotDescription);
        token_out.token_present = (slot_info.flags & CKF_TOKEN_PRESENT) != 0;
        if (token_out.token_present) {
            CK_TOKEN_INFO token{};
            CK_RV rv = CKR_OK;
            try {
                token = module->cryptoki().token_info(slot, "reading the token information");
            } catch (const Pkcs11Error &error) {
                rv = error.rv(); // the listing shows the code only, in the slot's row
            }
            if (rv != CKR_OK) {
                token_out.error = "C_GetTokenInfo failed: " + ckr_text(rv);
            } else if (!uri.matches_token(token)) {
                continue;
            } else {
                fill_token_info(token, token_out);
                if (token_out.token_initialized) {
                    try {
                        list_token_objects(module, slot, token, uri, login, pins, token_out);
                    } catch (const Pkcs11Error &error) {
                        token_out.error = error.what();
                    }
                }
            }
        }
        out.slots.push_back(std::move(token_out));
    }
    return out;
}

} // namespace

std::vector<Pkcs11ModuleListing> list_pkcs11(const std::string &uri_or_empty, bool login,
                                             const PinSource &pins)
{
    const Pkcs11Uri uri(uri_or_empty.empty() ? std::string("pkcs11:") : uri_or_empty);
    const PinResolver resolver(uri, pins);
    const LoadedModules loaded = load_modules(uri);

    std::vector<Pkcs11ModuleListing> listing;
    for (const auto &module : loaded.modules) {
        listing.push_back(list_module(module, uri, login, resolver));
    }
    for (const auto &failure : loaded.failures) {
        Pkcs11ModuleListing failed;
        failed.name = failure.name;
        failed.error = failure.reason;
        listing.push_back(std::move(failed));
    }
    return listing;
}

} // namespace ostree_ima
