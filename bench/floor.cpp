// ostree-ima-floor: measures the essential work of signing a commit, without
// writing anything:
//   hash REPO REV JOBS   read (and inflate, for archive) and hash every unique
//                        regular content object once, on JOBS threads
//   sign KEY JOBS COUNT  sign COUNT sha256 digests with KEY (file or pkcs11:
//                        URI, PIN from --pin-file/OSTREE_IMA_PIN) on JOBS threads
//   write REPO REV JOBS OUTDIR
//                        write a copy of every unique regular content object
//                        file into OUTDIR (same filesystem) as the signer's
//                        writers do: unnamed file, reflink or in-kernel copy,
//                        in bare modes the xattr that holds the signature at
//                        its new size, link; then syncfs. OUTDIR is left for
//                        the caller.
//   check KEY REPO REV JOBS
//                        what issue #23's rule costs at the least: open every
//                        unique regular content object of the signed commit
//                        REV, parse its header and recover the digest its
//                        security.ima signs with KEY's public key (RSA), on
//                        JOBS threads; no plan, no walk, no write
// Prints one JSON line: {"seconds":..,"objects":..,"bytes":..} or
// {"seconds":..,"signatures":..,"rate":..}.
#include "ima/algorithms/digest_recovery.hpp"
#include "ima/file_digest.hpp"
#include "objects/object_file_io.hpp"
#include "objects/stored_object.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/key_factory.hpp"
#include "repo/commit_plan.hpp"
#include "repo/repo.hpp"
#include "util/parallel_for.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <iostream>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace ostree_ima;

