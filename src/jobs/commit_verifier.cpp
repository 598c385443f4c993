#include "ostree-ima/commit_verifier.hpp"

#include "certs/keyring.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "objects/stored_object.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "repo/commit_plan.hpp"
#include "repo/commit_reader.hpp"
#include "repo/repo.hpp"
#include "signing/evm_signer.hpp"
#include "signing/file_signature_check.hpp"

#include <algorithm>
#include <openssl/evp.h>
#include <optional>

namespace ostree_ima {

namespace {
struct ObjectVerdict {
    bool regular = false;
    std::optional<FileProblem> problem; // none: valid signature
    std::string detail;
    const SignatureScheme *scheme = nullptr; // of a well-formed security.ima
};

class ObjectVerifier {
  public:
    ObjectVerifier(const ObjectStore &store, const Keyring &keyring, const HashAlgo *required,
                   const SignatureScheme *required_scheme, bool require_evm)
        : store_(store), rules_{&keyring, required, required_scheme}, require_evm_(require_evm)
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
        v.scheme = verdict.scheme;
        if (verdict.problem)
            return problem(v, *verdict.problem, verdict.detail);
        return check_evm(v, object);
    }

    // After a valid security.ima: the portable EVM signature, as the kernel
    // checks it once EVM is on (docs/evm.md).
    [[nodiscard]] ObjectVerdict check_evm(ObjectVerdict &v, const StoredObject &object) const
    {
        const auto evm = xattr_get(object.xattrs(), kEvmXattrName);
        if (!evm)
            return require_evm_ ? problem(v, FileProblem::EvmMissing, "no security.evm (--evm)")
                                : v;
        const ImaDecodeResult decoded = decode_evm_portable_signature(*evm);
        if (!decoded.ok)
            return problem(v, FileProblem::BadEvm, "security.evm: " + decoded.problem);
        const std::string key_id = key_id_hex(decoded.value.key_id);
        const auto certs = rules_.keyring->find(decoded.value.key_id);
        if (certs.empty())
            return problem(v, FileProblem::BadEvm,
                           "security.evm key id " + key_id + " matches no --cert");
        if (!decoded.value.algo->available())
            return problem(v, FileProblem::BadEvm,
                           "security.evm: " + std::string(decoded.value.algo->name) +
                               " is not available in this OpenSSL");
        std::string why;
        for (const Certificate *cert : certs)
            if (evm_signature_verifies(*evm, object.xattrs(), object.ownership(),
                                       decoded.value.key_id, cert->public_key(), why))
                return one_key_per_format(v, object, *cert);
        return problem(v, FileProblem::BadEvm,
                       "security.evm (key id " + key_id + ", " +
                           std::string(decoded.value.algo->name) +
                           ") does not match the file's security xattrs, owner and mode");
    }

    // A security.evm by the key that signed the file's security.ima proves
    // nothing: with one key for both, the v2 signature of content shaped as
    // this file's EVM message is such a security.evm (docs/format.md, one
    // key per format). Called with the certificate the EVM signature
    // verified under.
    [[nodiscard]] ObjectVerdict one_key_per_format(ObjectVerdict &v, const StoredObject &object,
                                                   const Certificate &evm_cert) const
    {
        const auto ima = xattr_get(object.xattrs(), kImaXattrName);
        if (!ima || v.scheme == nullptr)
            return v;
        const ImaDecodeResult signature = v.scheme->decode(*ima);
        if (!signature.ok)
            return v;
        bool same = signature.value.key_id == evm_cert.ima_key_id();
        for (const Certificate *cert : rules_.keyring->find(signature.value.key_id))
            same = same || EVP_PKEY_eq(cert->public_key(), evm_cert.public_key()) == 1;
        if (!same)
            return v;
        return problem(v, FileProblem::BadEvm,
                       "security.evm is by the key of its security.ima (key id " +
                           key_id_hex(signature.value.key_id) +
                           "): one key for IMA and EVM lets a v2 signature of chosen content "
                           "pass as security.evm (sign with a separate --evm-key)");
    }

    static ObjectVerdict &problem(ObjectVerdict &v, FileProblem p, std::string detail)
    {
        v.problem = p;
        v.detail = std::move(detail);
        return v;
    }
    const ObjectStore &store_;
    SignatureRules rules_;
    bool require_evm_;
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
    // Each unique object is verified once; the verdict holds at all its paths.
    CommitReadRequest read;
    read.commit = report.commit;
    read.selector = request.selector;
    read.jobs = request.jobs;
    read.progress = request.progress;
    read.step = {"verifying"};
    read.interrupted = "verify only reads the repository";
    std::vector<ObjectVerdict> verdicts;
    std::optional<ObjectVerifier> verifier;
    const CommitPlan plan = read_commit(
        repo, read,
        {[&](const CommitPlan &p, const ObjectStore &store) {
             verdicts.resize(p.objects.size());
             verifier.emplace(store, keyring, request.required_algo, request.required_scheme,
                              request.require_evm);
         },
         [&](const ObjectStore & /*store*/, std::size_t i, const std::string &checksum) {
             verdicts[i] = verifier->verify(checksum);
         }});

    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        const ObjectVerdict &v = verdicts[i];
        if (!v.regular)
            continue;
        const std::uint64_t paths = plan.path_count[i];
        report.files_checked += paths;
        if (!v.problem)
            report.files_signed_by_scheme[std::string(v.scheme->name())] += paths;
        if (!v.problem)
            report.files_signed += paths;
        else if (*v.problem == FileProblem::Unsigned)
            report.files_unsigned += paths;
        else
            report.files_invalid += paths;
        if (v.problem)
            for (const auto &path : plan.paths[i])
                report.findings.push_back({path, plan.object(i), *v.problem, v.detail, v.scheme});
    }
    std::sort(report.findings.begin(), report.findings.end(),
              [](const VerifyFinding &a, const VerifyFinding &b) { return a.path < b.path; });
    return report;
}

} // namespace ostree_ima
