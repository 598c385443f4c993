#include "ostree-ima/commit_signer.hpp"

#include "ima/signed_digest.hpp"
#include "jobs/commit_rewrite.hpp"
#include "jobs/evm_deployment.hpp"
#include "jobs/jobs_in_repo.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/cancellation.hpp"
#include "repo/planned_files_under.hpp"
#include "repo/repo.hpp"
#include "repo/stop_check.hpp"
#include "signing/content_signer.hpp"
#include "signing/counterpart_check.hpp"
#include "signing/evm_signer.hpp"
#include "signing/known_signatures.hpp"
#include "signing/reusing_signer.hpp"
#include "signing/signature_removal.hpp"
#include "signing/signed_counterparts.hpp"
#include "signing/signing_record.hpp"
#include "util/quoted_input.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_set>

namespace ostree_ima {

namespace {
// /usr/etc becomes /etc, which admins edit (docs/deploying.md).
constexpr const char *kUsrEtcGlob = "/usr/etc/**";

// Whether the file carries a signature in the new commit.
bool has_signature(const ObjectOutcome &outcome)
{
    switch (outcome.kind) {
    case ObjectOutcome::Kind::Kept:
    case ObjectOutcome::Kind::KeptOtherKey:
    case ObjectOutcome::Kind::Signed:
        return true;
    case ObjectOutcome::Kind::NotRegular:
    case ObjectOutcome::Kind::Unsigned:
    case ObjectOutcome::Kind::SignatureRemoved:
        return false;
    }
    return false;
}

// What a --reuse commit's record gives the rewrite: the counterparts of
// each commit whose record is usable, and where the signatures of the ones
// this run does not take go (KnownSignatures, for content met again under
// another object).
struct RecordedReuse {
    std::vector<SignedCounterparts> commits;
    KnownSignatures *known = nullptr;
    const EVP_PKEY *public_key = nullptr;
    unsigned jobs = 1;
};

// The transform "add a signature" of the rewrite pipeline; with
// --skip-usr-etc also "remove it" from the paths planned as unsign; with a
// --reuse record, "take the signed object it pairs with this one".
class SignRewrite final : public ObjectRewrite {
  public:
    SignRewrite(const HashAlgo &algo, const KeyId &key_id, ReusingSigner &key, bool overwrite,
                const SignatureScheme &scheme, EvmSigner *evm, bool evm_ignore_selinux,
                bool allow_large_xattrs, RecordedReuse &recorded)
        : signer_(algo, key_id, key, overwrite, scheme, evm, allow_large_xattrs), key_(key),
          evm_(evm != nullptr), evm_ignore_selinux_(evm_ignore_selinux), algo_(algo),
          key_id_(key_id), scheme_(scheme), recorded_(recorded)
    {
        if (!recorded_.commits.empty())
            recovery_.emplace(recorded_.public_key, algo);
    }
    [[nodiscard]] bool makes_signatures() const override { return true; }
    [[nodiscard]] SignatureProgress signatures() const override
    {
        const SignatureCounts c = key_.counts();
        return {c.made, c.from_commit + c.from_cache + from_record_.load()};
    }
    void start(const CommitPlan &plan, const ObjectStore &store) override
    {
        outcomes_.resize(plan.objects.size());
        unsign_ = &plan.unsign;
        plan_ = &plan;
        match_counterparts(plan, store);
        if (!evm_)
            return;
        deployment_ = evm_deployment_paths(plan);
        path_count_ = &plan.path_count;
        // What the deployed system reads, whether or not the selectors
        // chose it, through symlinks within the commit.
        const std::optional<std::string> config_object =
            selinux_config_object(store, plan.commit_object.get());
        if (!config_object)
            return;
        // A labelled commit labels its SELinux config too: an unlabelled
        // one is refused here, before anything is signed or written.
        const SelinuxConfig config = read_selinux_config(store, *config_object);
        selinux_policy_ = config.enables_policy;
        if (selinux_policy_ && !config.labelled && !evm_ignore_selinux_)
            throw_unlabelled_selinux_commit("its SELinux config (/usr/etc/selinux/config, or "
                                            "what it links to) and likely its other files");
    }
    RewrittenObject rewrite(const ObjectStore &store, std::size_t index,
                            const std::string &checksum, CpuSlots::Held &cpu) override
    {
        ObjectOutcome &out = outcomes_[index];
        if (!counterpart_.empty() && counterpart_[index].commit >= 0 &&
            take_counterpart(store, index, checksum, out))
            return {std::move(out.new_checksum), 0}; // kept once: in the rewrite's list
        if (!unsign_->empty() && (*unsign_)[index] != 0) {
            const std::unique_ptr<StoredObject> object = store.open(checksum);
            const std::optional<std::string> without = remove_signature(*object);
            out.kind =
                without ? ObjectOutcome::Kind::SignatureRemoved : ObjectOutcome::Kind::Unsigned;
            out.new_checksum = without ? *without : checksum;
            return {std::move(out.new_checksum), without ? object->size() : 0};
        }
        out = signer_.process(store, checksum, cpu);
        return {std::move(out.new_checksum), out.bytes_hashed};
    }
    // A commit labelled in part: known only once every object was read.
    void finish() override
    {
        if (!evm_ || !selinux_policy_ || evm_ignore_selinux_)
            return;
        std::uint64_t signed_paths = 0;
        std::uint64_t unlabelled = 0;
        for (std::size_t i = 0; i < outcomes_.size(); ++i) {
            if (!has_signature(outcomes_[i]))
                continue;
            signed_paths += (*path_count_)[i];
            if (!outcomes_[i].has_selinux_label)
                unlabelled += (*path_count_)[i];
        }
        if (unlabelled != 0)
            throw_unlabelled_selinux_commit(std::to_string(unlabelled) + " of its " +
                                            std::to_string(signed_paths) + " signed files");
    }
    [[nodiscard]] const std::vector<ObjectOutcome> &outcomes() const { return outcomes_; }
    [[nodiscard]] const EvmDeploymentPaths &deployment() const { return deployment_; }
    [[nodiscard]] bool selinux_policy() const { return selinux_policy_; }
    // Objects taken whole by a --reuse record, and what was not taken.
    [[nodiscard]] std::uint64_t from_record() const { return from_record_.load(); }
    [[nodiscard]] std::vector<std::string> not_taken() const
    {
        std::vector<std::string> out = not_taken_;
        std::sort(out.begin(), out.end()); // the same order whatever the threads did
        return out;
    }

