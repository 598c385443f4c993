// KeyBackend: the seam between the commit signer and whatever holds the key.
//
// The commit walker and the object writer only ever hand a file digest to a
// KeyBackend and get signature bytes back; they never know whether the key is
// a file, a PKCS#11 token, a TPM or an OpenSSL provider/engine key.
#pragma once

#include "ostree-ima/export.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/openssl_ptr.hpp"

#include <cstdint>
#include <memory>
#include <openssl/evp.h>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

class OSTREE_IMA_EXPORT KeyBackend {
  public:
    virtual ~KeyBackend() = default;
    KeyBackend() = default;
    KeyBackend(const KeyBackend &) = delete;
    KeyBackend &operator=(const KeyBackend &) = delete;

    // The public half of the signing key: used for the key id, to check a
    // --cert against the key, and to self-check signatures.
    [[nodiscard]] virtual const EVP_PKEY *public_key() const = 0;

    // Human description for messages: "key file /path", "pkcs11:token=...".
    // Never contains a PIN.
    [[nodiscard]] virtual std::string description() const = 0;

    // A certificate that the key source itself provides (for example the
    // certificate object on a PKCS#11 token with the key's CKA_ID), as DER;
    // empty when there is none.
    [[nodiscard]] virtual std::vector<std::uint8_t> certificate_der() const { return {}; }

    // How many sign() calls may usefully run at once (sessions, cores).
    [[nodiscard]] virtual unsigned max_parallel() const = 0;

    // Signs a file digest computed with `algo`, in the form an IMA v2
    // signature carries: RSA PKCS#1 v1.5 over the DigestInfo; EC a DER
    // ECDSA-Sig-Value. Thread-safe: called from several worker threads.
    // Throws Error with a message naming the key on failure.
    [[nodiscard]] virtual std::vector<std::uint8_t> sign(const HashAlgo &algo,
                                                         std::span<const std::uint8_t> digest) = 0;
};

} // namespace ostree_ima
