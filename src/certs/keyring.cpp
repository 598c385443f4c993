#include "certs/keyring.hpp"

#include "ostree-ima/error.hpp"

#include <algorithm>
#include <filesystem>

namespace ostree_ima {

namespace {
std::vector<std::string> certificate_files(const std::string &path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(path, ec))
        return {path};
    std::vector<std::string> files;
    for (const auto &entry : fs::directory_iterator(path, ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.empty() && name[0] != '.' && entry.is_regular_file(ec))
            files.push_back(entry.path().string());
    }
    if (ec)
        throw Error("cannot list certificate directory " + path + ": " + ec.message());
    if (files.empty())
        throw Error("certificate directory " + path + " holds no files; check --cert");
    std::sort(files.begin(), files.end());
    return files;
}
} // namespace

Keyring Keyring::load(const std::vector<std::string> &paths, const std::vector<Certificate> &loaded)
{
    Keyring ring;
    for (const auto &path : paths)
        for (const auto &file : certificate_files(path))
            ring.add(Certificate::load(file));
    for (const auto &cert : loaded) // a Certificate owns its X509: copy by its bytes
        ring.add(Certificate::from_bytes(cert.der(), cert.origin()));
    return ring;
}

void Keyring::add(Certificate cert)
{
    // Decodes the key now: a clear error for an unreadable one, and worker
    // threads later only read it.
    (void)cert.public_key();
    ids_.push_back(cert.ima_key_id());
    certs_.push_back(std::move(cert));
}

std::vector<const Certificate *> Keyring::find(const KeyId &id) const
{
    std::vector<const Certificate *> out;
    for (std::size_t i = 0; i < certs_.size(); ++i)
        if (ids_[i] == id)
            out.push_back(&certs_[i]);
    return out;
}

} // namespace ostree_ima
