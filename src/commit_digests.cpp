#include "ostree-ima/commit_digests.hpp"

#include "content_object.hpp"
#include "content_plan.hpp"
#include "file_digest.hpp"
#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "parallel_for.hpp"
#include "repo.hpp"
#include "text_encoding.hpp"
#include "xattr_list.hpp"

#include <optional>
#include <unordered_map>

namespace ostree_ima {

namespace {
// The digest `sign` would sign for this object; nullopt when it would not
// sign it (a symlink, or already signed without overwrite).
std::optional<std::vector<std::uint8_t>>
digest_to_sign(OstreeRepo *repo, const std::string &checksum, const HashAlgo &algo, bool overwrite)
{
    ContentObject object(repo, checksum);
    if (!object.is_regular())
        return std::nullopt;
    if (!overwrite && xattr_get(object.xattrs(), kImaXattrName))
        return std::nullopt;
    FileDigest hasher(algo);
    object.read_content([&](std::span<const std::uint8_t> chunk) { hasher.update(chunk); });
    return hasher.finish();
}
} // namespace

DigestManifest compute_commit_digests(const DigestsRequest &request)
{
    const Repo repo = Repo::open(request.repo_path);
    // Fail here, not after the signing room's work, when `apply` could not
    // write the signatures into this repository.
    repo.require_xattr_support();
    DigestManifest manifest;
    manifest.commit = repo.resolve_commit(request.source_rev);
    manifest.algo = request.algo;
    manifest.selection = request.selection;
    ContentPlan plan = plan_content(repo.get(), manifest.commit, request.selection.selector,
                                    request.jobs, PlanPaths::Keep);

    std::vector<std::optional<std::vector<std::uint8_t>>> digests(plan.objects.size());
    parallel_for(
        plan.objects.size(), request.jobs,
        [&](std::size_t i) {
            digests[i] = digest_to_sign(repo.get(), plan.objects[i], *request.algo,
                                        request.selection.overwrite);
        },
        &stop_flag());
    if (stop_requested())
        throw Interrupted("the repository was only read, no manifest was written");

    // Objects that differ only in metadata share a digest, and one signature
    // serves them all: one entry per digest, with every path.
    std::unordered_map<std::string, std::size_t> entry_of;
    for (std::size_t i = 0; i < digests.size(); ++i) {
        if (!digests[i])
            continue;
        const auto [it, inserted] =
            entry_of.try_emplace(to_hex(*digests[i]), manifest.entries.size());
        if (inserted)
            manifest.entries.push_back({std::move(*digests[i]), {}});
        auto &paths = manifest.entries[it->second].paths;
        paths.insert(paths.end(), std::make_move_iterator(plan.paths[i].begin()),
                     std::make_move_iterator(plan.paths[i].end()));
    }
    return manifest;
}

} // namespace ostree_ima
