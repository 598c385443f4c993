// KeyAlgorithm: everything the tool knows about one key algorithm an IMA
// signature can be made with (RSA, EC), in one object per algorithm, one file
// each (rsa_algorithm.cpp, ec_algorithm.cpp). Callers look the algorithm up
// once (by the public key, or by a token's CKK_ key type) and then ask it,
// instead of branching on the algorithm themselves.
//
// The PKCS#11 numbers (key type, mechanism, attribute types) are plain
// CK_ULONG values here, so that this header needs no Cryptoki header; only
// pkcs11/ makes Cryptoki calls with them.
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "util/openssl_ptr.hpp"

#include <cstdint>
#include <openssl/evp.h>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

using Pkcs11Number = unsigned long; // CK_ULONG: CK_KEY_TYPE, CK_MECHANISM_TYPE, ...

// How a key is shown in listings: its size and, for EC, its curve.
struct KeySize {
    int bits = 0;
    std::string curve; // "P-256" (the NIST name where there is one); empty for RSA
};

class KeyAlgorithm {
  public:
    virtual ~KeyAlgorithm() = default;
    KeyAlgorithm() = default;
    KeyAlgorithm(const KeyAlgorithm &) = delete;
    KeyAlgorithm &operator=(const KeyAlgorithm &) = delete;

    // "RSA", "EC": in messages and listings.
    [[nodiscard]] virtual std::string_view name() const = 0;
    // True when `key` is a key of this algorithm.
    [[nodiscard]] virtual bool holds(const EVP_PKEY *key) const = 0;

    // The shape check: throws Error (naming `what`) unless the kernel can
    // verify signatures of this key (its size, its curve); returns the
    // shape, "RSA-2048", "EC P-256".
    virtual std::string check_shape(const EVP_PKEY *key, const std::string &what) const = 0;
    [[nodiscard]] virtual KeySize size(const EVP_PKEY *key) const = 0;
    // What the kernel needs to verify such signatures, beyond IMA itself;
    // empty when nothing.
    [[nodiscard]] virtual std::string_view kernel_requirement() const = 0;

    // Sets up a sign or verify context for the form an IMA v2 signature
    // carries (RSA: PKCS#1 v1.5 padding; EC: nothing to set, a DER
    // ECDSA-Sig-Value is OpenSSL's own form); false when the context refuses.
    // `padding_name` is what it selects, for the message. Signing and
    // verifying themselves are the same calls for every algorithm
    // (keys/evp_key_backend.cpp, ima/signature_check.cpp).
    virtual bool select_padding(EVP_PKEY_CTX *ctx) const = 0;
    [[nodiscard]] virtual std::string_view padding_name() const = 0;

    // Whether a signature gives back the digest it signs (RSA: yes; EC: no,
    // the file must be hashed), and a context set up to recover `algo`
    // digests signed by `key` (null when the algorithm cannot, or OpenSSL
    // refuses). DigestRecovery (digest_recovery.hpp) uses it.
    [[nodiscard]] virtual bool recovers_digest() const = 0;
    [[nodiscard]] virtual EvpPkeyCtxPtr prepare_recovery(const EVP_PKEY *key,
                                                         const HashAlgo &algo) const = 0;

    // PKCS#11: the key type (CKK_), the signing mechanism (CKM_), the
    // attributes a token object's public key is read from and how it is
    // built from their values (nullptr when they do not make a key), and the
    // attribute giving the key's size when the public key is not readable.
    [[nodiscard]] virtual Pkcs11Number pkcs11_key_type() const = 0;
    [[nodiscard]] virtual Pkcs11Number pkcs11_mechanism() const = 0;
    [[nodiscard]] virtual std::vector<Pkcs11Number> pkcs11_public_key_attributes() const = 0;
    [[nodiscard]] virtual EvpPkeyPtr
    public_key_from_attributes(std::span<const std::vector<std::uint8_t>> values) const = 0;
    [[nodiscard]] virtual std::optional<Pkcs11Number> pkcs11_size_attribute() const = 0;

    // What the mechanism is given for a file digest (RSA: the DigestInfo,
    // since CKM_RSA_PKCS only pads; EC: the digest, cut to the order size),
    // how large a buffer its signature needs, and how the mechanism's output
    // becomes what the backend returns (RSA: PKCS#1 v1.5 of the modulus
    // size; EC: a DER ECDSA-Sig-Value from r || s). `context` names the key
    // in messages.
    virtual std::vector<std::uint8_t> token_input(const EVP_PKEY *public_key, const HashAlgo &algo,
                                                  std::span<const std::uint8_t> digest) const = 0;
    [[nodiscard]] virtual std::size_t token_signature_size(const EVP_PKEY *public_key) const = 0;
    virtual std::vector<std::uint8_t> from_token_signature(const EVP_PKEY *public_key,
                                                           std::vector<std::uint8_t> signature,
                                                           const std::string &context) const = 0;
};

// The entries, one file each.
const KeyAlgorithm &rsa_key_algorithm();
const KeyAlgorithm &ec_key_algorithm();

// Every algorithm, in the order of the registry (key_algorithm.cpp).
std::span<const KeyAlgorithm *const> key_algorithms();

// The algorithm of `key`, or of a token's CKK_ key type; nullptr when the
// tool has none for it.
const KeyAlgorithm *find_key_algorithm(const EVP_PKEY *key);
const KeyAlgorithm *find_key_algorithm(Pkcs11Number pkcs11_key_type);

// The algorithm of `key`, its shape checked against what the kernel can
// verify (RSA 2048..4096, EC P-256/P-384). Throws Error naming `what`
// otherwise.
const KeyAlgorithm &check_key_shape(const EVP_PKEY *key, const std::string &what);

} // namespace ostree_ima
