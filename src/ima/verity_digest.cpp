#include "ima/verity_digest.hpp"

#include "ostree-ima/error.hpp"

#include <algorithm>
#include <openssl/evp.h>

namespace ostree_ima {

namespace {
constexpr std::size_t kHashesPerBlock = kVerityBlockSize / 32;

// struct fsverity_descriptor (linux/fsverity.h): what the digest covers.
constexpr std::size_t kDescriptorSize = 256;
constexpr std::uint8_t kDescriptorVersion = 1;
constexpr std::uint8_t kHashAlgSha256 = 1;  // FS_VERITY_HASH_ALG_SHA256
constexpr std::uint8_t kLogBlockSize = 12;  // 4096
constexpr std::size_t kDataSizeOffset = 8;  // __le64 data_size
constexpr std::size_t kRootHashOffset = 16; // __u8 root_hash[64]

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> data)
{
    std::array<std::uint8_t, 32> hash{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), hash.data(), &size, EVP_sha256(), nullptr) != 1 ||
        size != hash.size())
        throw Error("cannot compute the fs-verity digest: SHA-256 failed");
    return hash;
}
} // namespace

void VerityDigest::update(std::span<const std::uint8_t> data)
{
    size_ += data.size();
    while (!data.empty()) {
        if (block_.empty() && data.size() >= kVerityBlockSize) {
            add_hash(0, sha256(data.first(kVerityBlockSize))); // no copy for whole blocks
            data = data.subspan(kVerityBlockSize);
            continue;
        }
        const std::size_t n = std::min<std::size_t>(data.size(), kVerityBlockSize - block_.size());
        block_.insert(block_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        data = data.subspan(n);
        if (block_.size() == kVerityBlockSize) {
            add_hash(0, sha256(block_));
            block_.clear();
        }
    }
}

void VerityDigest::add_hash(std::size_t level, const Hash &hash)
{
    if (levels_.size() <= level)
        levels_.resize(level + 1);
    std::vector<std::uint8_t> &pending = levels_[level];
    pending.insert(pending.end(), hash.begin(), hash.end());
    if (pending.size() == kVerityBlockSize) {
        const Hash above = sha256(pending);
        pending.clear();
        add_hash(level + 1, above);
    }
}

std::vector<std::uint8_t> VerityDigest::finish()
{
    Hash root{}; // an empty file has an all-zero root hash
    if (size_ > 0) {
        if (!block_.empty()) {
            block_.resize(kVerityBlockSize, 0); // the last block, zero-padded
            add_hash(0, sha256(block_));
        }
        // The tree has a level of hash blocks above the data for as long as
        // the level below has more than one block.
        std::size_t tree_levels = 0;
        for (std::uint64_t blocks = (size_ + kVerityBlockSize - 1) / kVerityBlockSize; blocks > 1;
             blocks = (blocks + kHashesPerBlock - 1) / kHashesPerBlock)
            ++tree_levels;
        // Partial hash blocks, zero-padded, hashed upwards; a level already
        // sent up whole is empty. What is left above the top is the root.
        for (std::size_t level = 0; level < tree_levels; ++level) {
            std::vector<std::uint8_t> &pending = levels_.at(level);
            if (pending.empty())
                continue;
            pending.resize(kVerityBlockSize, 0);
            const Hash above = sha256(pending);
            pending.clear();
            add_hash(level + 1, above);
        }
        const std::vector<std::uint8_t> &top = levels_.at(tree_levels);
        if (top.size() != root.size())
            throw Error("cannot compute the fs-verity digest: the Merkle tree did not close");
        std::copy(top.begin(), top.end(), root.begin());
    }

    std::array<std::uint8_t, kDescriptorSize> descriptor{};
    descriptor[0] = kDescriptorVersion;
    descriptor[1] = kHashAlgSha256;
    descriptor[2] = kLogBlockSize;
    for (std::size_t i = 0; i < 8; ++i) // little endian
        descriptor[kDataSizeOffset + i] = static_cast<std::uint8_t>(size_ >> (8 * i));
    std::copy(root.begin(), root.end(), descriptor.begin() + kRootHashOffset);

    block_.clear();
    levels_.clear();
    size_ = 0;
    const Hash digest = sha256(descriptor);
    return {digest.begin(), digest.end()};
}

} // namespace ostree_ima
