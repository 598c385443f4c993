#include "ostree-ima/commit_digests.hpp"

#include "ima/signature_check.hpp"
#include "jobs/jobs_in_repo.hpp"
#include "objects/stored_object.hpp"
#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "repo/commit_plan.hpp"
#include "repo/commit_reader.hpp"
#include "repo/repo.hpp"
#include "signing/known_signatures.hpp"
#include "signing/signing_decision.hpp"
#include "util/progress.hpp"
#include "util/text_encoding.hpp"

#include <iterator>
#include <optional>
#include <stdexcept>
#include <unordered_map>

namespace ostree_ima {

namespace {
// The digest `sign` would sign for this object; nullopt when it would not
// sign it: a symlink, or a file whose security.ima it would keep (the rules
// of SigningDecision, with the signer's certificate when the selection names
// one; without, every existing signature is listed, since none can be told
// valid).
std::optional<std::vector<std::uint8_t>>
digest_to_sign(const ObjectStore &store, const std::string &checksum, const HashAlgo &algo,
               const DigestSelection &selection, const EVP_PKEY *signer)
{
    const std::unique_ptr<StoredObject> object = store.open(checksum);
    if (!object->is_regular())
        return std::nullopt;
    const bool signer_known = selection.signer_key_id.has_value();
    SigningDecision decision(checksum, object->xattrs(), object->size(), algo,
                             selection.signer_key_id.value_or(KeyId{}),
                             selection.overwrite || !signer_known, *selection.scheme);
    if (decision.keeps_other_key())
        return std::nullopt;
    object->read([&](std::span<const std::uint8_t> chunk) { decision.update(chunk); }, false);
    if (decision.checks_own_key() && decision.own_signature_verifies(signer))
        return std::nullopt;
    return decision.digest();
}
bool has_valid_signature(const KnownSignatures &known, const HashAlgo &algo,
                         std::span<const std::uint8_t> digest, const EVP_PKEY *signer)
{
    for (const KnownSignature &candidate : known.find(algo, digest))
        if (verify_digest_signature(signer, algo, digest, candidate.signature))
            return true;
    return false;
}
} // namespace

DigestManifest compute_commit_digests(const DigestsRequest &request)
{
    return compute_commit_digests(Repo::open(request.repo_path), request);
}

DigestManifest compute_commit_digests(const Repo &repo, const DigestsRequest &request,
                                      const ProgressStep &step)
{
    const StopScope interruptible;
    if (request.selection.signer_key_id && request.signer_public_key == nullptr)
        throw std::invalid_argument("compute_commit_digests: signer_key_id needs its public key");
    // Fail here, not after the signing room's work, when `apply` could not
    // write the signatures into this repository.
    repo.require_xattr_support();
    DigestManifest manifest;
    manifest.commit = repo.resolve_commit(request.source_rev);
    manifest.algo = request.algo;
    manifest.selection = request.selection;
    // --reuse: what a reused commit has a valid signature for is not asked
    // of the signing room (apply takes it from the same commits).
    KnownSignatures known(*request.selection.scheme);
    if (!request.selection.reuse.empty() && !request.selection.signer_key_id)
        throw UsageError("--reuse needs --cert: only signatures by the signing key are reused");
    if (!request.selection.reuse.empty()) {
        KnownSignatures::AddedCommits reused =
            known.add_commits(repo, request.selection.reuse, request.signer_public_key,
                              *request.selection.signer_key_id, request.jobs);
        if (stop_requested())
            throw Interrupted("the repository was only read, no manifest was written");
        manifest.selection.reuse = std::move(reused.commits); // recorded as commit checksums
        if (request.reuse_warnings != nullptr)
            request.reuse_warnings->insert(request.reuse_warnings->end(),
                                           std::make_move_iterator(reused.skipped.begin()),
                                           std::make_move_iterator(reused.skipped.end()));
    }

    CommitReadRequest read;
    read.commit = manifest.commit;
    read.selector = request.selection.selector;
    read.jobs = request.jobs;
    read.progress = request.progress;
    read.step = step;
    read.interrupted = "the repository was only read, no manifest was written";
    std::vector<std::optional<std::vector<std::uint8_t>>> digests;
    const std::vector<std::vector<std::string>> *plan_paths = nullptr;
    CommitPlan plan = read_commit(
        repo, read,
        {[&](const CommitPlan &p, const ObjectStore & /*store*/) {
             digests.resize(p.objects.size());
             plan_paths = &p.paths;
         },
         [&](const ObjectStore &store, std::size_t i, const std::string &checksum) {
             try {
                 digests[i] = digest_to_sign(store, checksum, *request.algo, request.selection,
                                             request.signer_public_key);
             } catch (const RefusedContent &refused) {
                 throw refused_content_error(refused, (*plan_paths)[i]);
             }
             if (digests[i] &&
                 has_valid_signature(known, *request.algo, *digests[i], request.signer_public_key))
                 digests[i].reset();
         }});

    // Objects that differ only in metadata share a digest, and one signature
    // serves them all: one entry per digest, with every path.
    std::unordered_map<std::string, std::size_t> entry_of;
    for (std::size_t i = 0; i < digests.size(); ++i) {
        if (!digests[i])
            continue;
        const auto [it, inserted] =
            entry_of.try_emplace(to_hex(*digests[i]), manifest.entries.size());
        if (inserted)
            manifest.entries.push_back({std::move(*digests[i]), {}});
        auto &paths = manifest.entries[it->second].paths;
        paths.insert(paths.end(), std::make_move_iterator(plan.paths[i].begin()),
                     std::make_move_iterator(plan.paths[i].end()));
    }
    return manifest;
}

} // namespace ostree_ima
