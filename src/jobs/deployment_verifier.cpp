#include "ostree-ima/deployment_verifier.hpp"

#include "certs/keyring.hpp"
#include "objects/object_file_io.hpp"
#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "signing/file_signature_check.hpp"
#include "util/fd.hpp"
#include "util/file_tree.hpp"
#include "util/file_xattr.hpp"
#include "util/fs_verity.hpp"
#include "util/parallel_for.hpp"
#include "util/progress.hpp"

#include <algorithm>
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
    case EtcState::Unchecked:
        return "unchecked";
    }
    return "unknown";
}

namespace {
constexpr std::string_view kEtc = "/etc";

bool under_etc(const std::string &path)
{
    return path.compare(0, kEtc.size(), kEtc) == 0 &&
           (path.size() == kEtc.size() || path[kEtc.size()] == '/');
}

// What to do about a permission error: it is the caller's, not the tree's.
std::string why_not(int err)
{
    std::string out = std::strerror(err);
    if (err == EACCES || err == EPERM)
        out += " (run verify as a user who may read the whole tree, e.g. root)";
    return out;
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

// The fs-verity digest the kernel appraises a sigv3 signature against.
VerityMeasurement measure(int fd)
{
    const MeasuredVerity m = measure_verity(fd);
    if (m.error == ENODATA)
        return {FileProblem::VerityNotEnabled,
                "an fs-verity signature, but fs-verity is not enabled on the file: the kernel "
                "has no fs-verity digest to check it against and denies the file (fsverity "
                "enable FILE)",
                nullptr,
                {}};
    if (m.error == EOPNOTSUPP || m.error == ENOTTY)
        return {FileProblem::Unchecked,
                "an fs-verity signature, but this filesystem or kernel has no fs-verity (" +
                    std::string(std::strerror(m.error)) +
                    "): the fs-verity digest the kernel checks cannot be measured here",
                nullptr,
                {}};
    if (m.error != 0)
        return {FileProblem::Unchecked,
                "cannot measure the file's fs-verity digest: " + why_not(m.error),
                nullptr,
                {}};
    const HashAlgo *algo = nullptr;
    if (m.algorithm == kVeritySha256)
        algo = &hash_algo_by_name("sha256");
    else if (m.algorithm == kVeritySha512)
        algo = &hash_algo_by_name("sha512");
    return {std::nullopt, {}, algo, m.digest};
}

struct FileVerdict {
    SignatureVerdict signature;
    std::optional<std::vector<std::uint8_t>> xattr;
};

// `path` ("/usr/bin/ls") below the tree's root directory `root`.
FileVerdict check_one(int root, const std::string &path, const SignatureRules &rules)
{
    FileVerdict v;
    try {
        // O_NONBLOCK: a FIFO swapped in after the walk is not waited on.
        const Fd fd = open_in_tree(root, path.substr(1), O_RDONLY | O_NOCTTY | O_NONBLOCK);
        if (!fd.valid()) {
            const int err = errno;
            // Not readable by the caller: nothing is known of the file.
            if (err == EACCES || err == EPERM) {
                v.signature = {FileProblem::Unchecked, "cannot open: " + why_not(err), nullptr};
                return v;
            }
            throw Error("cannot open " + path + ": " + std::strerror(err));
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
            throw Error(path + " is no longer a regular file: it changed during the check");
        v.xattr = read_xattr(fd.get(), kImaXattrName, path);
        v.signature = check_file_signature(
            v.xattr,
            [&](const std::function<void(std::span<const std::uint8_t>)> &sink) {
                feed(fd.get(), path, sink);
            },
            rules, [&] { return measure(fd.get()); });
    } catch (const Error &e) {
        v.signature = {FileProblem::Corrupted, e.what(), nullptr};
    }
    return v;
}

// The file /etc/X came from: /usr/etc/X, if the tree has it.
struct Origin {
    bool exists = false;
    std::optional<std::vector<std::uint8_t>> xattr;
};

Origin origin_of(int root, const std::string &etc_path)
{
    Origin o;
    const Fd fd = open_in_tree(root, "usr" + etc_path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return o;
    o.exists = true;
    try {
        o.xattr = read_xattr(fd.get(), kImaXattrName, "/usr" + etc_path);
    } catch (const Error &) {
        o.xattr.reset(); // only a hint for the detail line
    }
    return o;
}

// What an /etc finding means, and what to do about it.
void classify_etc(int root, const std::string &path, const FileVerdict &v, DeploymentFinding &f,
                  DeploymentReport &report)
{
    if (f.problem == FileProblem::Unchecked) {
        f.etc = EtcState::Unchecked;
        ++report.etc_unchecked;
        return;
    }
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

namespace {
// A path to report: a regular file to check, or what could not be looked
// into and why.
struct Entry {
    std::string path; // "/usr/bin/ls"
    std::optional<std::string> unchecked;
};

Fd open_root(const std::string &path)
{
    Fd root(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid())
        throw Error("cannot open " + path + ": " + why_not(errno) +
                    " (give the deployed tree, e.g. /sysroot/ostree/deploy/OS/deploy/CHECKSUM.0, "
                    "or /)");
    return root;
}

// usr/ itself: a real directory of the tree, or no deployment at all. A
// link is not followed: what it leads to is not what was deployed.
Fd open_usr(int root, const std::string &path)
{
    Fd usr(::openat(root, "usr", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (usr.valid())
        return usr;
    const int err = errno;
    struct stat st {};
    const bool exists = ::fstatat(root, "usr", &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && S_ISLNK(st.st_mode))
        throw Error(path + "/usr is a symbolic link, which verify does not follow: a deployment's "
                           "usr/ is a directory (give the deployed tree itself, e.g. "
                           "/sysroot/ostree/deploy/OS/deploy/CHECKSUM.0)");
    if (err == ENOENT || err == ENOTDIR)
        throw Error(path +
                    " is not a deployment: it has no usr/ directory (give the deployed tree, "
                    "e.g. /sysroot/ostree/deploy/OS/deploy/CHECKSUM.0, or /)");
    throw Error("cannot open " + path + "/usr: " + why_not(err));
}

// The entries under `top` ("/usr", "/etc"), sorted by path.
void add_tree(const std::string &top, const Fd &dir, std::vector<Entry> &out)
{
    const std::size_t first = out.size();
    FileTree tree = regular_files_under(dir.get());
    for (std::string &file : tree.files)
        out.push_back({top + file, std::nullopt});
    for (const UnreadablePath &gap : tree.unreadable)
        out.push_back({top + (gap.path == "/" ? "" : gap.path),
                       gap.what + ": " + why_not(gap.error) +
                           (gap.subtree ? "; the files below it are not checked" : "")});
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const Entry &a, const Entry &b) { return a.path < b.path; });
}

// etc/: optional (a plain checkout has none), but what is there is looked
// at: a link or an unreadable etc/ is named, not skipped.
void add_etc(int root, std::vector<Entry> &out)
{
    Fd etc(::openat(root, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (etc.valid()) {
        add_tree("/etc", etc, out);
        return;
    }
    const int err = errno;
    struct stat st {};
    if (::fstatat(root, "etc", &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
        return;
    if (S_ISLNK(st.st_mode))
        out.push_back({"/etc", "a symbolic link, not followed: what it leads to is not the "
                               "deployment's /etc"});
    else if (err == ENOTDIR)
        out.push_back({"/etc", "not a directory"});
    else
        out.push_back({"/etc", "cannot read directory: " + why_not(err) +
                                   "; the files below it are not checked"});
}
} // namespace

DeploymentReport verify_deployment(const DeploymentVerifyRequest &request)
{
    const StopScope interruptible;
    const Keyring keyring = Keyring::load(request.cert_paths, request.certificates);
    const Fd root = open_root(request.path);
    // A deployment is its /usr and /etc; /var, /boot and, on a running
    // system, /proc and the like are not what was signed.
    std::vector<Entry> entries;
    add_tree("/usr", open_usr(root.get(), request.path), entries);
    add_etc(root.get(), entries);
    const SignatureRules rules{&keyring, request.required_algo, request.required_scheme};
    std::vector<FileVerdict> verdicts(entries.size());
    // Files in path order, each counted alike: their sizes are not known
    // without a stat of each.
    ProgressMeter progress(request.progress, {"verifying", "file", "files"}, entries.size(), 0, 0);
    parallel_for(
        entries.size(), request.jobs,
        [&](std::size_t i) {
            const auto started = ProgressMeter::Clock::now();
            if (entries[i].unchecked)
                verdicts[i].signature = {FileProblem::Unchecked, *entries[i].unchecked, nullptr};
            else
                verdicts[i] = check_one(root.get(), entries[i].path, rules);
            progress.unit_done(0, 0, started);
        },
        &stop_flag());
    if (stop_requested())
        throw Interrupted("verify only reads the tree");
    progress.finish();

    DeploymentReport report;
    report.path = request.path;
    report.require_all = request.require_all;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string &path = entries[i].path;
        const FileVerdict &v = verdicts[i];
        const std::optional<FileProblem> &problem = v.signature.problem;
        if (under_etc(path)) {
            if (problem != FileProblem::Unchecked)
                ++report.etc_checked;
            if (!problem) {
                ++report.etc_valid;
                continue;
            }
            DeploymentFinding f{path, *problem, std::nullopt, v.signature.detail, false};
            classify_etc(root.get(), path, v, f, report);
            report.findings.push_back(std::move(f));
            continue;
        }
        if (!problem) {
            ++report.files_checked;
            ++report.files_signed;
            continue;
        }
        // Unsigned and unchecked files fail only under --require-all.
        bool fatal = request.require_all;
        if (*problem == FileProblem::Unchecked) {
            ++report.files_unchecked;
        } else if (*problem == FileProblem::Unsigned) {
            ++report.files_checked;
            ++report.files_unsigned;
        } else {
            ++report.files_checked;
            ++report.files_invalid;
            fatal = true;
        }
        report.findings.push_back({path, *problem, std::nullopt, v.signature.detail, fatal});
    }
    return report; // entries were sorted (/etc's after /usr's): so are the findings
}

} // namespace ostree_ima
