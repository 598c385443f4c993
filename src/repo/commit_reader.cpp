#include "repo/commit_reader.hpp"

#include "ostree-ima/cancellation.hpp"
#include "util/parallel_for.hpp"

namespace ostree_ima {

namespace {
// Ends the read at a stop request, as the request says.
bool stopped(const CommitReadRequest &request)
{
    if (!stop_requested())
        return false;
    if (!request.interrupted.empty())
        throw Interrupted(request.interrupted);
    return true;
}
} // namespace

CommitPlan read_commit(const Repo &repo, const CommitReadRequest &request,
                       const ObjectReader &reader)
{
    CommitPlan plan =
        plan_commit(repo.get(), request.commit, request.selector, request.jobs, PlanPaths::Keep);
    if (stopped(request))
        return plan;
    const ObjectStore store(repo.get(), request.jobs);
    if (reader.start)
        reader.start(plan, store);
    const ProcessingOrder order = processing_order(
        store, plan, request.jobs, request.largest_first || request.progress != nullptr);
    ProgressMeter progress(request.progress, request.step, plan.objects.size(), order.total_stored,
                           order.total_stored);
    parallel_for(
        plan.objects.size(), request.jobs,
        [&](std::size_t k) {
            const std::size_t i = order.order[k];
            const auto started = ProgressMeter::Clock::now();
            reader.read(store, i, plan.object(i));
            progress.unit_done(order.stored_size[i], order.stored_size[i], started);
        },
        &stop_flag());
    if (stopped(request))
        return plan;
    progress.finish();
    return plan;
}

} // namespace ostree_ima
