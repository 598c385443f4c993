#include "ima/signed_digest.hpp"

#include "ima/verity_file_id.hpp"
#include "ostree-ima/error.hpp"

#include <string>

namespace ostree_ima {

const HashAlgo &verity_hash_algo()
{
    return hash_algo_by_name("sha256");
}

SignedDigest::SignedDigest(SignatureFormat format, const HashAlgo &algo) : algo_(algo)
{
    if (format == SignatureFormat::Digest) {
        file_.emplace(algo);
        return;
    }
    if (&algo != &verity_hash_algo())
        throw UsageError("fs-verity signatures use sha256 (the fs-verity digest's algorithm), "
                         "not " +
                         std::string(algo.name) + ": drop --hash or give --hash sha256");
    verity_.emplace();
}

void SignedDigest::update(std::span<const std::uint8_t> data)
{
    if (file_)
        file_->update(data);
    else
        verity_->update(data);
}

std::vector<std::uint8_t> SignedDigest::finish()
{
    if (file_)
        return file_->finish();
    return verity_file_id_digest(algo_, verity_->finish());
}

} // namespace ostree_ima
