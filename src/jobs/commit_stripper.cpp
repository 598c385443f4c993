#include "ostree-ima/commit_stripper.hpp"

#include "ima/evm_xattr.hpp"
#include "jobs/commit_rewrite.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "repo/repo.hpp"

namespace ostree_ima {

namespace {
// The transform "remove the signature" of the rewrite pipeline: the object
// without security.ima and security.evm (which covers security.ima: alone it
// would be invalid); itself when it has neither. xattr_remove keeps every
// other entry in place, so stripping what `sign` added gives back the
// original object.
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
        if (!object->is_regular() || (!xattr_get(object->xattrs(), kImaXattrName) &&
                                      !xattr_get(object->xattrs(), kEvmXattrName)))
            return {checksum, 0};
        const GVariantPtr without_ima = xattr_remove(object->xattrs(), kImaXattrName);
        const GVariantPtr xattrs = xattr_remove(without_ima.get(), kEvmXattrName);
        stripped_[index] = 1;
        return {object->write_with_xattrs(xattrs.get()), object->size()};
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
