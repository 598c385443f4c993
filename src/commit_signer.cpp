#include "ostree-ima/commit_signer.hpp"

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

    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        report.bytes_hashed += outcomes[i].bytes_hashed;
        if (outcomes[i].kind == ObjectOutcome::Kind::Signed) {
            ++report.unique_signed;
            report.files_signed += plan.path_count[i];
        } else if (outcomes[i].kind == ObjectOutcome::Kind::Kept) {
            report.files_kept += plan.path_count[i];
        }
    }
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
    report.new_commit =
        write_commit_with_root(repo.get(), commit.get(), report.source_commit, new_root);
    if (!request.target_ref.empty())
        txn.set_ref(request.target_ref, report.new_commit);
    throw_if_stopped(repo.get(), request.target_ref); // last point before the ref moves
    txn.commit();
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

} // namespace ostree_ima
