#include "jobs/commit_rewrite.hpp"

#include "objects/object_file_io.hpp"
#include "ostree-ima/cancellation.hpp"
#include "repo/commit_binding.hpp"
#include "repo/commit_walker.hpp"
#include "repo/planned_files_under.hpp"
#include "repo/stop_check.hpp"
#include "repo/transaction.hpp"
#include "repo/tree_rewriter.hpp"
#include "signing/signing_decision.hpp"
#include "util/parallel_for.hpp"
#include "util/progress.hpp"

#include <chrono>

namespace ostree_ima {

RewriteResult rewrite_commit(const Repo &repo, const RewriteRequest &request,
                             ObjectRewrite &rewrite)
{
    const StopScope interruptible; // SIGINT/SIGTERM now stop at the next check
    const auto start = std::chrono::steady_clock::now();
    if (request.needs_xattrs)
        repo.require_xattr_support();
    RewriteResult result;
    result.source_commit = repo.resolve_commit(request.source_rev);
    result.plan = plan_commit(repo.get(), result.source_commit, request.selector, request.jobs,
                              PlanPaths::Count, request.unsign ? &*request.unsign : nullptr);
    const CommitPlan &plan = result.plan;

    throw_if_stopped(repo.get(), request.target_ref);
    Transaction txn(repo.get());
    const unsigned workers = request.jobs + request.waiters;
    const ObjectStore store(repo.get(), workers); // memory per worker
    CpuSlots cpu(request.jobs);
    rewrite.start(plan, store);
    std::vector<RawChecksum> new_checksum(plan.objects.size());
    const ProcessingOrder order = largest_first(store, plan, request.jobs);
    std::function<SignatureProgress()> signatures;
    if (rewrite.makes_signatures())
        signatures = [&rewrite] { return rewrite.signatures(); };
    ProgressMeter progress(request.progress, request.step, plan.objects.size(), order.total_stored,
                           order.total_stored, std::move(signatures));
    parallel_for(
        order.order.size(), workers,
        [&](std::size_t k) {
            const std::size_t i = order.order[k];
            const auto started = ProgressMeter::Clock::now();
            CpuSlots::Held slot(cpu);
            RewrittenObject done;
            try {
                done = rewrite.rewrite(store, i, plan.object(i), slot);
            } catch (const RefusedContent &refused) {
                throw refused_content_error(refused, planned_paths_of(plan, i));
            }
            new_checksum[i] = raw_checksum_from_hex(done.checksum);
            progress.unit_done(order.stored_size[i], order.stored_size[i], started);
        },
        &stop_flag());
    throw_if_stopped(repo.get(), request.target_ref);
    rewrite.finish();

    TreeRewriter trees(repo.get(), plan, new_checksum);
    const std::string new_root = trees.rewrite();
    // Content objects and dirtrees are linked into objects/ directly: make
    // them durable before the commit (and the ref) can refer to them.
    sync_repository(repo.get());
    result.binding = plan_commit_binding(repo.get(), plan.commit_object.get(), request.target_ref);
    result.new_commit =
        write_commit_with_root(repo.get(), plan.commit_object.get(), result.source_commit, new_root,
                               result.binding, request.metadata);
    if (!request.target_ref.empty())
        txn.set_ref(request.target_ref, result.new_commit);
    throw_if_stopped(repo.get(), request.target_ref); // last point before the ref moves
    txn.commit();
    progress.finish(); // the time taken: the trees, the sync and the commit too
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace ostree_ima
