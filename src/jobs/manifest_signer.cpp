#include "ostree-ima/manifest_signer.hpp"

#include "formats/signature_cache.hpp"
#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/error.hpp"
#include "signing/known_signatures.hpp"
#include "signing/reusing_signer.hpp"
#include "util/parallel_for.hpp"
#include "util/progress.hpp"

#include <algorithm>
#include <optional>

namespace ostree_ima {

SignedManifest sign_manifest(const ManifestSignRequest &request, KeyBackend &key_backend)
{
    const StopScope interruptible;
    const DigestManifest &manifest = *request.manifest;
    // Refused here, before a token is used, rather than by `apply` later.
    if (const auto &signer = manifest.selection.signer_key_id; signer && *signer != request.key_id)
        throw Error("the manifest was made for the key with IMA key id " + key_id_hex(*signer) +
                    " (digests --cert), but " + key_backend.description() + " signs with key id " +
                    key_id_hex(request.key_id) +
                    "; sign it with that key, or make the manifest again with this key's "
                    "certificate");
    KnownSignatures known(*manifest.selection.scheme);
    std::optional<SignatureCacheWriter> cache;
    const std::uint64_t cache_lines_skipped =
        open_signature_cache(request.signature_cache, request.key_id, known, cache);
    ReusingSigner key(key_backend, request.key_id, known, cache ? &*cache : nullptr);
    SignatureFile out;
    out.manifest.commit = manifest.commit;
    out.manifest.algo = manifest.algo;
    out.manifest.manifest_sha256 = request.manifest_sha256;
    out.manifest.selection = manifest.selection;
    out.key_id = request.key_id;
    out.certificate_der = request.certificate_der;
    out.signatures.resize(manifest.entries.size());
    // Signing is all this job does: one thread per signature in flight.
    const unsigned jobs = std::max(1U, key.max_parallel());
    // The time left follows the key: what it still has to sign is what no
    // signature of the cache covers (weight 1), the rest costs little.
    std::vector<char> for_the_key;
    std::uint64_t key_digests = 0;
    if (request.progress != nullptr) {
        for_the_key.resize(manifest.entries.size());
        for (std::size_t i = 0; i < manifest.entries.size(); ++i) {
            for_the_key[i] = known.find(*manifest.algo, manifest.entries[i].digest).empty() ? 1 : 0;
            key_digests += static_cast<std::uint64_t>(for_the_key[i]);
        }
    }
    ProgressMeter progress(request.progress, {"signing digests", "digest", "digests"},
                           manifest.entries.size(), key_digests, 0, [&key] {
                               const SignatureCounts c = key.counts();
                               return SignatureProgress{c.made, c.from_commit + c.from_cache};
                           });
    parallel_for(
        manifest.entries.size(), jobs,
        [&](std::size_t i) {
            const auto started = ProgressMeter::Clock::now();
            const auto &digest = manifest.entries[i].digest;
            DigestSignature &s = out.signatures[i];
            s.digest = digest;
            // A token that signs wrongly must not send a useless file back to
            // the build host: ReusingSigner checks each signature the key
            // makes (sign_checked), here, where it can be redone.
            s.signature = key.sign(*manifest.algo, digest);
            progress.unit_done(for_the_key.empty() ? 0 : static_cast<std::uint64_t>(for_the_key[i]),
                               0, started);
        },
        &stop_flag());
    if (stop_requested())
        throw Interrupted("no signatures file was written");
    progress.finish();
    SignedManifest signed_manifest{std::move(out), key.counts()};
    signed_manifest.signatures.cache_lines_skipped = cache_lines_skipped;
    return signed_manifest;
}

} // namespace ostree_ima
