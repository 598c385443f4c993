// Certificate: the signer's X.509 certificate, from a PEM or DER file or bytes.
#pragma once

#include "ostree-ima/export.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/openssl_ptr.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

class OSTREE_IMA_EXPORT Certificate {
  public:
    // Reads PEM or DER; throws Error naming the path when it is neither.
    static Certificate load(const std::string &path);
    // Parses DER (or PEM) bytes; `origin` names them in errors.
    static Certificate from_bytes(std::span<const std::uint8_t> data, const std::string &origin);

    [[nodiscard]] const std::string &origin() const { return origin_; }
    [[nodiscard]] std::string subject() const;
    [[nodiscard]] std::vector<std::uint8_t> der() const;
    // "-----BEGIN CERTIFICATE-----" text, as `openssl x509 -outform PEM` writes.
    [[nodiscard]] std::string pem() const;
    // The subjectKeyIdentifier, when the certificate has one.
    [[nodiscard]] std::optional<std::vector<std::uint8_t>> subject_key_identifier() const;
    // The IMA key id the kernel will match: last 4 bytes of the SKID, else
    // (no SKID) derived from the public key as evmctl does.
    [[nodiscard]] KeyId ima_key_id() const;
    [[nodiscard]] const EVP_PKEY *public_key() const;

  private:
    Certificate(X509Ptr cert, std::string origin)
        : cert_(std::move(cert)), origin_(std::move(origin))
    {
    }
    X509Ptr cert_;
    std::string origin_;
};

// evmctl's key id: SHA-1 over the subjectPublicKey bit string, last 4 bytes.
OSTREE_IMA_EXPORT KeyId key_id_from_public_key(const EVP_PKEY *key);

// Whether two keys have the same public half.
OSTREE_IMA_EXPORT bool same_public_key(const EVP_PKEY *a, const EVP_PKEY *b);

} // namespace ostree_ima
