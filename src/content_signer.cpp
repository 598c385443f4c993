#include "content_signer.hpp"

#include "content_object.hpp"
#include "file_digest.hpp"
#include "xattr_list.hpp"

namespace ostree_ima {

namespace {
// Files up to this size are read into memory once and written from there;
// larger ones are streamed twice (hash, then write) to bound memory.
constexpr std::uint64_t kInMemoryLimit = 4 * 1024 * 1024;
} // namespace

ContentSigner::ContentSigner(OstreeRepo *repo, const HashAlgo &algo, const KeyId &key_id,
                             KeyBackend &key, bool overwrite)
    : repo_(repo), algo_(algo), key_id_(key_id), key_(key), overwrite_(overwrite)
{
}

ObjectOutcome ContentSigner::process(const std::string &checksum)
{
    ObjectOutcome out;
    out.new_checksum = checksum;
    ContentObject object(repo_, checksum);
    if (!object.is_regular())
        return out;
    if (!overwrite_ && xattr_get(object.xattrs(), kImaXattrName)) {
        out.kind = ObjectOutcome::Kind::Kept;
        return out;
    }
    FileDigest digest(algo_);
    const bool in_memory = object.size() <= kInMemoryLimit;
    std::vector<std::uint8_t> content;
    if (in_memory)
        content.reserve(object.size());
    object.read_content([&](std::span<const std::uint8_t> chunk) {
        digest.update(chunk);
        out.bytes_hashed += chunk.size();
        if (in_memory)
            content.insert(content.end(), chunk.begin(), chunk.end());
    });
    const std::vector<std::uint8_t> file_digest = digest.finish();
    const std::vector<std::uint8_t> signature = key_.sign(algo_, file_digest);
    const std::vector<std::uint8_t> value = encode_ima_signature(algo_, key_id_, signature);
    const GVariantPtr xattrs = xattr_set(object.xattrs(), kImaXattrName, value);
    out.new_checksum = object.write_with_xattrs(xattrs.get(), in_memory ? &content : nullptr);
    out.kind = ObjectOutcome::Kind::Signed;
    return out;
}

} // namespace ostree_ima
