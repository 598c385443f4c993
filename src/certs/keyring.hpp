// Keyring: the certificates `verify` checks signatures against, looked up by
// IMA key id as the kernel looks them up in its .ima keyring.
#pragma once

#include "ostree-ima/certificate.hpp"

#include <string>
#include <vector>

namespace ostree_ima {

class Keyring {
  public:
    // Each path is a certificate (PEM or DER) or a directory of them (its
    // regular, non-hidden files, as a keyring loader would take them).
    // Throws Error naming the first file that is not a certificate.
    // `loaded` (certificates read elsewhere, e.g. from a token) join them.
    static Keyring load(const std::vector<std::string> &paths,
                        const std::vector<Certificate> &loaded = {});

    // Every certificate with this key id (more than one only when two
    // certificates share an id).
    [[nodiscard]] std::vector<const Certificate *> find(const KeyId &id) const;
    [[nodiscard]] const std::vector<Certificate> &certificates() const { return certs_; }

  private:
    void add(Certificate cert);
    std::vector<Certificate> certs_;
    std::vector<KeyId> ids_; // ids_[i] is certs_[i]'s key id
};

} // namespace ostree_ima
