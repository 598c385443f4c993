#include "ostree-ima/key_id_choice.hpp"

#include "ostree-ima/certificate_source.hpp"
#include "ostree-ima/error.hpp"

namespace ostree_ima {

KeyIdChoice choose_key_id(const std::optional<std::string> &keyid_hex,
                          const std::optional<std::string> &cert_path, const KeyBackend &backend,
                          const std::string &pin_file)
{
    KeyIdChoice choice;
    if (cert_path) {
        Certificate cert = load_certificate(*cert_path, pin_file);
        if (!same_public_key(cert.public_key(), backend.public_key()))
            throw Error("certificate " + cert.origin() + " does not match " +
                        backend.description() + ": give the certificate of this key");
        choice.id = cert.ima_key_id();
        choice.source = "certificate " + cert.origin();
        if (!cert.subject_key_identifier())
            choice.note = "certificate " + cert.origin() +
                          " has no subjectKeyIdentifier; key id derived from its public key";
        choice.certificate.emplace(std::move(cert));
    } else if (auto der = backend.certificate_der(); !der.empty()) {
        Certificate cert = Certificate::from_bytes(der, "on " + backend.description());
        if (same_public_key(cert.public_key(), backend.public_key())) {
            choice.id = cert.ima_key_id();
            choice.source = "token certificate (" + cert.subject() + ")";
            choice.certificate.emplace(std::move(cert));
        }
    }
    if (choice.source.empty()) {
        choice.id = key_id_from_public_key(backend.public_key());
        choice.source = "public key";
        choice.note = "no certificate given: key id " + key_id_hex(choice.id) +
                      " derived from the public key as evmctl does; the kernel matches the "
                      "certificate's subjectKeyIdentifier, so pass --cert if they differ";
    }
    if (keyid_hex) {
        choice.id = parse_key_id(*keyid_hex);
        choice.source = "--keyid";
        choice.note.clear();
    }
    return choice;
}

} // namespace ostree_ima
