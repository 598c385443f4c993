#include "ostree-ima/commit_verifier.hpp"

#include "certs/keyring.hpp"
#include "jobs/file_signature_check.hpp"
#include "objects/stored_object.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "repo/commit_plan.hpp"
#include "repo/repo.hpp"
#include "util/parallel_for.hpp"

#include <algorithm>
#include <optional>

namespace ostree_ima {

std::string_view problem_name(FileProblem problem)
{
    switch (problem) {
    case FileProblem::Unsigned:
        return "unsigned";
    case FileProblem::Malformed:
        return "malformed";
    case FileProblem::WrongHash:
        return "wrong_hash";
    case FileProblem::UnsupportedHash:
        return "unsupported_hash";
    case FileProblem::UnknownKey:
        return "unknown_key";
    case FileProblem::BadSignature:
        return "bad_signature";
    case FileProblem::Corrupted:
        return "corrupted";
    }
    return "unknown";
}

namespace {
struct ObjectVerdict {
    bool regular = false;
    std::optional<FileProblem> problem; // none: valid signature
    std::string detail;
};

class ObjectVerifier {
  public:
    ObjectVerifier(const ObjectStore &store, const Keyring &keyring, const HashAlgo *required,
                   std::optional<SignatureFormat> required_format)
        : store_(store), rules_{&keyring, required, required_format}
    {
    }

    // Thread-safe: only reads the repository and the keyring. A damaged
    // object is a finding (a file that could not be checked), not the end of
    // the whole check.
    [[nodiscard]] ObjectVerdict verify(const std::string &checksum) const
    {
        try {
            return verify_object(checksum);
        } catch (const Error &e) {
            ObjectVerdict v;
            v.regular = true; // its type is unknown: count it as a file that failed
            return problem(v, FileProblem::Corrupted, e.what());
        }
    }

  private:
    [[nodiscard]] ObjectVerdict verify_object(const std::string &checksum) const
    {
        ObjectVerdict v;
        const std::unique_ptr<StoredObject> stored = store_.open(checksum);
        StoredObject &object = *stored;
        if (!object.is_regular())
            return v; // IMA appraises regular files only
        v.regular = true;
        const SignatureVerdict verdict = check_file_signature(
            xattr_get(object.xattrs(), kImaXattrName),
            [&](const std::function<void(std::span<const std::uint8_t>)> &sink) {
                object.read(sink, false);
            },
            rules_);
        if (verdict.problem)
            return problem(v, *verdict.problem, verdict.detail);
        return v;
    }

    static ObjectVerdict &problem(ObjectVerdict &v, FileProblem p, std::string detail)
    {
        v.problem = p;
        v.detail = std::move(detail);
        return v;
    }
    const ObjectStore &store_;
    SignatureRules rules_;
};
} // namespace

VerifyReport verify_commit(const VerifyRequest &request)
{
    const StopScope interruptible;
    const Keyring keyring = Keyring::load(request.cert_paths, request.certificates);
    const Repo repo = Repo::open(request.repo_path);
    VerifyReport report;
    report.require_all = request.require_all;
    report.commit = repo.resolve_commit(request.rev);
    const CommitPlan plan =
        plan_commit(repo.get(), report.commit, request.selector, request.jobs, PlanPaths::Keep);
    if (stop_requested())
        throw Interrupted("verify only reads the repository");

    // Each unique object is verified once; the verdict holds at all its paths.
    const ObjectStore store(repo.get(), request.jobs);
    const ObjectVerifier verifier(store, keyring, request.required_algo, request.required_format);
    std::vector<ObjectVerdict> verdicts(plan.objects.size());
    parallel_for(
        plan.objects.size(), request.jobs,
        [&](std::size_t i) { verdicts[i] = verifier.verify(plan.objects[i]); }, &stop_flag());
    if (stop_requested())
        throw Interrupted("verify only reads the repository");

    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        const ObjectVerdict &v = verdicts[i];
        if (!v.regular)
            continue;
        const std::uint64_t paths = plan.path_count[i];
        report.files_checked += paths;
        if (!v.problem)
            report.files_signed += paths;
        else if (*v.problem == FileProblem::Unsigned)
            report.files_unsigned += paths;
        else
            report.files_invalid += paths;
        if (v.problem)
            for (const auto &path : plan.paths[i])
                report.findings.push_back({path, plan.objects[i], *v.problem, v.detail});
    }
    std::sort(report.findings.begin(), report.findings.end(),
              [](const VerifyFinding &a, const VerifyFinding &b) { return a.path < b.path; });
    return report;
}

} // namespace ostree_ima
