#include "ostree-ima/commit_stripper.hpp"

#include "jobs/commit_rewrite.hpp"
#include "repo/repo.hpp"
#include "signing/signature_removal.hpp"
#include "signing/signing_record.hpp"

namespace ostree_ima {

namespace {
// The transform "remove the signature" of the rewrite pipeline
// (remove_signature); the object itself when it has none.
class StripRewrite final : public ObjectRewrite {
  public:
    void start(const CommitPlan &plan, const ObjectStore & /*store*/) override
    {
        stripped_.resize(plan.objects.size(), 0);
    }
    RewrittenObject rewrite(const ObjectStore &store, std::size_t index,
                            const std::string &checksum, CpuSlots::Held & /*cpu*/) override
    {
        const std::unique_ptr<StoredObject> object = store.open(checksum);
        std::optional<std::string> without = remove_signature(*object);
        if (!without)
            return {checksum, 0};
        stripped_[index] = 1;
        return {std::move(*without), object->size()};
    }
    [[nodiscard]] bool stripped(std::size_t index) const { return stripped_[index] != 0; }

  private:
    std::vector<char> stripped_;
};
} // namespace

StripReport strip_commit(const StripRequest &request)
{
    RewriteRequest rewrite;
    rewrite.source_rev = request.source_rev;
    rewrite.target_ref = request.target_ref;
    rewrite.selector = request.selector;
    rewrite.jobs = request.jobs;
    rewrite.progress = request.progress;
    rewrite.step = {"stripping"};
    rewrite.metadata.key = kSigningRecordKey; // strip(sign(C)) is C
    StripRewrite strip;
    const RewriteResult result = rewrite_commit(Repo::open(request.repo_path), rewrite, strip);

    StripReport report;
    report.source_commit = result.source_commit;
    report.new_commit = result.new_commit;
    report.binding = result.binding;
    for (std::size_t i = 0; i < result.plan.objects.size(); ++i) {
        if (strip.stripped(i)) {
            ++report.unique_stripped;
            report.files_stripped += result.plan.path_count[i];
        }
    }
    return report;
}

} // namespace ostree_ima
