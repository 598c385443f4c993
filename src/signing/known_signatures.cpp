#include "signing/known_signatures.hpp"

#include "ima/algorithms/digest_recovery.hpp"
#include "ima/signature_size.hpp"
#include "ima/signed_digest.hpp"
#include "objects/stored_object.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/cancellation.hpp"
#include "repo/commit_plan.hpp"
#include "repo/commit_reader.hpp"
#include "util/parallel_for.hpp"
#include "util/quoted_input.hpp"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <optional>

namespace ostree_ima {

namespace {
std::string key_of(const HashAlgo &algo, std::span<const std::uint8_t> digest)
{
    std::string key(1, static_cast<char>(algo.kernel_id));
    key.append(reinterpret_cast<const char *>(digest.data()), digest.size());
    return key;
}

const std::vector<KnownSignature> kNone;
} // namespace

void KnownSignatures::add(const HashAlgo &algo, std::span<const std::uint8_t> digest,
                          KnownSignature known)
{
    by_digest_[key_of(algo, digest)].push_back(std::move(known));
    ++size_;
}

const std::vector<KnownSignature> &KnownSignatures::find(const HashAlgo &algo,
                                                         std::span<const std::uint8_t> digest) const
{
    const auto it = by_digest_.find(key_of(algo, digest));
    return it == by_digest_.end() ? kNone : it->second;
}

void KnownSignatures::add_cache(const CacheContents &cache, const KeyId &key_id)
{
    for (const CachedSignature &entry : cache.entries)
        if (entry.key_id == key_id && entry.scheme == &scheme_)
            add(*entry.algo, entry.digest, {SignatureOrigin::Cache, entry.signature});
}

std::vector<std::string> KnownSignatures::add_commit(const Repo &repo, const std::string &commit,
                                                     const EVP_PKEY *public_key,
                                                     const KeyId &key_id, unsigned jobs)
{
    // A damaged --reuse commit only costs signatures the key then makes:
    // what cannot be read is skipped, named, never taken for the source.
    CommitReadRequest read;
    read.commit = commit;
    read.jobs = jobs;
    std::mutex mutex;
    std::vector<std::string> skipped;
    const std::vector<std::vector<std::string>> *paths = nullptr;
    try {
        (void)read_commit(
            repo, read,
            {[&](const CommitPlan &plan, const ObjectStore & /*store*/) { paths = &plan.paths; },
             [&](const ObjectStore &store, std::size_t i, const std::string &checksum) {
                 try {
                     add_object(store, checksum, public_key, key_id, mutex);
                 } catch (const Interrupted &) {
                     throw;
                 } catch (const Error &e) {
                     const std::lock_guard<std::mutex> lock(mutex);
                     skipped.push_back("--reuse commit " + commit + ": " +
                                       printable_input((*paths)[i].front(), 300) +
                                       " not reused: " + e.what());
                 }
             }});
    } catch (const Interrupted &) {
        throw;
    } catch (const Error &e) {
        if (paths != nullptr) // only the plan's errors reach here
            throw;
        return {"--reuse commit " + commit +
                " cannot be read, nothing is reused from it: " + e.what()};
    }
    std::sort(skipped.begin(), skipped.end()); // the same order whatever the threads did
    return skipped;
}

KnownSignatures::AddedCommits KnownSignatures::add_commits(const Repo &repo,
                                                           const std::vector<std::string> &revs,
                                                           const EVP_PKEY *public_key,
                                                           const KeyId &key_id, unsigned jobs,
                                                           const TakenWhole &taken_whole)
{
    AddedCommits added;
    for (const std::string &rev : revs) {
        added.commits.push_back(repo.resolve_commit(rev));
        if (taken_whole && taken_whole(rev, added.commits.back()))
            continue;
        std::vector<std::string> skipped =
            add_commit(repo, added.commits.back(), public_key, key_id, jobs);
        added.skipped.insert(added.skipped.end(), std::make_move_iterator(skipped.begin()),
                             std::make_move_iterator(skipped.end()));
        if (stop_requested())
            break;
    }
    return added;
}

void KnownSignatures::add_objects(const ObjectStore &store,
                                  const std::vector<std::string> &checksums,
                                  const EVP_PKEY *public_key, const KeyId &key_id, unsigned jobs)
{
    std::mutex mutex;
    parallel_for(
        checksums.size(), jobs,
        [&](std::size_t i) {
            try {
                add_object(store, checksums[i], public_key, key_id, mutex);
            } catch (const Interrupted &) {
                throw;
            } catch (const Error &) {
                // Left out: a later need of the same digest asks the key.
            }
        },
        &stop_flag());
}

void KnownSignatures::add_object(const ObjectStore &store, const std::string &checksum,
                                 const EVP_PKEY *public_key, const KeyId &key_id, std::mutex &mutex)
{
    const std::unique_ptr<StoredObject> object = store.open(checksum);
    if (!object->is_regular())
        return;
    const auto value = xattr_get(object->xattrs(), kImaXattrName);
    if (!value)
        return;
    const ImaDecodeResult decoded = scheme_.decode(*value);
    // Larger than the tool carries: no key of ours made it, and the cache
    // could not hold it.
    if (!decoded.ok || decoded.value.key_id != key_id || !decoded.value.algo->available() ||
        decoded.value.signature.size() > kMaxSignatureBytes)
        return;
    const HashAlgo &algo = *decoded.value.algo;
    if (!scheme_.accepts(algo))
        return; // no signature of ours: SignedDigest refuses it
    const DigestRecovery recovery(public_key, algo);
    std::optional<std::vector<std::uint8_t>> digest;
    if (recovery.available()) {
        digest = recovery.recover(decoded.value.signature);
    } else {
        SignedDigest hasher(scheme_, algo);
        object->read([&](std::span<const std::uint8_t> c) { hasher.update(c); }, false);
        digest = hasher.finish();
    }
    if (!digest)
        return; // not a signature of this key: nothing to reuse
    const std::lock_guard<std::mutex> lock(mutex);
    add(algo, *digest, {SignatureOrigin::Commit, decoded.value.signature});
}

std::uint64_t open_signature_cache(const std::string &path, const KeyId &key_id,
                                   KnownSignatures &known,
                                   std::optional<SignatureCacheWriter> &writer)
{
    if (path.empty())
        return 0;
    writer.emplace(path);
    known.add_cache(writer->contents(), key_id);
    return writer->contents().skipped;
}

} // namespace ostree_ima
