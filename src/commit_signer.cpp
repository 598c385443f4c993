#include "ostree-ima/commit_signer.hpp"

#include "commit_binding.hpp"
#include "commit_walker.hpp"
#include "commit_writer.hpp"
#include "content_plan.hpp"
#include "content_signer.hpp"
#include "object_file_io.hpp"
#include "ostree-ima/cancellation.hpp"
#include "parallel_for.hpp"
#include "progress.hpp"
#include "repo.hpp"
#include "stop_check.hpp"
#include "transaction.hpp"
#include "tree_rewriter.hpp"

#include <chrono>
#include <unordered_map>

namespace ostree_ima {

namespace {
void count_outcome(const ObjectOutcome &outcome, std::uint64_t paths, SignReport &report)
{
    report.bytes_hashed += outcome.bytes_hashed;
    switch (outcome.kind) {
    case ObjectOutcome::Kind::Signed:
        ++report.unique_signed;
        report.files_signed += paths;
        if (outcome.replaced == ReplacedBecause::Malformed)
            report.files_replaced.malformed += paths;
        else if (outcome.replaced == ReplacedBecause::NotVerifying)
            report.files_replaced.not_verifying += paths;
        else if (outcome.replaced == ReplacedBecause::Overwrite)
            report.files_replaced.overwritten += paths;
        break;
    case ObjectOutcome::Kind::KeptOtherKey:
        report.files_kept_other_keys += paths;
        report.other_key_ids[outcome.other_key_id] += paths;
        report.files_kept += paths;
        break;
    case ObjectOutcome::Kind::Kept:
        report.files_kept += paths;
        break;
    case ObjectOutcome::Kind::NotRegular:
        break;
    }
}
} // namespace

SignReport sign_commit(const SignRequest &request, KeyBackend &key)
{
    const StopScope interruptible; // SIGINT/SIGTERM now stop at the next check
    const auto start = std::chrono::steady_clock::now();
    const Repo repo = Repo::open(request.repo_path);
    repo.require_xattr_support();
    SignReport report;
    report.source_commit = repo.resolve_commit(request.source_rev);
    report.ref = request.target_ref;

    const CommitWalker walker(repo.get());
    const GVariantPtr commit = walker.load_commit(report.source_commit);
    const ContentPlan plan =
        plan_content(repo.get(), report.source_commit, request.selector, request.jobs);

    throw_if_stopped(repo.get(), request.target_ref);
    Transaction txn(repo.get());
    ContentSigner signer(repo.get(), *request.algo, request.key_id, key, request.overwrite,
                         request.jobs);
    std::vector<ObjectOutcome> outcomes(plan.objects.size());
    std::uint64_t total_files = 0;
    for (const auto n : plan.path_count)
        total_files += n;
    Progress progress(request.progress, plan.objects.size(), total_files);
    const std::vector<std::size_t> order = largest_first(repo.get(), plan, request.jobs);
    parallel_for(
        order.size(), request.jobs,
        [&](std::size_t k) {
            const std::size_t i = order[k];
            outcomes[i] = signer.process(plan.objects[i]);
            progress.object_done(plan.path_count[i], outcomes[i].bytes_hashed);
        },
        &stop_flag());
    progress.finish();
    throw_if_stopped(repo.get(), request.target_ref);

    for (std::size_t i = 0; i < outcomes.size(); ++i)
        count_outcome(outcomes[i], plan.path_count[i], report);
    TreeRewriter rewriter(
        repo.get(),
        [&](const std::string &path, const std::string &csum) {
            const auto i = plan.object_at(request.selector, path, csum);
            return i ? outcomes[*i].new_checksum : csum;
        },
        !request.selector.path_dependent());
    const std::string new_root = rewriter.rewrite(CommitWalker::root_tree(commit.get()));
    // Content objects and dirtrees are linked into objects/ directly: make
    // them durable before the commit (and the ref) can refer to them.
    sync_repository(repo.get());
    report.binding = plan_commit_binding(repo.get(), commit.get(), request.target_ref);
    report.new_commit = write_commit_with_root(repo.get(), commit.get(), report.source_commit,
                                               new_root, report.binding);
    if (!request.target_ref.empty())
        txn.set_ref(request.target_ref, report.new_commit);
    throw_if_stopped(repo.get(), request.target_ref); // last point before the ref moves
    txn.commit();
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

} // namespace ostree_ima
