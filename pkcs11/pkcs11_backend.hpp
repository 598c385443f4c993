// Pkcs11Backend: signs with a private key on a PKCS#11 token, named by an
// RFC 7512 "pkcs11:" URI.
//
// Design: p11-kit parses and matches the URI and loads the modules; we call
// the Cryptoki functions directly, with our own RAII sessions and session
// pool. We do not use libp11 (Debian 12 ships 0.4.12) for pkcs11: keys
// because its session pool waits forever when C_OpenSession fails with
// anything but CKR_SESSION_COUNT (a removed token hangs the signer), is
// capped at 16 sessions, does not re-validate pooled sessions, and its
// pin-source reader keeps the file's trailing newline (a wrong PIN).
//
// Other choices:
// - One login per token, on a dedicated session kept open while the backend
//   lives; pooled sessions never log out (login state is per application
//   and token). A wrong PIN is never retried; a token on its final PIN try
//   is refused before trying.
// - CKA_ALWAYS_AUTHENTICATE keys are supported: the PIN, verified by the
//   normal login, is kept (wiped on destruction) for the context-specific
//   login after each C_SignInit. With a PIN pad they are refused.
// - A session the token dropped (CKR_SESSION_HANDLE_INVALID/CLOSED) is
//   retried once with a newly opened session; nothing else is retried.
// - SoftHSM2 is never finalized (C_Finalize can crash under OpenSSL 3).
#pragma once

#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/key_options.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

class Pkcs11Backend final : public KeyBackend {
  public:
    // options.key is the pkcs11: URI; options.pin_file and options.jobs are
    // used. Throws Error with a message naming the key; a malformed URI is
    // an Error too (exit 1), like a key file that cannot be read.
    explicit Pkcs11Backend(const KeyOptions &options);
    ~Pkcs11Backend() override;

    [[nodiscard]] const EVP_PKEY *public_key() const override;
    // "<key URI> (token 'label', module /path)"; never a PIN.
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] std::vector<std::uint8_t> certificate_der() const override;
    [[nodiscard]] unsigned max_parallel() const override;
    [[nodiscard]] std::vector<std::uint8_t> sign(const HashAlgo &algo,
                                                 std::span<const std::uint8_t> digest) override;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

std::unique_ptr<KeyBackend> open_pkcs11_backend(const KeyOptions &options);

} // namespace ostree_ima