namespace {

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::vector<std::string> unique_objects(const Repo &repo, const std::string &rev)
{
    const CommitPlan plan = plan_commit(repo.get(), repo.resolve_commit(rev), PathSelector(), 1);
    std::vector<std::string> out;
    out.reserve(plan.objects.size());
    for (std::size_t i = 0; i < plan.objects.size(); ++i)
        out.push_back(plan.object(i));
    return out;
}

// A new bare object carries the signature in an xattr (bare: security.ima;
// bare-user: inside user.ostreemeta), and on ext4 that no longer fits in the
// inode: the filesystem allocates an xattr block per object, a cost of
// writing the object that the floor must include. This writes an xattr of
// the new size (an RSA-2048 IMA signature and its entry, 284 bytes).
void set_signature_sized_xattr(int in, int out, bool bare_user, const std::string &what)
{
    constexpr std::size_t kSignatureEntry = 284;
    std::vector<char> value(kSignatureEntry, 0);
    const char *name = "security.ima";
    if (bare_user) {
        name = "user.ostreemeta";
        const ssize_t n = ::fgetxattr(in, name, nullptr, 0);
        if (n < 0)
            throw Error("cannot read user.ostreemeta of " + what);
        value.resize(static_cast<std::size_t>(n) + kSignatureEntry);
        if (::fgetxattr(in, name, value.data(), static_cast<std::size_t>(n)) != n)
            throw Error("cannot read user.ostreemeta of " + what);
    }
    if (::fsetxattr(out, name, value.data(), value.size(), 0) != 0)
        throw Error("cannot set " + std::string(name) + " on the copy of " + what);
}

int write_floor(const std::string &repo_path, const std::string &rev, unsigned jobs,
                const std::string &outdir)
{
    const Repo repo = Repo::open(repo_path);
    const bool archive = repo.mode() == OSTREE_REPO_MODE_ARCHIVE;
    const bool bare_user = repo.mode() == OSTREE_REPO_MODE_BARE_USER;
    const ObjectStore store(repo.get(), jobs);
    std::vector<std::string> regular; // untimed: which objects are regular files
    for (const auto &c : unique_objects(repo, rev))
        if (store.open(c)->is_regular())
            regular.push_back(c);
    if (::mkdir(outdir.c_str(), 0755) != 0)
        throw Error("cannot create " + outdir);
    const Fd out(::open(outdir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    const int repo_dfd = ostree_repo_get_dfd(repo.get());
    std::atomic<std::uint64_t> bytes{0};
    const double t0 = now();
    parallel_for(regular.size(), jobs, [&](std::size_t i) {
        const std::string &c = regular[i];
        const std::string rel = store.relpath(c);
        const Fd in(::openat(repo_dfd, rel.c_str(), O_RDONLY | O_CLOEXEC));
        struct stat st {};
        if (in.get() < 0 || ::fstat(in.get(), &st) != 0)
            throw Error("cannot open " + rel);
        const Fd tmp = open_object_tmpfile(repo_dfd); // the repository's tmp/, as the signer
        clone_or_copy(in.get(), static_cast<std::uint64_t>(st.st_size), tmp.get(), rel);
        if (!archive)
            set_signature_sized_xattr(in.get(), tmp.get(), bare_user, rel);
        const std::string name = outdir + "/" + c;
        const std::string proc = "/proc/self/fd/" + std::to_string(tmp.get());
        if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) != 0)
            throw Error("cannot link " + name);
        bytes += static_cast<std::uint64_t>(st.st_size);
    });
    if (::syncfs(out.get()) != 0)
        throw Error("syncfs failed");
    std::cout << "{\"seconds\":" << now() - t0 << ",\"objects\":" << regular.size()
              << ",\"bytes\":" << bytes.load() << "}\n";
    return 0;
}

int hash_floor(const std::string &repo_path, const std::string &rev, unsigned jobs)
{
    const Repo repo = Repo::open(repo_path);
    const std::vector<std::string> objects = unique_objects(repo, rev);
    const ObjectStore store(repo.get(), jobs);
    const HashAlgo &algo = hash_algo_by_name("sha256");
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> regular{0};
    const double t0 = now();
    parallel_for(objects.size(), jobs, [&](std::size_t i) {
        FileDigest digest(algo);
        std::uint64_t n = 0;
        auto sink = [&](std::span<const std::uint8_t> chunk) {
            digest.update(chunk);
            n += chunk.size();
        };
        const std::unique_ptr<StoredObject> object = store.open(objects[i]);
        if (!object->is_regular())
            return;
        object->read(sink, false);
        (void)digest.finish();
        bytes += n;
        ++regular;
    });
    std::cout << "{\"seconds\":" << now() - t0 << ",\"objects\":" << regular.load()
              << ",\"bytes\":" << bytes.load() << "}\n";
    return 0;
}

int sign_floor(const std::string &key_spec, unsigned jobs, std::size_t count)
{
    KeyOptions options;
    options.key = key_spec;
    options.jobs = jobs;
    if (const char *pin_file = std::getenv("FLOOR_PIN_FILE"))
        options.pin_file = pin_file;
    auto key = open_key_backend(options);
    const HashAlgo &algo = hash_algo_by_name("sha256");
    const unsigned threads = std::min(jobs, key->max_parallel());
    const double t0 = now();
    parallel_for(count, threads, [&](std::size_t i) {
        std::vector<std::uint8_t> digest(32, static_cast<std::uint8_t>(i));
        digest[0] = static_cast<std::uint8_t>(i >> 8);
        (void)key->sign(algo, digest);
    });
    const double seconds = now() - t0;
    std::cout << "{\"seconds\":" << seconds << ",\"signatures\":" << count
              << ",\"threads\":" << threads << ",\"rate\":" << static_cast<double>(count) / seconds
              << "}\n";
    return 0;
}

int check_floor(const std::string &key_spec, const std::string &repo_path, const std::string &rev,
                unsigned jobs)
{
    KeyOptions options;
    options.key = key_spec;
    options.jobs = jobs;
    auto key = open_key_backend(options);
    const DigestRecovery recovery(key->public_key(), hash_algo_by_name("sha256"));
    if (!recovery.available())
        throw Error("check needs an RSA key");
    const Repo repo = Repo::open(repo_path);
    const std::vector<std::string> objects = unique_objects(repo, rev); // untimed
    const ObjectStore store(repo.get(), jobs);
    std::atomic<std::uint64_t> verified{0};
    const double t0 = now();
    parallel_for(objects.size(), jobs, [&](std::size_t i) {
        const std::unique_ptr<StoredObject> object = store.open(objects[i]);
        const auto value = xattr_get(object->xattrs(), kImaXattrName);
        if (!object->is_regular() || !value)
            return;
        const ImaDecodeResult decoded = decode_ima_signature(*value);
        if (decoded.ok && recovery.recover(decoded.value.signature))
            ++verified;
    });
    std::cout << "{\"seconds\":" << now() - t0 << ",\"objects\":" << objects.size()
              << ",\"verified\":" << verified.load() << "}\n";
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    try {
        const std::string mode = argc > 1 ? argv[1] : "";
        if (mode == "hash" && argc == 5)
            return hash_floor(argv[2], argv[3], static_cast<unsigned>(std::stoul(argv[4])));
        if (mode == "sign" && argc == 5)
            return sign_floor(argv[2], static_cast<unsigned>(std::stoul(argv[3])),
                              std::stoul(argv[4]));
        if (mode == "write" && argc == 6)
            return write_floor(argv[2], argv[3], static_cast<unsigned>(std::stoul(argv[4])),
                               argv[5]);
        if (mode == "check" && argc == 6)
            return check_floor(argv[2], argv[3], argv[4],
                               static_cast<unsigned>(std::stoul(argv[5])));
        std::cerr << "usage: ostree-ima-floor hash REPO REV JOBS | sign KEY JOBS COUNT | write "
                     "REPO REV JOBS OUTDIR | check KEY REPO REV JOBS\n";
        return 2;
    } catch (const std::exception &e) {
        std::cerr << "ostree-ima-floor: " << e.what() << "\n";
        return 1;
    }
}
