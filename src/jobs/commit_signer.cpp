#include "ostree-ima/commit_signer.hpp"

#include "ima/signed_digest.hpp"
#include "jobs/commit_rewrite.hpp"
#include "jobs/content_signer.hpp"
#include "jobs/jobs_in_repo.hpp"
#include "jobs/known_signatures.hpp"
#include "jobs/reusing_signer.hpp"
#include "ostree-ima/cancellation.hpp"
#include "repo/planned_files_under.hpp"
#include "repo/repo.hpp"
#include "repo/stop_check.hpp"

namespace ostree_ima {

namespace {
// The transform "add a signature" of the rewrite pipeline.
class SignRewrite final : public ObjectRewrite {
  public:
    SignRewrite(const HashAlgo &algo, const KeyId &key_id, ReusingSigner &key, bool overwrite,
                SignatureFormat format)
        : signer_(algo, key_id, key, overwrite, format), key_(key)
    {
    }
    [[nodiscard]] SignatureProgress signatures() const override
    {
        const SignatureCounts c = key_.counts();
        return {c.made, c.from_commit + c.from_cache, key_.key_seconds(), key_.max_parallel()};
    }
    void start(const CommitPlan &plan) override { outcomes_.resize(plan.objects.size()); }
    RewrittenObject rewrite(const ObjectStore &store, std::size_t index,
                            const std::string &checksum, CpuSlots::Held &cpu) override
    {
        ObjectOutcome &out = outcomes_[index];
        out = signer_.process(store, checksum, cpu);
        return {out.new_checksum, out.bytes_hashed};
    }
    [[nodiscard]] const std::vector<ObjectOutcome> &outcomes() const { return outcomes_; }

  private:
    ContentSigner signer_;
    const ReusingSigner &key_;
    std::vector<ObjectOutcome> outcomes_;
};

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

SignReport sign_commit(const Repo &repo, const SignRequest &request, KeyBackend &key)
{
    (void)SignedDigest(request.format, *request.algo); // a usage error before any work
    const StopScope interruptible; // reading the commits to reuse takes a while too
    KnownSignatures known;
    for (const std::string &rev : request.reuse) {
        known.add_commit(repo, repo.resolve_commit(rev), key.public_key(), request.key_id,
                         request.jobs);
        throw_if_stopped(repo.get(), request.target_ref);
    }
    std::optional<SignatureCacheWriter> cache;
    const std::uint64_t cache_lines_skipped =
        open_signature_cache(request.signature_cache, request.key_id, known, cache);
    ReusingSigner signer(key, request.key_id, known, cache ? &*cache : nullptr);

    RewriteRequest rewrite;
    rewrite.source_rev = request.source_rev;
    rewrite.target_ref = request.target_ref;
    rewrite.selector = request.selector;
    rewrite.jobs = request.jobs;
    // One worker per signature the key can have in flight (a remote token's
    // sessions), beyond the CPU workers.
    rewrite.waiters = key.max_parallel() > request.jobs ? key.max_parallel() - request.jobs : 0;
    rewrite.progress = request.progress;
    rewrite.needs_xattrs = true;
    SignRewrite sign(*request.algo, request.key_id, signer, request.overwrite, request.format);
    const RewriteResult result = rewrite_commit(repo, rewrite, sign);

    SignReport report;
    report.source_commit = result.source_commit;
    report.new_commit = result.new_commit;
    report.ref = request.target_ref;
    report.binding = result.binding;
    report.seconds = result.seconds;
    report.signatures = signer.counts();
    report.signatures.cache_lines_skipped = cache_lines_skipped;
    for (std::size_t i = 0; i < sign.outcomes().size(); ++i)
        count_outcome(sign.outcomes()[i], result.plan.path_count[i], report);
    for (const PlannedFile &file : planned_files_under(result.plan, "/usr/etc")) {
        if (sign.outcomes()[file.object].kind == ObjectOutcome::Kind::NotRegular)
            continue;
        if (report.usr_etc_files_signed++ == 0)
            report.usr_etc_first_signed = file.path;
    }
    return report;
}

SignReport sign_commit(const SignRequest &request, KeyBackend &key)
{
    return sign_commit(Repo::open(request.repo_path), request, key);
}

} // namespace ostree_ima
