#include "content_signer.hpp"

#include "archive_object.hpp"
#include "content_copy.hpp"
#include "content_object.hpp"
#include "scratch_buffer.hpp"
#include "signing_decision.hpp"
#include "xattr_list.hpp"

namespace ostree_ima {

namespace {
// Content up to this size is kept in memory after the one read, and the new
// object's checksum is computed from there; for larger content it is
// computed over the new object's file once written (bare modes: page
// cache, see write_bare_object) or, in archive mode, over an unnamed file
// (ContentCopy) rather than inflating twice, so archive keeps little in
// memory. The total stays under kMemoryBudget whatever --jobs is.
constexpr std::uint64_t kInMemoryLimit = 16 * 1024 * 1024;
constexpr std::uint64_t kArchiveInMemoryLimit = 2 * 1024 * 1024;
constexpr std::uint64_t kMemoryBudget = 128 * 1024 * 1024;

// Fills `out` and returns true when the object keeps its existing signature.
bool keeps_existing(SigningDecision &plan, const KeyBackend &key, ObjectOutcome &out)
{
    if (plan.keeps_other_key()) {
        out.kind = ObjectOutcome::Kind::KeptOtherKey;
        out.other_key_id = plan.other_key_id();
        return true;
    }
    if (plan.checks_own_key() && plan.own_signature_verifies(key.public_key())) {
        out.kind = ObjectOutcome::Kind::Kept;
        return true;
    }
    return false;
}
} // namespace

ContentSigner::ContentSigner(OstreeRepo *repo, const HashAlgo &algo, const KeyId &key_id,
                             KeyBackend &key, bool overwrite, unsigned jobs)
    : repo_(repo), algo_(algo), key_id_(key_id), key_(key), overwrite_(overwrite),
      archive_(ostree_repo_get_mode(repo) == OSTREE_REPO_MODE_ARCHIVE),
      in_memory_limit_(std::min(archive_ ? kArchiveInMemoryLimit : kInMemoryLimit,
                                kMemoryBudget / (jobs == 0 ? 1 : jobs)))
{
}

std::vector<std::uint8_t> ContentSigner::signature_xattr(std::span<const std::uint8_t> digest)
{
    return encode_ima_signature(algo_, key_id_, key_.sign(algo_, digest));
}

ObjectOutcome ContentSigner::process(const std::string &checksum)
{
    return archive_ ? process_archive(checksum) : process_any(checksum);
}

// Archive mode: inflate once for the digest and the checksum (the content is
// kept for the checksum's second pass, see ContentCopy); the new object
// reuses the compressed body as it is.
ObjectOutcome ContentSigner::process_archive(const std::string &checksum)
{
    ObjectOutcome out;
    out.new_checksum = checksum;
    const ArchiveObject object(repo_, checksum);
    if (!object.is_regular())
        return out;
    SigningDecision plan(object.xattrs(), algo_, key_id_, overwrite_);
    // An own signature usually verifies: its rare replacement inflates again
    // rather than every kept file being copied.
    std::optional<ContentCopy> content;
    if (plan.signs_for_sure())
        content.emplace(ostree_repo_get_dfd(repo_), object.size(), in_memory_limit_);
    object.inflate([&](std::span<const std::uint8_t> chunk) {
        plan.update(chunk);
        out.bytes_hashed += chunk.size();
        if (content)
            content->append(chunk);
    });
    if (keeps_existing(plan, key_, out))
        return out;
    const GVariantPtr xattrs =
        xattr_set(object.xattrs(), kImaXattrName, signature_xattr(plan.digest()));
    out.new_checksum = object.write_with_xattrs(xattrs.get(), content ? &*content : nullptr);
    out.kind = ObjectOutcome::Kind::Signed;
    out.replaced = plan.replaced();
    return out;
}

// Other modes: bare and bare-user through write_bare_object, any other
// through libostree's own writer.
ObjectOutcome ContentSigner::process_any(const std::string &checksum)
{
    ObjectOutcome out;
    out.new_checksum = checksum;
    ContentObject object(repo_, checksum);
    if (!object.is_regular())
        return out;
    SigningDecision plan(object.xattrs(), algo_, key_id_, overwrite_);
    const bool in_memory = plan.signs_for_sure() && object.size() <= in_memory_limit_;
    struct KeptContent;
    std::vector<std::uint8_t> &content = scratch_vector<KeptContent>(); // kept by the thread
    content.clear();
    if (in_memory)
        content.reserve(object.size());
    object.read_content([&](std::span<const std::uint8_t> chunk) {
        plan.update(chunk);
        out.bytes_hashed += chunk.size();
        if (in_memory)
            content.insert(content.end(), chunk.begin(), chunk.end());
    });
    if (keeps_existing(plan, key_, out))
        return out;
    const GVariantPtr xattrs =
        xattr_set(object.xattrs(), kImaXattrName, signature_xattr(plan.digest()));
    out.new_checksum = object.write_with_xattrs(xattrs.get(), in_memory ? &content : nullptr);
    out.kind = ObjectOutcome::Kind::Signed;
    out.replaced = plan.replaced();
    return out;
}

} // namespace ostree_ima
