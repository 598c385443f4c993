#include "ostree-ima/commit_stripper.hpp"

#include "archive_object.hpp"
#include "commit_writer.hpp"
#include "content_object.hpp"
#include "content_plan.hpp"
#include "object_file_io.hpp"
#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "parallel_for.hpp"
#include "repo.hpp"
#include "stop_check.hpp"
#include "transaction.hpp"
#include "tree_rewriter.hpp"
#include "xattr_list.hpp"

namespace ostree_ima {

namespace {
// The object's checksum without security.ima (itself when it has none).
// xattr_remove keeps every other entry in place, so stripping what `sign`
// added gives back the original object.
// Archive objects keep their compressed body (ArchiveObject); other modes
// share or copy the data in the kernel (ContentObject -> bare writer).
template <typename Object> std::string strip_object(OstreeRepo *repo, const std::string &checksum)
{
    Object object(repo, checksum);
    if (!object.is_regular() || !xattr_get(object.xattrs(), kImaXattrName))
        return checksum;
    const GVariantPtr xattrs = xattr_remove(object.xattrs(), kImaXattrName);
    return object.write_with_xattrs(xattrs.get(), nullptr);
}
} // namespace

StripReport strip_commit(const StripRequest &request)
{
    const Repo repo = Repo::open(request.repo_path);
    StripReport report;
    report.source_commit = repo.resolve_commit(request.source_rev);
    const CommitWalker walker(repo.get());
    const GVariantPtr commit = walker.load_commit(report.source_commit);
    const ContentPlan plan =
        plan_content(repo.get(), report.source_commit, request.selector, request.jobs);

    Transaction txn(repo.get());
    const bool archive = repo.mode() == OSTREE_REPO_MODE_ARCHIVE;
    std::vector<std::string> stripped(plan.objects.size());
    const std::vector<std::size_t> order = largest_first(repo.get(), plan, request.jobs);
    parallel_for(
        order.size(), request.jobs,
        [&](std::size_t k) {
            const std::size_t i = order[k];
            stripped[i] = archive ? strip_object<const ArchiveObject>(repo.get(), plan.objects[i])
                                  : strip_object<ContentObject>(repo.get(), plan.objects[i]);
        },
        &stop_flag());
    throw_if_stopped(repo.get(), request.target_ref);
    for (std::size_t i = 0; i < stripped.size(); ++i) {
        if (stripped[i] != plan.objects[i]) {
            ++report.unique_stripped;
            report.files_stripped += plan.path_count[i];
        }
    }
    TreeRewriter rewriter(
        repo.get(),
        [&](const std::string &path, const std::string &csum) {
            const auto i = plan.object_at(request.selector, path, csum);
            return i ? stripped[*i] : csum;
        },
        !request.selector.path_dependent());
    const std::string new_root = rewriter.rewrite(CommitWalker::root_tree(commit.get()));
    // Content objects and dirtrees are linked into objects/ directly: make
    // them durable before the commit (and the ref) can refer to them.
    sync_repository(repo.get());
    report.binding = plan_commit_binding(repo.get(), commit.get(), request.target_ref);
    report.new_commit = write_commit_with_root(repo.get(), commit.get(), report.source_commit,
                                               new_root, report.binding);
    throw_if_stopped(repo.get(), request.target_ref); // last point before the ref moves
    if (!request.target_ref.empty())
        txn.set_ref(request.target_ref, report.new_commit);
    txn.commit();
    return report;
}

} // namespace ostree_ima
