#include "ostree-ima/deployment_verifier.hpp"

#include "certs/keyring.hpp"
#include "jobs/file_signature_check.hpp"
#include "objects/object_file_io.hpp"
#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "util/fd.hpp"
#include "util/file_tree.hpp"
#include "util/file_xattr.hpp"
#include "util/parallel_for.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

namespace ostree_ima {

std::string_view etc_state_name(EtcState state)
{
    switch (state) {
    case EtcState::Valid:
        return "valid";
    case EtcState::Stale:
        return "stale";
    case EtcState::Unsigned:
        return "unsigned";
    case EtcState::Invalid:
        return "invalid";
    }
    return "unknown";
}

namespace {
constexpr std::string_view kEtc = "/etc/";

bool under_etc(const std::string &path)
{
    return path.compare(0, kEtc.size(), kEtc) == 0;
}

Fd open_file(const std::string &path)
{
    return Fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
}

// The file's content as it is now (its size when opened), in chunks.
void feed(int fd, const std::string &what,
          const std::function<void(std::span<const std::uint8_t>)> &sink)
{
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw Error("cannot stat " + what + ": " + std::strerror(errno));
    std::vector<std::uint8_t> buf(kIoChunk);
    read_chunks(fd, static_cast<std::uint64_t>(st.st_size), buf, sink, what);
}

struct FileVerdict {
    SignatureVerdict signature;
    std::optional<std::vector<std::uint8_t>> xattr;
};

FileVerdict check_one(const std::string &full, const std::string &path, const SignatureRules &rules)
{
    FileVerdict v;
    try {
        const Fd fd = open_file(full);
        if (!fd.valid())
            throw Error("cannot open " + path + ": " + std::strerror(errno));
        v.xattr = read_xattr(fd.get(), kImaXattrName, path);
        v.signature = check_file_signature(
            v.xattr,
            [&](const std::function<void(std::span<const std::uint8_t>)> &sink) {
                feed(fd.get(), path, sink);
            },
            rules);
    } catch (const Error &e) {
        v.signature = {FileProblem::Corrupted, e.what(), std::nullopt};
    }
    return v;
}

// The file /etc/X came from: /usr/etc/X, if the tree has it.
struct Origin {
    bool exists = false;
    std::optional<std::vector<std::uint8_t>> xattr;
};

Origin origin_of(const std::string &root, const std::string &etc_path)
{
    Origin o;
    const std::string usr_etc = root + "/usr" + etc_path;
    struct stat st {};
    if (::lstat(usr_etc.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return o;
    o.exists = true;
    const Fd fd = open_file(usr_etc);
    if (fd.valid()) {
        try {
            o.xattr = read_xattr(fd.get(), kImaXattrName, "/usr" + etc_path);
        } catch (const Error &) {
            o.xattr.reset(); // only a hint for the detail line
        }
    }
    return o;
}

// What an /etc finding means, and what to do about it.
void classify_etc(const std::string &root, const std::string &path, const FileVerdict &v,
                  DeploymentFinding &f, DeploymentReport &report)
{
    const Origin origin = origin_of(root, path);
    const std::string from = "/usr" + path;
    if (f.problem == FileProblem::Unsigned) {
        f.etc = EtcState::Unsigned;
        ++report.etc_unsigned;
        f.detail = origin.exists
                       ? "no security.ima: replaced since deployment (saved by rename, as "
                         "editors do); " +
                             from + " holds the shipped one"
                       : "no security.ima: added locally (no " + from + ")";
        return;
    }
    if (f.problem == FileProblem::BadSignature) {
        f.etc = EtcState::Stale;
        ++report.etc_stale;
        const bool shipped = origin.exists && origin.xattr && v.xattr && *origin.xattr == *v.xattr;
        f.detail = (shipped ? "edited since deployment: it still carries " + from +
                                  "'s signature, which no longer matches"
                            : "content changed after it was signed: " + f.detail) +
                   "; the /etc merge copies it into later deployments: restore " + from +
                   " or remove the stale signature (setfattr -x security.ima)";
        return;
    }
    f.etc = EtcState::Invalid;
    ++report.etc_invalid;
}
} // namespace

DeploymentReport verify_deployment(const DeploymentVerifyRequest &request)
{
    const StopScope interruptible;
    const Keyring keyring = Keyring::load(request.cert_paths, request.certificates);
    struct stat st {};
    if (::stat((request.path + "/usr").c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error(request.path +
                    " is not a deployment: it has no usr/ directory (give the deployed tree, "
                    "e.g. /sysroot/ostree/deploy/OS/deploy/CHECKSUM.0, or /)");
    // A deployment is its /usr and /etc; /var, /boot and, on a running
    // system, /proc and the like are not what was signed.
    std::vector<std::string> files;
    for (const std::string top : {"/usr", "/etc"}) {
        struct stat top_st {};
        if (::lstat((request.path + top).c_str(), &top_st) != 0 || !S_ISDIR(top_st.st_mode))
            continue;
        for (std::string &file : regular_files_under(request.path + top))
            files.push_back(top + file);
    }
    const SignatureRules rules{&keyring, request.required_algo, request.required_format};
    std::vector<FileVerdict> verdicts(files.size());
    parallel_for(
        files.size(), request.jobs,
        [&](std::size_t i) { verdicts[i] = check_one(request.path + files[i], files[i], rules); },
        &stop_flag());
    if (stop_requested())
        throw Interrupted("verify only reads the tree");

    DeploymentReport report;
    report.path = request.path;
    report.require_all = request.require_all;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const FileVerdict &v = verdicts[i];
        const std::optional<FileProblem> &problem = v.signature.problem;
        if (under_etc(files[i])) {
            ++report.etc_checked;
            if (!problem) {
                ++report.etc_valid;
                continue;
            }
            DeploymentFinding f{files[i], *problem, std::nullopt, v.signature.detail, false};
            classify_etc(request.path, files[i], v, f, report);
            report.findings.push_back(std::move(f));
            continue;
        }
        ++report.files_checked;
        if (!problem) {
            ++report.files_signed;
            continue;
        }
        const bool is_unsigned = *problem == FileProblem::Unsigned;
        if (is_unsigned)
            ++report.files_unsigned;
        else
            ++report.files_invalid;
        report.findings.push_back({files[i], *problem, std::nullopt, v.signature.detail,
                                   !is_unsigned || request.require_all});
    }
    return report; // files were sorted (/etc's after /usr's): so are the findings
}

} // namespace ostree_ima
