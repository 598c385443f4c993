#include "signing/presigned_backend.hpp"

#include "ostree-ima/error.hpp"
#include "util/text_encoding.hpp"

namespace ostree_ima {

PresignedBackend::PresignedBackend(const SignatureFile &file, const Certificate &cert,
                                   std::string origin)
    : file_(file), cert_(cert), origin_(std::move(origin))
{
    for (const auto &s : file_.signatures)
        by_digest_.emplace(to_hex(s.digest), &s);
}

std::vector<std::uint8_t> PresignedBackend::sign(const HashAlgo &algo,
                                                 std::span<const std::uint8_t> digest)
{
    if (algo.kernel_id != file_.manifest.algo->kernel_id)
        throw Error(origin_ + " holds " + std::string(file_.manifest.algo->name) +
                    " signatures, not " + std::string(algo.name));
    const auto it = by_digest_.find(to_hex(digest));
    if (it == by_digest_.end())
        throw Error(origin_ + " has no signature for digest " + to_hex(digest) +
                    "; run 'ostree-ima digests' and 'sign-digests' again");
    return it->second->signature;
}

} // namespace ostree_ima