  private:
    struct Counterpart {
        std::int32_t commit = -1; // in recorded_.commits; -1: none
        std::uint32_t pair = 0;
    };

    // Pairs each planned object (but those to unsign) with the first record
    // that has it; the signatures of the pairs no object takes join the
    // known ones (a file whose content moved to another object).
    void match_counterparts(const CommitPlan &plan, const ObjectStore &store)
    {
        if (recorded_.commits.empty())
            return;
        counterpart_.resize(plan.objects.size());
        std::vector<std::vector<char>> used;
        for (const SignedCounterparts &c : recorded_.commits)
            used.emplace_back(c.size(), 0);
        for (std::size_t i = 0; i < plan.objects.size(); ++i) {
            if (!plan.unsign.empty() && plan.unsign[i] != 0)
                continue;
            for (std::size_t k = 0; k < recorded_.commits.size(); ++k) {
                if (const auto pair = recorded_.commits[k].find(plan.objects[i])) {
                    counterpart_[i] = {static_cast<std::int32_t>(k),
                                       static_cast<std::uint32_t>(*pair)};
                    used[k][*pair] = 1;
                    break;
                }
            }
        }
        std::unordered_set<std::string> seen;
        std::vector<std::string> rest;
        for (std::size_t k = 0; k < recorded_.commits.size(); ++k)
            for (std::size_t p = 0; p < used[k].size(); ++p)
                if (used[k][p] == 0) {
                    std::string object = recorded_.commits[k].signed_object(p);
                    if (seen.insert(object).second)
                        rest.push_back(std::move(object));
                }
        recorded_.known->add_objects(store, rest, recorded_.public_key, key_id_, recorded_.jobs);
    }

