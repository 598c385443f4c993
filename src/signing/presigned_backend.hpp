// PresignedBackend: a KeyBackend whose "signing" hands out the signatures the
// signing room made (a SignatureFile), so that `apply` is `sign` with them.
#pragma once

#include "ostree-ima/certificate.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/signature_file.hpp"

#include <string>
#include <unordered_map>

namespace ostree_ima {

class PresignedBackend final : public KeyBackend {
  public:
    // `file` and `cert` must outlive the backend.
    PresignedBackend(const SignatureFile &file, const Certificate &cert, std::string origin);

    [[nodiscard]] const EVP_PKEY *public_key() const override { return cert_.public_key(); }
    [[nodiscard]] std::string description() const override { return "signatures file " + origin_; }
    [[nodiscard]] std::vector<std::uint8_t> certificate_der() const override { return cert_.der(); }
    // Lookups only: nothing to wait for, no extra worker needed.
    [[nodiscard]] unsigned max_parallel() const override { return 1; }
    // The file's signature for this digest; Error when it has none.
    [[nodiscard]] std::vector<std::uint8_t> sign(const HashAlgo &algo,
                                                 std::span<const std::uint8_t> digest) override;

  private:
    const SignatureFile &file_;
    const Certificate &cert_;
    std::string origin_;
    std::unordered_map<std::string, const DigestSignature *> by_digest_; // hex digest
};

} // namespace ostree_ima
