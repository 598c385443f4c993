#include "jobs/commit_file_digests.hpp"

#include "ima/file_digest.hpp"
#include "ima/measurement_algo.hpp"
#include "ima/signature_scheme.hpp"
#include "objects/stored_object.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/cancellation.hpp"
#include "repo/commit_plan.hpp"
#include "repo/repo.hpp"
#include "util/parallel_for.hpp"
#include "util/progress.hpp"

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
    CommitPlan plan =
        plan_commit(repo.get(), result.commit, request.selector, request.jobs, PlanPaths::Keep);
    if (stop_requested())
        throw Interrupted("the repository was only read, no policy was written");
    const ObjectStore store(repo.get(), request.jobs);
    const ProcessingOrder order = largest_first(store, plan, request.jobs);
    ProgressMeter progress(request.progress, {"measuring"}, plan.objects.size(), order.total_stored,
                           order.total_stored);
    result.objects.resize(plan.objects.size());
    for (std::size_t i = 0; i < plan.objects.size(); ++i) {
        result.objects[i].checksum = plan.objects[i];
        result.objects[i].paths = std::move(plan.paths[i]);
    }
    parallel_for(
        order.order.size(), request.jobs,
        [&](std::size_t k) {
            const std::size_t i = order.order[k];
            const auto started = ProgressMeter::Clock::now();
            measure_object(store, *request.algo, result.objects[i]);
            progress.unit_done(order.stored_size[i], order.stored_size[i], started);
        },
        &stop_flag());
    if (stop_requested())
        throw Interrupted("the repository was only read, no policy was written");
    progress.finish();
    // Symlinks were planned too and left without a digest.
    std::erase_if(result.objects, [](const MeasuredObject &object) {
        return object.digest.empty() && !object.verity_signature;
    });
    return result;
}

} // namespace ostree_ima
