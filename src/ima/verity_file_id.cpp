#include "ima/verity_file_id.hpp"

#include "ima/file_digest.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/ima_verity_xattr.hpp"

#include <algorithm>
#include <string>

namespace ostree_ima {

std::vector<std::uint8_t> verity_file_id(const HashAlgo &algo,
                                         std::span<const std::uint8_t> verity_digest)
{
    if (verity_digest.size() != algo.digest_size)
        throw Error("fs-verity digest of " + std::to_string(verity_digest.size()) +
                    " bytes does not match " + std::string(algo.name));
    // Sized first: GCC 12 misreads an insert after a 2-byte init list as an
    // out-of-bounds copy (-Warray-bounds at -O2).
    std::vector<std::uint8_t> id(2 + verity_digest.size());
    id[0] = kImaVerityDigsig;
    id[1] = algo.kernel_id;
    std::copy(verity_digest.begin(), verity_digest.end(), id.begin() + 2);
    return id;
}

bool is_verity_file_id(std::span<const std::uint8_t> content)
{
    if (content.size() < 2 || content[0] != kImaVerityDigsig)
        return false;
    const HashAlgo *algo = hash_algo_by_kernel_id(content[1]);
    return algo != nullptr && content.size() == 2 + algo->digest_size;
}

std::vector<std::uint8_t> verity_file_id_digest(const HashAlgo &algo,
                                                std::span<const std::uint8_t> verity_digest)
{
    FileDigest hash(algo);
    hash.update(verity_file_id(algo, verity_digest));
    return hash.finish();
}

} // namespace ostree_ima
