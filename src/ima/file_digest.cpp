#include "ima/file_digest.hpp"

#include "ostree-ima/error.hpp"

#include <string>

namespace ostree_ima {

FileDigest::FileDigest(const HashAlgo &algo)
    : md_(EVP_get_digestbyname(std::string(algo.openssl_name).c_str())), ctx_(EVP_MD_CTX_new())
{
    if (md_ == nullptr || !ctx_)
        throw Error("hash " + std::string(algo.name) + " is not available in this OpenSSL");
    reset();
}

void FileDigest::reset()
{
    if (EVP_DigestInit_ex(ctx_.get(), md_, nullptr) != 1)
        throw Error("cannot start digest: " + openssl_error_text());
}

void FileDigest::update(std::span<const std::uint8_t> data)
{
    if (!data.empty() && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1)
        throw Error("digest failed: " + openssl_error_text());
}

std::vector<std::uint8_t> FileDigest::finish()
{
    std::vector<std::uint8_t> out(static_cast<std::size_t>(EVP_MD_get_size(md_)));
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1)
        throw Error("digest failed: " + openssl_error_text());
    out.resize(len);
    reset();
    return out;
}

} // namespace ostree_ima
