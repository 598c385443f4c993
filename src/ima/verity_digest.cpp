#include "ima/verity_digest.hpp"

#include "ostree-ima/error.hpp"

#include <cstdlib>
#include <cstring>
#include <libfsverity.h>
#include <memory>
#include <string>

namespace ostree_ima {

namespace {
struct ContentReader {
    std::span<const std::uint8_t> rest;
};

int read_content(void *context, void *buf, std::size_t count)
{
    auto *reader = static_cast<ContentReader *>(context);
    if (count > reader->rest.size())
        return -EIO;
    std::memcpy(buf, reader->rest.data(), count);
    reader->rest = reader->rest.subspan(count);
    return 0;
}

struct FreeDigest {
    void operator()(libfsverity_digest *d) const { std::free(d); }
};
} // namespace

void VerityDigest::update(std::span<const std::uint8_t> data)
{
    content_.insert(content_.end(), data.begin(), data.end());
}

std::vector<std::uint8_t> VerityDigest::finish()
{
    libfsverity_merkle_tree_params params{};
    params.version = 1;
    params.hash_algorithm = FS_VERITY_HASH_ALG_SHA256;
    params.file_size = content_.size();
    params.block_size = kVerityBlockSize;
    ContentReader reader{content_};
    libfsverity_digest *raw = nullptr;
    const int rc = libfsverity_compute_digest(&reader, read_content, &params, &raw);
    const std::unique_ptr<libfsverity_digest, FreeDigest> digest(raw);
    content_.clear();
    if (rc != 0 || !digest)
        throw Error("cannot compute the fs-verity digest: " + std::string(std::strerror(-rc)));
    return {digest->digest, digest->digest + digest->digest_size};
}

} // namespace ostree_ima
