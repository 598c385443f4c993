#include "ima/verity_file_id.hpp"

#include "ima/file_digest.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/ima_verity_xattr.hpp"

#include <string>

namespace ostree_ima {

std::vector<std::uint8_t> verity_file_id(const HashAlgo &algo,
                                         std::span<const std::uint8_t> verity_digest)
{
    if (verity_digest.size() != algo.digest_size)
        throw Error("fs-verity digest of " + std::to_string(verity_digest.size()) +
                    " bytes does not match " + std::string(algo.name));
    std::vector<std::uint8_t> id{kImaVerityDigsig, algo.kernel_id};
    id.insert(id.end(), verity_digest.begin(), verity_digest.end());
    return id;
}

std::vector<std::uint8_t> verity_file_id_digest(const HashAlgo &algo,
                                                std::span<const std::uint8_t> verity_digest)
{
    FileDigest hash(algo);
    hash.update(verity_file_id(algo, verity_digest));
    return hash.finish();
}

} // namespace ostree_ima
