// ostree-ima-floor: measures the essential work of signing a commit, without
// writing anything:
//   hash REPO REV JOBS   read (and inflate, for archive) and hash every unique
//                        regular content object once, on JOBS threads
//   sign KEY JOBS COUNT  sign COUNT sha256 digests with KEY (file or pkcs11:
//                        URI, PIN from --pin-file/OSTREE_IMA_PIN) on JOBS threads
// Prints one JSON line: {"seconds":..,"objects":..,"bytes":..} or
// {"seconds":..,"signatures":..,"rate":..}.
#include "archive_object.hpp"
#include "commit_walker.hpp"
#include "content_object.hpp"
#include "file_digest.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/key_factory.hpp"
#include "parallel_for.hpp"
#include "repo.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <unordered_set>

using namespace ostree_ima;

namespace {

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int hash_floor(const std::string &repo_path, const std::string &rev, unsigned jobs)
{
    const Repo repo = Repo::open(repo_path);
    const std::string commit = repo.resolve_commit(rev);
    const CommitWalker walker(repo.get());
    std::vector<std::string> objects;
    std::unordered_set<std::string> seen;
    walker.walk(commit, [&](const FileEntry &e) {
        if (seen.insert(e.content_checksum).second)
            objects.push_back(e.content_checksum);
    });
    const bool archive = repo.mode() == OSTREE_REPO_MODE_ARCHIVE;
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
        if (archive) {
            const ArchiveObject object(repo.get(), objects[i]);
            if (!object.is_regular())
                return;
            object.inflate(sink);
        } else {
            ContentObject object(repo.get(), objects[i]);
            if (!object.is_regular())
                return;
            object.read_content(sink);
        }
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
        std::cerr << "usage: ostree-ima-floor hash REPO REV JOBS | sign KEY JOBS COUNT\n";
        return 2;
    } catch (const std::exception &e) {
        std::cerr << "ostree-ima-floor: " << e.what() << "\n";
        return 1;
    }
}
