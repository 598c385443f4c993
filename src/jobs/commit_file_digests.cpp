#include "jobs/commit_file_digests.hpp"

#include "ima/file_digest.hpp"
#include "ima/measurement_algo.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "objects/stored_object.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/cancellation.hpp"
#include "repo/commit_plan.hpp"
#include "repo/commit_reader.hpp"
#include "repo/repo.hpp"

#include <optional>

namespace ostree_ima {

namespace {
void measure_object(const ObjectStore &store, const HashAlgo &algo, MeasuredObject &out)
{
    const std::unique_ptr<StoredObject> object = store.open(out.checksum);
    if (!object->is_regular())
        return; // a symlink: the kernel measures what it resolves to, at that path
    const std::optional<std::vector<std::uint8_t>> ima = xattr_get(object->xattrs(), kImaXattrName);
    const SignatureScheme *scheme = ima ? &scheme_claimed_by(*ima) : nullptr;
    if (scheme != nullptr && scheme->signs_fs_verity_digest()) {
        out.verity_signature = true;
        return;
    }
    if (scheme != nullptr) {
        const ImaDecodeResult decoded = scheme->decode(*ima);
        if (decoded.ok && decoded.value.algo != nullptr)
            out.signature_key_id = decoded.value.key_id;
    }
    out.measured_algo = measurement_algo(ima);
    FileDigest digest(algo);
    std::optional<FileDigest> signature_digest;
    if (out.measured_algo != nullptr && out.measured_algo->kernel_id != algo.kernel_id &&
        out.measured_algo->available())
        signature_digest.emplace(*out.measured_algo);
    object->read(
        [&](std::span<const std::uint8_t> chunk) {
            digest.update(chunk);
            if (signature_digest)
                signature_digest->update(chunk);
        },
        false);
    out.digest = digest.finish();
    if (signature_digest)
        out.measured_algo_digest = signature_digest->finish();
}
} // namespace

CommitFileDigests compute_commit_file_digests(const FileDigestsRequest &request)
{
    const StopScope interruptible;
    const Repo repo = Repo::open(request.repo_path);
    CommitFileDigests result;
    result.commit = repo.resolve_commit(request.source_rev);
    CommitReadRequest read;
    read.commit = result.commit;
    read.selector = request.selector;
    read.jobs = request.jobs;
    read.progress = request.progress;
    read.step = {"measuring"};
    read.largest_first = true;
    read.interrupted = "the repository was only read, no policy was written";
    CommitPlan plan = read_commit(
        repo, read,
        {[&](const CommitPlan &p, const ObjectStore & /*store*/) {
             result.objects.resize(p.objects.size());
             for (std::size_t i = 0; i < p.objects.size(); ++i)
                 result.objects[i].checksum = p.object(i);
         },
         [&](const ObjectStore &store, std::size_t i, const std::string & /*checksum*/) {
             measure_object(store, *request.algo, result.objects[i]);
         }});
    for (std::size_t i = 0; i < plan.objects.size(); ++i)
        result.objects[i].paths = std::move(plan.paths[i]);
    // Symlinks were planned too and left without a digest.
    std::erase_if(result.objects, [](const MeasuredObject &object) {
        return object.digest.empty() && !object.verity_signature;
    });
    return result;
}

} // namespace ostree_ima
