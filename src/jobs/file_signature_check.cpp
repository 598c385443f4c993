#include "jobs/file_signature_check.hpp"

#include "ima/signature_check.hpp"
#include "ima/signed_digest.hpp"
#include "ima/verity_file_id.hpp"
#include "ostree-ima/ima_verity_xattr.hpp"
#include "ostree-ima/ima_xattr.hpp"

namespace ostree_ima {

SignatureVerdict check_file_signature(const std::optional<std::vector<std::uint8_t>> &xattr,
                                      const ContentFeed &content, const SignatureRules &rules,
                                      const VerityMeasure &measure_verity)
{
    if (!xattr)
        return {FileProblem::Unsigned, "no security.ima", std::nullopt};
    const SignatureFormat format =
        is_ima_verity_xattr(*xattr) ? SignatureFormat::Verity : SignatureFormat::Digest;
    const ImaDecodeResult decoded = decode_signature(format, *xattr);
    // The format of a well-formed signature is reported whatever the verdict.
    const auto problem = [&](FileProblem p, std::string detail) {
        SignatureVerdict v{p, std::move(detail), std::nullopt};
        if (decoded.ok)
            v.format = format;
        return v;
    };
    if (rules.required_format && format != *rules.required_format)
        return problem(FileProblem::Malformed,
                       "security.ima holds a " + std::string(signature_format_name(format)) +
                           " signature, not the " +
                           std::string(signature_format_name(*rules.required_format)) +
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
    if (format == SignatureFormat::Verity && sig.algo != &verity_hash_algo())
        return problem(FileProblem::UnsupportedHash,
                       "fs-verity signature with " + std::string(sig.algo->name) +
                           ": only sha256 fs-verity digests are computed");
    std::vector<std::uint8_t> digest;
    if (format == SignatureFormat::Verity && measure_verity) {
        const VerityMeasurement measured = measure_verity();
        if (measured.problem)
            return problem(*measured.problem, measured.detail);
        if (measured.algo != sig.algo)
            return problem(FileProblem::BadSignature,
                           "the file's fs-verity digest is of another algorithm than the "
                           "signature's " +
                               std::string(sig.algo->name));
        digest = verity_file_id_digest(*sig.algo, measured.digest);
    } else {
        SignedDigest hasher(format, *sig.algo);
        content([&](std::span<const std::uint8_t> chunk) { hasher.update(chunk); });
        digest = hasher.finish();
    }
    for (const Certificate *cert : certs)
        if (verify_digest_signature(cert->public_key(), *sig.algo, digest, sig.signature))
            return {std::nullopt, {}, format};
    return problem(FileProblem::BadSignature,
                   std::string(format == SignatureFormat::Verity ? "fs-verity " : "") +
                       "signature (key id " + key_id + ", " + std::string(sig.algo->name) +
                       ") does not match the content");
}

} // namespace ostree_ima
