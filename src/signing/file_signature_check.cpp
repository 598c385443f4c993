#include "signing/file_signature_check.hpp"

#include "ima/signature_check.hpp"
#include "ima/signed_digest.hpp"
#include "ostree-ima/ima_xattr.hpp"

namespace ostree_ima {

SignatureVerdict check_file_signature(const std::optional<std::vector<std::uint8_t>> &xattr,
                                      const ContentFeed &content, const SignatureRules &rules,
                                      const VerityMeasure &measure_verity)
{
    if (!xattr)
        return {FileProblem::Unsigned, "no security.ima", nullptr};
    const SignatureScheme &scheme = scheme_claimed_by(*xattr);
    const ImaDecodeResult decoded = scheme.decode(*xattr);
    // The format of a well-formed signature is reported whatever the verdict.
    const auto problem = [&](FileProblem p, std::string detail) {
        SignatureVerdict v{p, std::move(detail), nullptr};
        if (decoded.ok)
            v.scheme = &scheme;
        return v;
    };
    if (rules.required_scheme != nullptr && &scheme != rules.required_scheme)
        return problem(FileProblem::Malformed,
                       "security.ima holds a " + std::string(scheme.name()) +
                           " signature, not the " + std::string(rules.required_scheme->name()) +
                           " one required");
    if (!decoded.ok)
        return problem(FileProblem::Malformed, "security.ima: " + decoded.problem);
    const ImaSignatureV2 &sig = decoded.value;
    const std::string key_id = key_id_hex(sig.key_id);
    if (rules.required_algo != nullptr && sig.algo != rules.required_algo)
        return problem(FileProblem::WrongHash, "signed with " + std::string(sig.algo->name) +
                                                   ", --hash requires " +
                                                   std::string(rules.required_algo->name));
    const auto certs = rules.keyring->find(sig.key_id);
    if (certs.empty())
        return problem(FileProblem::UnknownKey, "key id " + key_id + " matches no --cert");
    if (!sig.algo->available())
        return problem(FileProblem::UnsupportedHash,
                       std::string(sig.algo->name) + " is not available in this OpenSSL");
    if (!scheme.accepts(*sig.algo))
        return problem(FileProblem::UnsupportedHash,
                       std::string(scheme.message_prefix()) + "signature with " +
                           std::string(sig.algo->name) + ": only sha256 fs-verity digests are " +
                           "computed");
    std::vector<std::uint8_t> digest;
    // A scheme that signs the fs-verity digest takes the filesystem's own
    // measurement when there is one (a checkout with fs-verity enabled).
    if (measure_verity && scheme.signs_fs_verity_digest()) {
        const VerityMeasurement measured = measure_verity();
        if (measured.problem)
            return problem(*measured.problem, measured.detail);
        if (measured.algo != sig.algo)
            return problem(FileProblem::BadSignature,
                           "the file's fs-verity digest is of another algorithm than the "
                           "signature's " +
                               std::string(sig.algo->name));
        digest = scheme.digest_of_measured_verity(*sig.algo, measured.digest);
    } else {
        SignedDigest hasher(scheme, *sig.algo);
        content([&](std::span<const std::uint8_t> chunk) { hasher.update(chunk); });
        digest = hasher.finish();
    }
    for (const Certificate *cert : certs)
        if (verify_digest_signature(cert->public_key(), *sig.algo, digest, sig.signature))
            return {std::nullopt, {}, &scheme};
    return problem(FileProblem::BadSignature,
                   std::string(scheme.message_prefix()) + "signature (key id " + key_id + ", " +
                       std::string(sig.algo->name) + ") does not match the content");
}

} // namespace ostree_ima
