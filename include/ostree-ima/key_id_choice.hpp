// choose_key_id: which 4-byte key id the signatures carry, and why.
#pragma once

#include "ostree-ima/certificate.hpp"
#include "ostree-ima/export.hpp"
#include "ostree-ima/key_backend.hpp"

#include <optional>
#include <string>

namespace ostree_ima {

struct KeyIdChoice {
    KeyId id{};
    std::string source; // "--keyid", "certificate /c.pem", "token certificate", "public key"
    std::optional<Certificate> certificate; // the certificate used, if any
    // A note for stderr, e.g. that the id was derived from the public key.
    std::string note;
};

// Order: --keyid; --cert, a file or a token's certificate URI
// (load_certificate, with `pin_file` for a token that hides it; it must
// hold the backend's public key, else Error);
// the certificate the backend provides (token object with the key's CKA_ID);
// else the public key, with a note.
OSTREE_IMA_EXPORT KeyIdChoice choose_key_id(const std::optional<std::string> &keyid_hex,
                                            const std::optional<std::string> &cert_path,
                                            const KeyBackend &backend,
                                            const std::string &pin_file = {});

} // namespace ostree_ima
