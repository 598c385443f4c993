// Certificate::from_bytes on any bytes (DER or PEM): throws Error or gives a
// certificate whose subject, key id and DER can be read, and whose DER
// parses again to the same certificate.
#include "fuzz_check.hpp"
#include "ostree-ima/certificate.hpp"
#include "ostree-ima/error.hpp"

#include <cstddef>
#include <cstdint>
#include <openssl/err.h>
#include <optional>
#include <span>

using namespace ostree_ima;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    std::optional<Certificate> cert;
    try {
        cert.emplace(Certificate::from_bytes(std::span(data, size), "fuzz input"));
    } catch (const Error &) {
        ERR_clear_error();
        return 0;
    }
    const std::string subject = cert->subject();
    (void)cert->subject_key_identifier();
    std::optional<KeyId> key_id;
    try {
        key_id = cert->ima_key_id();
    } catch (const Error &) {
        // A public key OpenSSL cannot use: the message names the certificate.
    }

    const std::vector<std::uint8_t> der = cert->der();
    const Certificate again = Certificate::from_bytes(der, "re-encoded");
    FUZZ_CHECK(again.der() == der);
    FUZZ_CHECK(again.subject() == subject);
    if (key_id) {
        FUZZ_CHECK(again.ima_key_id() == *key_id);
    }
    ERR_clear_error();
    return 0;
}
