#include "ckr_text.hpp"

#include <cstdio>

namespace ostree_ima::pkcs11 {

namespace {

struct CkrEntry {
    CK_RV rv;
    const char *name;
    const char *meaning;
};

// The codes a signer meets in practice, with words a user understands.
constexpr CkrEntry ckr_table[] = {
    {CKR_OK, "CKR_OK", "success"},
    {CKR_CANCEL, "CKR_CANCEL", "cancelled"},
    {CKR_HOST_MEMORY, "CKR_HOST_MEMORY", "out of memory in the PKCS#11 module"},
    {CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID", "no such slot"},
    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR", "unrecoverable error in the module or token"},
    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED", "the token could not perform the operation"},
    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD", "bad arguments"},
    {CKR_CANT_LOCK, "CKR_CANT_LOCK", "the module cannot do the locking needed for threads"},
    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE", "attribute is sensitive"},
    {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID", "attribute not known"},
    {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID", "invalid attribute value"},
    {CKR_ACTION_PROHIBITED, "CKR_ACTION_PROHIBITED", "action prohibited by the token"},
    {CKR_DATA_INVALID, "CKR_DATA_INVALID", "data invalid for the mechanism"},
    {CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE", "data has the wrong length for the key"},
    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR", "device error"},
    {CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY", "token out of memory"},
    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED", "device removed"},
    {CKR_FUNCTION_CANCELED, "CKR_FUNCTION_CANCELED", "cancelled on the token"},
    {CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED",
     "function not supported by the module"},
    {CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID", "key handle invalid (key deleted?)"},
    {CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE", "key size not supported"},
    {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT", "key type does not fit the mechanism"},
    {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED", "key not allowed to sign"},
    {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID", "mechanism not supported by the key"},
    {CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID", "bad mechanism parameter"},
    {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID", "object handle invalid"},
    {CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE", "another operation is active"},
    {CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED", "operation not initialized"},
    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT", "wrong PIN"},
    {CKR_PIN_INVALID, "CKR_PIN_INVALID", "PIN contains invalid characters"},
    {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE", "PIN too long or too short"},
    {CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED", "PIN expired"},
    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED", "PIN locked"},
    {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED", "session closed"},
    {CKR_SESSION_COUNT, "CKR_SESSION_COUNT", "too many sessions open on the token"},
    {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID", "session handle invalid"},
    {CKR_SESSION_PARALLEL_NOT_SUPPORTED, "CKR_SESSION_PARALLEL_NOT_SUPPORTED",
     "parallel sessions not supported"},
    {CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY", "session is read-only"},
    {CKR_SIGNATURE_INVALID, "CKR_SIGNATURE_INVALID", "signature invalid"},
    {CKR_SIGNATURE_LEN_RANGE, "CKR_SIGNATURE_LEN_RANGE", "signature has the wrong length"},
    {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE", "template incomplete"},
    {CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT", "template inconsistent"},
    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT", "token not present"},
    {CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED", "token not recognized"},
    {CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED", "token write-protected"},
    {CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN", "user already logged in"},
    {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN", "not logged in to the token"},
    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED",
     "the token's user PIN was never set"},
    {CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID", "user type invalid"},
    {CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN",
     "another user is logged in"},
    {CKR_USER_TOO_MANY_TYPES, "CKR_USER_TOO_MANY_TYPES", "too many users logged in"},
    {CKR_RANDOM_NO_RNG, "CKR_RANDOM_NO_RNG", "token has no random number generator"},
    {CKR_DOMAIN_PARAMS_INVALID, "CKR_DOMAIN_PARAMS_INVALID", "curve parameters invalid"},
    {CKR_CURVE_NOT_SUPPORTED, "CKR_CURVE_NOT_SUPPORTED", "curve not supported"},
    {CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL", "output buffer too small"},
    {CKR_INFORMATION_SENSITIVE, "CKR_INFORMATION_SENSITIVE", "information is sensitive"},
    {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED", "module not initialized"},
    {CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED",
     "module already initialized"},
    {CKR_MUTEX_BAD, "CKR_MUTEX_BAD", "bad mutex"},
    {CKR_MUTEX_NOT_LOCKED, "CKR_MUTEX_NOT_LOCKED", "mutex not locked"},
    {CKR_FIPS_SELF_TEST_FAILED, "CKR_FIPS_SELF_TEST_FAILED", "FIPS self test failed"},
    {CKR_LIBRARY_LOAD_FAILED, "CKR_LIBRARY_LOAD_FAILED", "library load failed"},
    {CKR_PIN_TOO_WEAK, "CKR_PIN_TOO_WEAK", "PIN too weak"},
    {CKR_PUBLIC_KEY_INVALID, "CKR_PUBLIC_KEY_INVALID", "public key invalid"},
    {CKR_FUNCTION_REJECTED, "CKR_FUNCTION_REJECTED", "rejected by the token"},
};

const CkrEntry *find_entry(CK_RV rv)
{
    for (const auto &entry : ckr_table) {
        if (entry.rv == rv) {
            return &entry;
        }
    }
    return nullptr;
}

std::string hex_code(CK_RV rv)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "0x%lx", static_cast<unsigned long>(rv));
    return buffer;
}

} // namespace

std::string ckr_name(CK_RV rv)
{
    if (const auto *entry = find_entry(rv)) {
        return entry->name;
    }
    if ((rv & CKR_VENDOR_DEFINED) != 0) {
        return "CKR_VENDOR_DEFINED(" + hex_code(rv) + ")";
    }
    return "CKR_" + hex_code(rv);
}

std::string ckr_text(CK_RV rv)
{
    if (const auto *entry = find_entry(rv)) {
        return std::string(entry->name) + ": " + entry->meaning;
    }
    if ((rv & CKR_VENDOR_DEFINED) != 0) {
        return ckr_name(rv) + ": vendor-specific error";
    }
    return ckr_name(rv) + ": unknown error";
}

} // namespace ostree_ima::pkcs11
