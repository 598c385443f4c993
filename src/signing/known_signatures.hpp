// KnownSignatures: signatures made before, by digest, that a run may take
// instead of asking the key again: those a signed commit carries (--reuse)
// and those of a signature cache (--signature-cache). Only the signing key's
// (by key id) and of the run's scheme are kept (a v2 signature signs the
// file digest, a sigv3 one the hash of the fs-verity file id: one is never
// taken for the other); each is verified when it is used (ReusingSigner), so
// a stale or hostile source can never put an invalid signature into a
// commit.
#pragma once

#include "formats/signature_cache.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "objects/stored_object.hpp"
#include "repo/repo.hpp"

#include <cstdint>
#include <functional>
#include <mutex>
#include <openssl/evp.h>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace ostree_ima {

enum class SignatureOrigin { Commit, Cache };

struct KnownSignature {
    SignatureOrigin origin;
    std::vector<std::uint8_t> signature;
};

class KnownSignatures {
  public:
    explicit KnownSignatures(const SignatureScheme &scheme) : scheme_(scheme) {}
    [[nodiscard]] const SignatureScheme &scheme() const { return scheme_; }
    void add(const HashAlgo &algo, std::span<const std::uint8_t> digest, KnownSignature known);
    // The candidates for this digest (none: empty).
    [[nodiscard]] const std::vector<KnownSignature> &
    find(const HashAlgo &algo, std::span<const std::uint8_t> digest) const;
    [[nodiscard]] std::size_t size() const { return size_; }

    // The cache's entries with `key_id` and this scheme.
    void add_cache(const CacheContents &cache, const KeyId &key_id);

    // The security.ima signatures of this scheme with `key_id` of every
    // regular file of `commit`: for an RSA key the signed digest is recovered
    // from the signature with `public_key` (headers only are read), for an EC
    // key the file is hashed (SignedDigest) with the signature's algorithm.
    // Honours stop requests. What cannot be read (a damaged commit, tree or
    // object) is skipped: returns one warning per skip, naming the commit
    // and the path.
    [[nodiscard]] std::vector<std::string> add_commit(const Repo &repo, const std::string &commit,
                                                      const EVP_PKEY *public_key,
                                                      const KeyId &key_id, unsigned jobs);

    // add_commit for each --reuse REV, resolved to its commit, in order;
    // stops between commits when a stop is requested (the caller says what
    // was left undone). The one --reuse loop of sign and digests.
    struct AddedCommits {
        std::vector<std::string> commits; // the checksums the revs resolved to
        std::vector<std::string> skipped; // add_commit's warnings, in order
    };
    // `taken_whole(rev, commit)`, when given, is asked first: a commit it
    // returns true for is not read (sign takes it by its record instead).
    using TakenWhole = std::function<bool(const std::string &rev, const std::string &commit)>;
    [[nodiscard]] AddedCommits add_commits(const Repo &repo, const std::vector<std::string> &revs,
                                           const EVP_PKEY *public_key, const KeyId &key_id,
                                           unsigned jobs, const TakenWhole &taken_whole = {});

    // The signatures of these objects (as add_commit's), on `jobs` threads;
    // what cannot be read is left out silently (a later need of the same
    // digest asks the key).
    void add_objects(const ObjectStore &store, const std::vector<std::string> &checksums,
                     const EVP_PKEY *public_key, const KeyId &key_id, unsigned jobs);

  private:
    void add_object(const ObjectStore &store, const std::string &checksum,
                    const EVP_PKEY *public_key, const KeyId &key_id, std::mutex &mutex);
    const SignatureScheme &scheme_;
    std::unordered_map<std::string, std::vector<KnownSignature>> by_digest_;
    std::size_t size_ = 0;
};

// --signature-cache PATH for a run: its entries by `key_id` join `known`,
// and `writer` appends what the key makes from now on. Returns how many
// lines were not entries (garbage, a line cut by a crash). An empty path:
// nothing, 0.
std::uint64_t open_signature_cache(const std::string &path, const KeyId &key_id,
                                   KnownSignatures &known,
                                   std::optional<SignatureCacheWriter> &writer);

} // namespace ostree_ima