    // The object the record pairs with this one, when its signature is the
    // key's: filled into `out`. Else false (the object is then read and
    // signed as without a record) and the reason is reported.
    bool take_counterpart(const ObjectStore &store, std::size_t index, const std::string &checksum,
                          ObjectOutcome &out)
    {
        const Counterpart c = counterpart_[index];
        const SignedCounterparts &commit = recorded_.commits[static_cast<std::size_t>(c.commit)];
        const std::string signed_object = commit.signed_object(c.pair);
        std::optional<std::string> refusal;
        bool selinux = false;
        try {
            const std::unique_ptr<StoredObject> object = store.open(signed_object);
            refusal = counterpart_refusal(*object, *recovery_, algo_, key_id_, scheme_);
            selinux = xattr_get(object->xattrs(), "security.selinux").has_value();
        } catch (const Interrupted &) {
            throw;
        } catch (const Error &e) {
            refusal = e.what();
        }
        if (refusal) {
            const std::lock_guard<std::mutex> lock(mutex_);
            const std::vector<std::string> paths = planned_paths_of(*plan_, index);
            not_taken_.push_back("--reuse commit " + commit.rev() + ": " +
                                 printable_input(paths.empty() ? checksum : paths.front(), 300) +
                                 " not taken from its record (signed object " + signed_object +
                                 ": " + *refusal + "); read and signed instead");
            return false;
        }
        out.kind = ObjectOutcome::Kind::Signed;
        out.new_checksum = signed_object;
        out.has_selinux_label = selinux;
        ++from_record_;
        return true;
    }

