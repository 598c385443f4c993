#include "ostree-ima/signature_applier.hpp"

#include "ima/algorithms/key_algorithm.hpp"
#include "ima/signature_check.hpp"
#include "jobs/jobs_in_repo.hpp"
#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/commit_digests.hpp"
#include "ostree-ima/error.hpp"
#include "repo/repo.hpp"
#include "repo/stop_check.hpp"
#include "signing/presigned_backend.hpp"
#include "util/parallel_for.hpp"
#include "util/text_encoding.hpp"

#include <algorithm>
#include <unordered_map>

namespace ostree_ima {

namespace {
constexpr const char *kRedo = "run 'ostree-ima digests' and 'sign-digests' again";

void check_key(const std::string &origin, const SignatureFile &file, const Certificate &cert)
{
    (void)check_key_shape(cert.public_key(), "the key of certificate " + cert.origin());
    if (cert.ima_key_id() != file.key_id)
        throw Error(origin + " was signed with key id " + key_id_hex(file.key_id) +
                    ", but certificate " + cert.origin() + " has key id " +
                    key_id_hex(cert.ima_key_id()) + "; pass the signing key's certificate");
    const auto &signer = file.manifest.selection.signer_key_id;
    if (signer && *signer != cert.ima_key_id())
        throw Error(origin + " is for a manifest made with the certificate of key id " +
                    key_id_hex(*signer) + " (digests --cert), but certificate " + cert.origin() +
                    " has key id " + key_id_hex(cert.ima_key_id()) +
                    "; pass the signing key's certificate");
    if (file.certificate_der.empty())
        return;
    const Certificate in_file = Certificate::from_bytes(file.certificate_der, origin);
    if (!same_public_key(in_file.public_key(), cert.public_key()))
        throw Error(origin + " carries the certificate of another key (" + in_file.subject() +
                    ") than " + cert.origin() + "; pass the signing key's certificate");
}

// Every digest the repository gives must have a signature and every
// signature a digest; then the manifest bytes themselves must be the same.
void check_manifest(const std::string &origin, const SignatureFile &file,
                    const DigestManifest &recomputed,
                    const std::unordered_map<std::string, const DigestSignature *> &by_digest)
{
    for (const auto &entry : recomputed.entries) {
        if (by_digest.find(to_hex(entry.digest)) == by_digest.end())
            throw Error(origin + " has no signature for " + entry.paths.front() + " (digest " +
                        to_hex(entry.digest) + "): it was made for another manifest; " + kRedo);
    }
    if (file.signatures.size() != recomputed.entries.size()) {
        std::unordered_map<std::string, bool> wanted;
        for (const auto &entry : recomputed.entries)
            wanted.emplace(to_hex(entry.digest), true);
        for (const auto &s : file.signatures)
            if (wanted.find(to_hex(s.digest)) == wanted.end())
                throw Error(origin + " signs digest " + to_hex(s.digest) +
                            ", which no selected file of the commit has: it was made for "
                            "another manifest; " +
                            kRedo);
    }
    if (sha256_hex(serialize_digest_manifest(recomputed)) != file.manifest.manifest_sha256)
        throw Error(origin +
                    " was made for another manifest of this commit (its manifest "
                    "SHA-256 differs from the one recomputed from the repository); " +
                    kRedo);
}
} // namespace

SignReport apply_signatures(const ApplyRequest &request, const SignatureFile &file,
                            const Certificate &cert)
{
    const std::string &origin = request.signatures_origin;
    check_key(origin, file, cert);
    const StopScope interruptible; // the recomputed manifest takes as long as a sign
    const Repo repo = Repo::open(request.repo_path);
    const std::string commit = repo.resolve_commit(request.source_rev);
    if (commit != file.manifest.commit)
        throw Error(origin + " is for commit " + file.manifest.commit + ", not " +
                    request.source_rev + " (" + commit + "); sign this commit's digests");

    if (!request.reuse.empty()) {
        std::vector<std::string> given;
        for (const std::string &rev : request.reuse)
            given.push_back(repo.resolve_commit(rev));
        std::vector<std::string> recorded = file.manifest.selection.reuse;
        std::sort(given.begin(), given.end());
        std::sort(recorded.begin(), recorded.end());
        if (given != recorded)
            throw Error(origin + " was made with other --reuse commits than given here; apply "
                                 "takes those the manifest names: leave --reuse out, or make "
                                 "the manifest again");
    }
    DigestsRequest digests;
    digests.repo_path = request.repo_path;
    digests.source_rev = commit;
    digests.algo = file.manifest.algo;
    digests.selection = file.manifest.selection;
    digests.signer_public_key = cert.public_key();
    digests.jobs = request.jobs;
    digests.progress = request.progress;
    DigestManifest recomputed;
    try {
        recomputed =
            compute_commit_digests(repo, digests, {"computing digests", "object", "objects", 1, 2});
    } catch (const Interrupted &) {
        throw_if_stopped(repo.get(), request.target_ref); // says where the ref points
        throw;
    }
    std::unordered_map<std::string, const DigestSignature *> by_digest;
    for (const auto &s : file.signatures)
        by_digest.emplace(to_hex(s.digest), &s);
    check_manifest(origin, file, recomputed, by_digest);

    // Every signature, for the digest the repository gives, before any write.
    parallel_for(
        recomputed.entries.size(), request.jobs,
        [&](std::size_t i) {
            const DigestEntry &entry = recomputed.entries[i];
            const DigestSignature &s = *by_digest.at(to_hex(entry.digest));
            if (!verify_digest_signature(cert.public_key(), *file.manifest.algo, entry.digest,
                                         s.signature))
                throw Error(origin + ": the signature for " + entry.paths.front() +
                            " does not verify against " + cert.origin() +
                            "; the file was altered or signed with another key");
        },
        &stop_flag());
    throw_if_stopped(repo.get(), request.target_ref);

    PresignedBackend backend(file, cert, origin);
    SignRequest sign;
    sign.repo_path = request.repo_path;
    sign.source_rev = commit;
    sign.target_ref = request.target_ref;
    sign.algo = file.manifest.algo;
    sign.key_id = file.key_id;
    sign.overwrite = file.manifest.selection.overwrite;
    sign.scheme = file.manifest.selection.scheme;
    sign.selector = file.manifest.selection.selector;
    sign.jobs = request.jobs;
    sign.reuse = file.manifest.selection.reuse;
    sign.progress = request.progress;
    sign.allow_large_xattrs = request.allow_large_xattrs;
    return sign_commit(repo, sign, backend, {"writing signatures", "object", "objects", 2, 2});
}

} // namespace ostree_ima
