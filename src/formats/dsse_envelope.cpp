#include "formats/dsse_envelope.hpp"

#include "formats/python_json.hpp"
#include "ima/file_digest.hpp"
#include "ima/signature_check.hpp"
#include "ostree-ima/error.hpp"
#include "util/text_encoding.hpp"

#include <openssl/pem.h>

namespace ostree_ima {

namespace {
const HashAlgo &sha256()
{
    return hash_algo_by_name("sha256");
}

std::vector<std::uint8_t> sha256_of(std::string_view bytes)
{
    FileDigest digest(sha256());
    digest.update(std::span(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size()));
    return digest.finish();
}
} // namespace

std::string dsse_pae(std::string_view payload_type, std::string_view payload)
{
    std::string out = "DSSEv1 " + std::to_string(payload_type.size()) + " ";
    out += payload_type;
    out += " " + std::to_string(payload.size()) + " ";
    out += payload;
    return out;
}

std::string dsse_x509_keyid(const Certificate &cert)
{
    const std::string pem = cert.pem();
    return to_base64(std::span(reinterpret_cast<const std::uint8_t *>(pem.data()), pem.size()));
}

std::string dsse_ecdsa_keyid(const EVP_PKEY *public_key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), public_key) != 1)
        throw Error("cannot encode the signing key's public key as PEM: " + openssl_error_text());
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return to_hex(sha256_of(std::string_view(data, static_cast<std::size_t>(len))));
}

void check_dsse_key(const KeyBackend &key)
{
    if (EVP_PKEY_is_a(key.public_key(), "EC") != 1)
        throw UsageError("--sign-key " + key.description() +
                         " is not an EC key: Keylime verifies a signed runtime policy with "
                         "ECDSA only (keylime/dsse/ecdsa.py); use an EC key (P-256 or P-384)");
}

std::string dsse_sign(std::string_view payload_type, const std::string &payload, KeyBackend &key,
                      const std::string &keyid)
{
    check_dsse_key(key);
    const std::vector<std::uint8_t> digest = sha256_of(dsse_pae(payload_type, payload));
    // KeyBackend signs a digest; for an EC key that is the DER ECDSA-Sig-Value
    // that cryptography's verify(sig, message, ECDSA(SHA256())) checks.
    const std::vector<std::uint8_t> signature = key.sign(sha256(), digest);
    if (!verify_digest_signature(key.public_key(), sha256(), digest, signature))
        throw Error(key.description() + " made a signature of the policy that does not verify "
                                        "with its own public key; nothing was written");
    nlohmann::ordered_json sig;
    sig["keyid"] = keyid;
    sig["sig"] = to_base64(signature);
    nlohmann::ordered_json envelope;
    envelope["payload"] = to_base64(
        std::span(reinterpret_cast<const std::uint8_t *>(payload.data()), payload.size()));
    envelope["payloadType"] = payload_type;
    envelope["signatures"] = nlohmann::ordered_json::array({sig});
    return python_json_dumps(envelope);
}

} // namespace ostree_ima