    ContentSigner signer_;
    const ReusingSigner &key_;
    bool evm_;
    bool evm_ignore_selinux_;
    std::vector<ObjectOutcome> outcomes_;
    const std::vector<char> *unsign_ = nullptr;
    const std::vector<std::uint64_t> *path_count_ = nullptr;
    EvmDeploymentPaths deployment_;
    bool selinux_policy_ = false;
    const HashAlgo &algo_;
    KeyId key_id_;
    const SignatureScheme &scheme_;
    RecordedReuse &recorded_;
    const CommitPlan *plan_ = nullptr;
    std::vector<Counterpart> counterpart_;   // per object; empty without records
    std::optional<DigestRecovery> recovery_; // with records: checks their signed objects
    std::atomic<std::uint64_t> from_record_{0};
    std::mutex mutex_;
    std::vector<std::string> not_taken_;
};

void count_evm(const ObjectOutcome &outcome, std::uint64_t paths, std::uint64_t etc_paths,
               EvmCounts &evm)
{
    switch (outcome.evm) {
    case EvmOutcome::None:
        return;
    case EvmOutcome::RemovedStale:
        evm.removed_stale += paths;
        return;
    case EvmOutcome::Kept:
        evm.kept += paths;
        break;
    case EvmOutcome::Signed:
        evm.made += paths;
        break;
    case EvmOutcome::Replaced:
        evm.replaced += paths;
        break;
    }
    evm.under_usr_etc += etc_paths;
    if (!outcome.has_selinux_label)
        evm.without_selinux_label += paths;
}

void count_outcome(const ObjectOutcome &outcome, std::uint64_t paths, SignReport &report)
{
    report.bytes_hashed += outcome.bytes_hashed;
    switch (outcome.kind) {
    case ObjectOutcome::Kind::Signed:
        ++report.unique_signed;
        report.files_signed += paths;
        if (outcome.replaced == ReplacedBecause::Malformed)
            report.files_replaced.malformed += paths;
        else if (outcome.replaced == ReplacedBecause::OtherFormat)
            report.files_replaced.other_format += paths;
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
    case ObjectOutcome::Kind::SignatureRemoved:
        report.usr_etc_signatures_removed += paths;
        break;
    case ObjectOutcome::Kind::NotRegular:
    case ObjectOutcome::Kind::Unsigned:
        break;
    }
}
} // namespace

SignReport sign_commit(const Repo &repo, const SignRequest &request, KeyBackend &key,
                       const ProgressStep &step)
{
    request.scheme->require(*request.algo); // a usage error before any work
    if (request.evm_key != nullptr)
        require_separate_evm_key(key, request.key_id, *request.evm_key, request.evm_key_id);
    const StopScope interruptible; // reading the commits to reuse takes a while too
    // Resolved once: the record names the commit this run reads.
    const std::string source_commit = repo.resolve_commit(request.source_rev);
    SigningRecord record;
    record.source_commit = source_commit;
    record.scheme = request.scheme->name();
    record.hash = request.algo->name;
    record.key_id = key_id_hex(request.key_id);
    record.evm_key_id = request.evm_key != nullptr ? key_id_hex(request.evm_key_id) : "";
    record.overwrite = request.overwrite;
    record.allow_large_xattrs = request.allow_large_xattrs;

    KnownSignatures known(*request.scheme);
    RecordedReuse recorded;
    recorded.known = &known;
    recorded.public_key = key.public_key();
    recorded.jobs = request.jobs;
    // A --reuse commit's record lets unchanged files be taken without
    // reading them, where a signature can be checked without its file (RSA)
    // and no EVM signature, which covers more than the file, is asked for.
    const bool use_records = !request.reuse_reads_all && request.evm_key == nullptr &&
                             counterparts_checkable(key.public_key());
    std::vector<std::string> record_notes;
    KnownSignatures::AddedCommits reused =
        known.add_commits(repo, request.reuse, key.public_key(), request.key_id, request.jobs,
                          [&](const std::string & /*rev*/, const std::string &commit) {
                              if (!use_records)
                                  return false;
                              LoadedCounterparts loaded = load_counterparts(repo, commit, record);
                              if (!loaded.not_used.empty())
                                  record_notes.push_back(std::move(loaded.not_used));
                              if (!loaded.counterparts)
                                  return false;
                              recorded.commits.push_back(std::move(*loaded.counterparts));
                              return true;
                          });
    throw_if_stopped(repo.get(), request.target_ref);
    std::optional<SignatureCacheWriter> cache;
    const std::uint64_t cache_lines_skipped =
        open_signature_cache(request.signature_cache, request.key_id, known, cache);
    // Finished signatures wait in the repository's tmp/, not in memory.
    ReusingSigner signer(key, request.key_id, known, cache ? &*cache : nullptr,
                         ostree_repo_get_dfd(repo.get()));

    RewriteRequest rewrite;
    rewrite.source_rev = source_commit;
    rewrite.target_ref = request.target_ref;
    rewrite.selector = request.selector;
    rewrite.jobs = request.jobs;
    rewrite.metadata = {kSigningRecordKey, record.to_variant()};
    // One worker per signature the key can have in flight (a remote token's
    // sessions), beyond the CPU workers.
    rewrite.waiters = key.max_parallel() > request.jobs ? key.max_parallel() - request.jobs : 0;
    rewrite.progress = request.progress;
    rewrite.step = step;
    rewrite.needs_xattrs = true;
    if (request.skip_usr_etc) {
        std::vector<std::string> exclude = request.selector.exclude_globs();
        exclude.emplace_back(kUsrEtcGlob);
        rewrite.selector = PathSelector(request.selector.include_globs(), exclude,
                                        request.selector.executables_only());
        rewrite.unsign = PathSelector({kUsrEtcGlob}, {}, false);
    }
    std::optional<EvmSigner> evm;
    if (request.evm_key != nullptr)
        evm.emplace(*request.algo, request.evm_key_id, *request.evm_key);
    SignRewrite sign(*request.algo, request.key_id, signer, request.overwrite, *request.scheme,
                     evm ? &*evm : nullptr, request.evm_ignore_selinux, request.allow_large_xattrs,
                     recorded);
    const RewriteResult result = rewrite_commit(repo, rewrite, sign);

    SignReport report;
    report.source_commit = result.source_commit;
    report.new_commit = result.new_commit;
    report.ref = request.target_ref;
    report.binding = result.binding;
    report.seconds = result.seconds;
    report.scheme = request.scheme;
    report.signatures = signer.counts();
    report.signatures.cache_lines_skipped = cache_lines_skipped;
    report.signatures.from_record = sign.from_record();
    report.reuse_skipped = std::move(reused.skipped);
    for (std::string &note : record_notes)
        report.reuse_skipped.push_back(std::move(note));
    for (std::string &line : sign.not_taken())
        report.reuse_skipped.push_back(std::move(line));
    for (std::size_t i = 0; i < sign.outcomes().size(); ++i) {
        count_outcome(sign.outcomes()[i], result.plan.path_count[i], report);
        count_evm(sign.outcomes()[i], result.plan.path_count[i],
                  sign.deployment().etc_paths.empty() ? 0 : sign.deployment().etc_paths[i],
                  report.evm);
    }
    report.evm.selinux_policy = sign.selinux_policy();
    for (const PlannedFile &file : planned_files_under(result.plan, "/usr/etc")) {
        if (!has_signature(sign.outcomes()[file.object]))
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
