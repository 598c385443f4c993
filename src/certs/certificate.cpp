#include "ostree-ima/certificate.hpp"

#include "ostree-ima/error.hpp"
#include "util/input_file.hpp"
#include "util/openssl_ptr.hpp"

#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

namespace ostree_ima {

Certificate Certificate::from_bytes(std::span<const std::uint8_t> data, const std::string &origin)
{
    if (data.size() > static_cast<std::size_t>(INT32_MAX))
        throw Error("certificate " + origin + " is too large");
    const auto len = static_cast<int>(data.size());
    // DER first: it cannot be mistaken for PEM text.
    const unsigned char *p = data.data();
    X509Ptr cert(d2i_X509(nullptr, &p, len));
    if (!cert || p != data.data() + data.size()) {
        cert.reset();
        BioPtr bio(BIO_new_mem_buf(data.data(), len));
        if (bio)
            cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    }
    (void)openssl_error_text();
    if (!cert)
        throw Error("certificate " + origin +
                    " is not an X.509 certificate in PEM or DER form; check --cert");
    return Certificate(std::move(cert), origin);
}

Certificate Certificate::load(const std::string &path)
{
    // A certificate chain in PEM is a few kB; this leaves room for bundles.
    constexpr std::size_t kMaxCertificateFile = 1024 * 1024;
    const std::string data = read_input_file(path, kMaxCertificateFile, {"certificate", "--cert"});
    return from_bytes({reinterpret_cast<const std::uint8_t *>(data.data()), data.size()}, path);
}

std::string Certificate::subject() const
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert_.get()), 0, XN_FLAG_ONELINE);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::vector<std::uint8_t> Certificate::der() const
{
    const int len = i2d_X509(cert_.get(), nullptr);
    if (len <= 0)
        throw Error("cannot encode certificate " + origin_);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(len));
    unsigned char *p = out.data();
    i2d_X509(cert_.get(), &p);
    return out;
}

std::string Certificate::pem() const
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1)
        throw Error("cannot encode certificate " + origin_ + " as PEM: " + openssl_error_text());
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::optional<std::vector<std::uint8_t>> Certificate::subject_key_identifier() const
{
    const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(cert_.get());
    (void)openssl_error_text();
    if (skid == nullptr)
        return std::nullopt;
    const unsigned char *d = ASN1_STRING_get0_data(skid);
    return std::vector<std::uint8_t>(d, d + ASN1_STRING_length(skid));
}

KeyId Certificate::ima_key_id() const
{
    if (auto skid = subject_key_identifier(); skid && skid->size() >= 4) {
        KeyId id{};
        std::copy(skid->end() - 4, skid->end(), id.begin());
        return id;
    }
    return key_id_from_public_key(public_key());
}

const EVP_PKEY *Certificate::public_key() const
{
    const EVP_PKEY *key = X509_get0_pubkey(cert_.get());
    if (key == nullptr)
        throw Error("certificate " + origin_ + " has a public key OpenSSL cannot read");
    return key;
}

KeyId key_id_from_public_key(const EVP_PKEY *key)
{
    // Same as evmctl's calc_keyid_v2(): SHA-1 of the subjectPublicKey bits.
    X509_PUBKEY *pub = nullptr;
    if (X509_PUBKEY_set(&pub, const_cast<EVP_PKEY *>(key)) != 1)
        throw Error("cannot encode public key: " + openssl_error_text());
    const X509PubkeyPtr guard(pub);
    const unsigned char *bits = nullptr;
    int len = 0;
    if (X509_PUBKEY_get0_param(nullptr, &bits, &len, nullptr, pub) != 1)
        throw Error("cannot read public key bits: " + openssl_error_text());
    unsigned char sha1[SHA_DIGEST_LENGTH];
    SHA1(bits, static_cast<std::size_t>(len), sha1);
    KeyId id{};
    std::copy(sha1 + SHA_DIGEST_LENGTH - 4, sha1 + SHA_DIGEST_LENGTH, id.begin());
    return id;
}

bool same_public_key(const EVP_PKEY *a, const EVP_PKEY *b)
{
    const bool same = EVP_PKEY_eq(a, b) == 1;
    (void)openssl_error_text();
    return same;
}

} // namespace ostree_ima
