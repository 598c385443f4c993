// Faults during `sign`: SIGKILL at several points, SIGINT and SIGTERM, a full
// disk, a read-only or locked repository, corrupted content objects and two
// runs at once. Each leaves the target ref where it was (or at one complete
// commit), `ostree fsck` clean, nothing behind in repo/tmp after the next
// successful run, and that run gives the same commit as an uninterrupted one
// (RSA signatures are deterministic).
//
// Runs as root (CI does): tmpfs and bind mounts need it, and a test that
// cannot mount fails rather than skips.
#define BOOST_TEST_MODULE faults
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "fixtures.hpp"
#include "text_files.hpp"
#include "workspace.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace test_support;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Entries of repo/tmp but ostree's own cache/: staging-*, tmpobject-*, ours.
std::vector<std::string> tmp_leftovers(const std::string &repo)
{
    std::vector<std::string> out;
    for (const auto &e : fs::directory_iterator(repo + "/tmp"))
        if (e.path().filename() != "cache")
            out.push_back(e.path().filename().string());
    return out;
}

std::string joined(const std::vector<std::string> &v)
{
    std::string s;
    for (const auto &x : v)
        s += x + " ";
    return s;
}

// A mount the test made, unmounted (lazily, so a busy one cannot stick) at
// the end of the test.
class Mount {
  public:
    // tmpfs of `size` (e.g. "1800k") at `dir`.
    static Mount tmpfs(const std::string &dir, const std::string &size)
    {
        fs::create_directories(dir);
        const Result r = sh("mount -t tmpfs -o size=" + size + " tmpfs " + quote(dir) + " 2>&1");
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "cannot mount a tmpfs at "
                                                    << dir << " (this test needs root): " << r.out);
        return Mount(dir);
    }
    // A read-only bind mount of `source` at `dir`: root ignores file modes
    // (chmod a-w stops nobody), a read-only mount stops root too.
    static Mount read_only_bind(const std::string &source, const std::string &dir)
    {
        fs::create_directories(dir);
        const Result r = sh("mount --bind " + quote(source) + " " + quote(dir) +
                            " 2>&1 && mount -o remount,bind,ro " + quote(dir) + " 2>&1");
        if (r.exit_code != 0)
            (void)sh("umount " + quote(dir));
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "cannot make a read-only bind mount at "
                                                    << dir << " (this test needs root): " << r.out);
        return Mount(dir);
    }
    Mount(Mount &&other) noexcept : dir_(std::move(other.dir_)) { other.dir_.clear(); }
    Mount(const Mount &) = delete;
    Mount &operator=(const Mount &) = delete;
    Mount &operator=(Mount &&) = delete;
    ~Mount()
    {
        if (!dir_.empty())
            (void)sh("umount -l " + quote(dir_));
    }

  private:
    explicit Mount(std::string dir) : dir_(std::move(dir)) {}
    std::string dir_;
};

// Holds the repository lock the way another ostree writer does: libostree
// locks REPO/.lock with open file description (fcntl) locks, which flock(1)
// does not conflict with, so `flock -x REPO/.lock` would not block it.
class RepoLock {
  public:
    explicit RepoLock(const std::string &repo)
        : fd_(::open((repo + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600))
    {
        BOOST_REQUIRE(fd_ >= 0);
        struct flock lock {};
        lock.l_type = F_WRLCK;
        lock.l_whence = SEEK_SET;
        BOOST_REQUIRE(::fcntl(fd_, F_OFD_SETLK, &lock) == 0);
    }
    RepoLock(const RepoLock &) = delete;
    RepoLock &operator=(const RepoLock &) = delete;
    ~RepoLock() { ::close(fd_); }

  private:
    int fd_;
};

std::string random_bytes(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (auto &c : s)
        c = static_cast<char>(rng());
    return s;
}

// `ostree init` + commit with a fixed timestamp, so equal trees give equal
// commits. fsync is off: the tests kill processes, they do not cut power.
std::string make_fast_repo(const std::string &path, const std::string &mode,
                           const std::string &tree, const std::string &extra_config = "")
{
    sh_ok("ostree init --repo=" + quote(path) + " --mode=" + mode +
          " && ostree config --repo=" + quote(path) + " set core.fsync false" + extra_config +
          " && ostree commit --repo=" + quote(path) + " --branch=main --tree=dir=" + quote(tree) +
          " --subject=faults --timestamp='2026-01-02 03:04:05' >/dev/null");
    return path;
}

std::vector<std::string> sign_argv(const std::string &repo, const KeyPair &key,
                                   const std::string &target = "signed")
{
    return {binary(),
            "sign",
            "--repo=" + repo,
            "--key=" + key.key_pem,
            "--cert=" + key.cert_der,
            "--jobs=2",
            "--quiet",
            "main",
            target};
}

// Keys, and a commit big enough that signing takes a second or two: 3,000
// small files in 30 directories plus four 2 MiB files. Its repositories live
// on a tmpfs, so that other disk traffic on the machine cannot stretch the
// timings (a killed process leaves the same state on any filesystem).
struct World : Workspace {
    Mount ram = Mount::tmpfs(dir / "ram", "2g");
    std::string root = dir / "ram";
    KeyPair key, other;
    std::string big_tree;
    std::map<std::string, std::string> pristine;  // mode -> never-signed repository
    std::map<std::string, std::string> reference; // mode -> commit of an uninterrupted run
    std::map<std::string, std::chrono::milliseconds> duration; // mode -> how long it took
    World()
    {
        key = Workspace::key("rsa");
        other = Workspace::key("other");
        big_tree = root + "/big-tree";
        for (int d = 0; d < 30; ++d) {
            const std::string sub = big_tree + "/dir" + std::to_string(d);
            fs::create_directories(sub);
            for (int f = 0; f < 100; ++f)
                write_text(sub + "/file" + std::to_string(f),
                           "file " + std::to_string(d) + "/" + std::to_string(f) + "\n");
        }
        for (int i = 0; i < 4; ++i)
            write_text(big_tree + "/large" + std::to_string(i),
                       random_bytes(2 << 20, static_cast<std::uint64_t>(i)));
        pristine["bare-user"] = make_fast_repo(root + "/big-bare-user", "bare-user", big_tree);
        // ostree commit compresses slowly object by object; pull-local is faster.
        const std::string archive = root + "/big-archive";
        sh_ok("ostree init --repo=" + quote(archive) +
              " --mode=archive && ostree config --repo=" + quote(archive) +
              " set core.fsync false && ostree pull-local --repo=" + quote(archive) + " " +
              quote(pristine["bare-user"]) + " main >/dev/null");
        pristine["archive"] = archive;
        for (const auto &[mode, repo] : pristine) {
            const std::string copy = copy_of(mode, "reference");
            const auto start = std::chrono::steady_clock::now();
            const Result r = run(sign_argv(copy, key));
            duration[mode] = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start);
            BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
            reference[mode] = trimmed(r.out);
            BOOST_TEST_MESSAGE(mode << ": an uninterrupted run takes " << duration[mode].count()
                                    << " ms");
            (void)sh("rm -rf " + quote(copy));
        }
    }
    // A fresh directory on the tmpfs for one test.
    std::string scratch(const std::string &name) const
    {
        const std::string path = root + "/" + name;
        sh_ok("rm -rf " + quote(path) + " && mkdir -p " + quote(path));
        return path;
    }
    std::string copy_of(const std::string &mode, const std::string &name) const
    {
        const std::string copy = root + "/" + name + "-" + mode;
        sh_ok("rm -rf " + quote(copy) + " && cp -a " + quote(pristine.at(mode)) + " " +
              quote(copy));
        return copy;
    }
};

World &world()
{
    static World w;
    return w;
}

// A failed run: the exit code, one line naming the problem, nothing on
// stdout, the ref where it was.
void expect_clean_failure(const Result &r, int code, const std::vector<std::string> &needles,
                          const std::string &repo, const std::string &ref_before)
{
    BOOST_TEST(r.exit_code == code, "exit " << r.exit_code << ", stderr: " << r.err);
    for (const auto &needle : needles)
        BOOST_TEST(r.err.find(needle) != std::string::npos,
                   "stderr lacks '" << needle << "': " << r.err);
    BOOST_TEST(line_count(r.err) == 1u, "not one line: " << r.err);
    BOOST_TEST(r.out.empty(), "stdout: " << r.out);
    BOOST_TEST(rev_parse(repo, "signed") == ref_before);
}

// The soft and hard RLIMIT_CORE of a process, from /proc/PID/limits.
std::string core_limit(pid_t pid)
{
    std::istringstream lines(read_text("/proc/" + std::to_string(pid) + "/limits"));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("Max core file size", 0) != 0)
            continue;
        std::istringstream fields(line.substr(18));
        std::string soft, hard;
        fields >> soft >> hard;
        return soft + " " + hard;
    }
    return "(no core limit line)";
}

void signals_in_mode(const std::string &mode)
{
    World &w = world();
    const std::string repo = w.copy_of(mode, "signals");
    sh_ok("ostree refs --repo=" + quote(repo) + " --create=signed main");
    const std::string before = rev_parse(repo, "signed");

    // SIGKILL: no handler runs; only the design (the ref moves last, objects
    // appear whole or not at all) keeps the repository consistent. The kill
    // points are 5%, 15% and 40% of an uninterrupted run (about 50, 150 and
    // 400 ms when it takes a second) after the transaction started, and the
    // run must still be inside it when killed: a kill before signing began
    // (a slow start) or after the commit would check nothing.
    const auto full = w.duration.at(mode);
    for (const int percent : {5, 15, 40}) {
        const auto delay = full * percent / 100;
        BOOST_TEST_CONTEXT(mode << ": SIGKILL after " << delay.count() << " ms")
        {
            ChildProcess child(sign_argv(repo, w.key), w.dir / "kill");
            BOOST_REQUIRE_MESSAGE(child.wait_in_transaction(repo),
                                  "the run never started its transaction");
            std::this_thread::sleep_for(delay);
            BOOST_TEST_REQUIRE(child.in_transaction(repo),
                               "the run is not inside its transaction at the kill");
            child.signal(SIGKILL);
            const Result r = child.wait();
            BOOST_TEST(r.exit_code == 128 + SIGKILL, "ended before the kill: " << r.err);
            BOOST_TEST(rev_parse(repo, "signed") == before);
            require_fsck(repo);
        }
    }

    // SIGINT/SIGTERM mid-transaction: a clean stop, one line, 128 + signal.
    for (const int signo : {SIGINT, SIGTERM}) {
        BOOST_TEST_CONTEXT(mode << ": signal " << signo)
        {
            ChildProcess child(sign_argv(repo, w.key), w.dir / "interrupt");
            const auto deadline = std::chrono::steady_clock::now() + 20s;
            while (!child.in_transaction(repo) && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(2ms);
            std::this_thread::sleep_for(full / 10); // workers are busy signing now
            // No core dump can leak key material while it runs.
            BOOST_TEST(core_limit(child.pid()) == "0 0");
            child.signal(signo);
            const Result r = child.wait();
            BOOST_TEST(r.exit_code == 128 + signo, "exit " << r.exit_code << ": " << r.err);
            BOOST_TEST(r.err == "ostree-ima: interrupted; nothing was changed: the ref signed "
                                "still points at " +
                                    before + "\n");
            BOOST_TEST(r.out.empty());
            BOOST_TEST(rev_parse(repo, "signed") == before);
            require_fsck(repo);
            // The aborted transaction's staging directory (and those of the
            // killed runs before) are gone at once.
            BOOST_TEST(tmp_leftovers(repo).empty(),
                       "left in tmp/: " << joined(tmp_leftovers(repo)));
        }
    }

    // The next run succeeds with the uninterrupted result, and ostree's
    // transaction reuses then removes the staging directory left behind.
    const Result r = run(sign_argv(repo, w.key));
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(trimmed(r.out) == w.reference.at(mode));
    BOOST_TEST(rev_parse(repo, "signed") == w.reference.at(mode));
    require_fsck(repo);
    BOOST_TEST(tmp_leftovers(repo).empty(), "left in tmp/: " << joined(tmp_leftovers(repo)));
}

} // namespace

BOOST_AUTO_TEST_SUITE(signals)

BOOST_AUTO_TEST_CASE(killed_and_interrupted_archive)
{
    signals_in_mode("archive");
}

BOOST_AUTO_TEST_CASE(killed_and_interrupted_bare_user)
{
    signals_in_mode("bare-user");
}

// Before the signing job starts (here: blocked opening a PIN file that is a
// fifo; likewise at a passphrase prompt) SIGINT ends the process at once, as
// if no handler were installed.
BOOST_AUTO_TEST_CASE(interrupt_before_the_job_ends_the_process_at_once)
{
    World &w = world();
    const std::string dir = w.scratch("early-interrupt");
    const std::string fifo = dir + "/pin";
    BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const std::string encrypted = dir + "/encrypted.pem";
    sh_ok("openssl pkey -in " + quote(w.key.key_pem) + " -aes256 -passout pass:secret -out " +
          quote(encrypted));
    const std::string repo = w.copy_of("archive", "early-interrupt");
    ChildProcess child({binary(), "sign", "--repo=" + repo, "--key=" + encrypted,
                        "--pin-file=" + fifo, "main", "signed"},
                       dir + "/log");
    std::this_thread::sleep_for(300ms);
    child.signal(SIGINT);
    BOOST_REQUIRE_MESSAGE(child.ends_within(5s), "SIGINT did not end a process blocked before "
                                                 "the signing job");
    const Result r = child.wait();
    BOOST_TEST(r.exit_code == 128 + SIGINT, "exit " << r.exit_code << ": " << r.err);
    BOOST_TEST(!ref_exists(repo, "signed"));
}

// Two runs killed at once leave two staging directories; libostree's next
// transaction reuses one and keeps the other: the next run removes both.
BOOST_AUTO_TEST_CASE(stale_staging_directories_of_several_killed_runs)
{
    World &w = world();
    const std::string repo = w.copy_of("bare-user", "several-killed");
    {
        ChildProcess a(sign_argv(repo, w.key, "ref-a"), w.dir / "a");
        ChildProcess b(sign_argv(repo, w.key, "ref-b"), w.dir / "b");
        // Both killed mid-transaction (see signals_in_mode).
        BOOST_REQUIRE(a.wait_in_transaction(repo));
        BOOST_REQUIRE(b.wait_in_transaction(repo));
        std::this_thread::sleep_for(w.duration.at("bare-user") * 4 / 10);
        BOOST_TEST_REQUIRE(a.in_transaction(repo));
        BOOST_TEST_REQUIRE(b.in_transaction(repo));
        a.signal(SIGKILL);
        b.signal(SIGKILL);
        BOOST_TEST(a.wait().exit_code == 128 + SIGKILL);
        BOOST_TEST(b.wait().exit_code == 128 + SIGKILL);
    }
    std::size_t staging = 0;
    for (const auto &name : tmp_leftovers(repo))
        staging += name.rfind("staging-", 0) == 0 && fs::is_directory(repo + "/tmp/" + name);
    BOOST_TEST(staging == 2u, "left in tmp/: " << joined(tmp_leftovers(repo)));
    require_fsck(repo);
    const Result r = run(sign_argv(repo, w.key));
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(trimmed(r.out) == w.reference.at("bare-user"));
    BOOST_TEST(tmp_leftovers(repo).empty(), "left in tmp/: " << joined(tmp_leftovers(repo)));
    BOOST_TEST(!ref_exists(repo, "ref-a"));
    BOOST_TEST(!ref_exists(repo, "ref-b"));
    require_fsck(repo);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// 40 incompressible 30 kB files: 1.2 MB, about twice what is left on the
// 1800 kB tmpfs after the commit, so signing runs out of space midway.
void fill_the_disk(const std::string &mode, bool ostree_reserve)
{
    World &w = world();
    const std::string dir = w.scratch("disk-full-" + mode + (ostree_reserve ? "-reserve" : ""));
    const std::string tree = dir + "/tree";
    fs::create_directories(tree);
    for (int i = 0; i < 40; ++i)
        write_text(tree + "/f" + std::to_string(i),
                   random_bytes(30000, 1000 + static_cast<std::uint64_t>(i)));
    const Mount mount = Mount::tmpfs(dir + "/mnt", "1800k");
    // With core.min-free-space-percent=0, writes go on until the kernel's ENOSPC.
    const std::string config = ostree_reserve
                                   ? ""
                                   : " && ostree config --repo=" + quote(dir + "/mnt/repo") +
                                         " set core.min-free-space-percent 0";
    const std::string repo = make_fast_repo(dir + "/mnt/repo", mode, tree, config);
    const std::string reference_repo = dir + "/reference";
    sh_ok("cp -a " + quote(repo) + " " + quote(reference_repo));
    sh_ok("ostree refs --repo=" + quote(repo) + " --create=signed main");
    const std::string before = rev_parse(repo, "signed");

    const Result r = run(sign_argv(repo, w.key));
    expect_clean_failure(r, 1, {ostree_reserve ? "no space" : "No space left on device"}, repo,
                         before);
    BOOST_TEST(r.err.find("free space on the repository's filesystem and run again") !=
               std::string::npos);
    require_fsck(repo);
    BOOST_TEST(tmp_leftovers(repo).empty(), "left in tmp/: " << joined(tmp_leftovers(repo)));

    // Once there is room, the next run succeeds and cleans up after the first.
    sh_ok("mount -o remount,size=16m " + quote(dir + "/mnt"));
    const Result again = run(sign_argv(repo, w.key));
    BOOST_REQUIRE_MESSAGE(again.exit_code == 0, again.err);
    const Result ref_run = run(sign_argv(reference_repo, w.key));
    BOOST_REQUIRE_MESSAGE(ref_run.exit_code == 0, ref_run.err);
    BOOST_TEST(trimmed(again.out) == trimmed(ref_run.out));
    require_fsck(repo);
    BOOST_TEST(tmp_leftovers(repo).empty(), "left in tmp/: " << joined(tmp_leftovers(repo)));
}

// A small archive repository with a 600 kB text file (its deflate body is
// what the corruption test flips a byte of).
std::string small_repo(const std::string &dir, const std::string &mode)
{
    const std::string tree = dir + "/tree-" + mode;
    fs::create_directories(tree + "/usr/bin");
    std::string text;
    for (int i = 0; i < 100000; ++i)
        text += std::to_string(i) + "\n";
    write_text(tree + "/usr/bin/big.txt", text);
    write_text(tree + "/usr/bin/small", "small\n");
    const std::string repo = make_fast_repo(dir + "/repo-" + mode, mode, tree);
    sh_ok("ostree refs --repo=" + quote(repo) + " --create=signed main");
    return repo;
}

std::string object_of(const std::string &repo, const std::string &path)
{
    // ostree ls -C: "-00644 0 0 588890 <checksum> /usr/bin/big.txt"
    const std::string line = sh_ok("ostree ls -C --repo=" + quote(repo) + " main " + quote(path));
    std::istringstream fields(line);
    std::string f, checksum;
    for (int i = 0; i < 5 && fields >> f; ++i)
        checksum = f;
    BOOST_REQUIRE_EQUAL(checksum.size(), 64u);
    return checksum;
}

} // namespace

BOOST_AUTO_TEST_SUITE(disk_full)

BOOST_AUTO_TEST_CASE(archive_at_ostree_reserve)
{
    fill_the_disk("archive", true);
}
BOOST_AUTO_TEST_CASE(archive_at_enospc)
{
    fill_the_disk("archive", false);
}
BOOST_AUTO_TEST_CASE(bare_user_at_ostree_reserve)
{
    fill_the_disk("bare-user", true);
}
BOOST_AUTO_TEST_CASE(bare_user_at_enospc)
{
    fill_the_disk("bare-user", false);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(repository_state)

BOOST_AUTO_TEST_CASE(read_only_repository)
{
    World &w = world();
    const std::string dir = w.scratch("read-only");
    const std::string repo = small_repo(dir, "archive");
    const std::string before = rev_parse(repo, "signed");
    {
        const Mount ro = Mount::read_only_bind(repo, dir + "/ro");
        expect_clean_failure(run(sign_argv(dir + "/ro", w.key)), 1,
                             {"is not writable: Read-only file system"}, dir + "/ro", before);
    }
    require_fsck(repo);
    BOOST_TEST(tmp_leftovers(repo).empty(), "left in tmp/: " << joined(tmp_leftovers(repo)));
}

BOOST_AUTO_TEST_CASE(repository_locked_by_another_writer)
{
    World &w = world();
    const std::string dir = w.scratch("locked");
    const std::string repo = small_repo(dir, "archive");
    // ostree waits core.lock-timeout-secs (default 30) before it gives up.
    sh_ok("ostree config --repo=" + quote(repo) + " set core.lock-timeout-secs 2");
    const std::string before = rev_parse(repo, "signed");
    {
        const RepoLock lock(repo);
        const auto start = std::chrono::steady_clock::now();
        const Result r = run(sign_argv(repo, w.key));
        const auto waited = std::chrono::steady_clock::now() - start;
        expect_clean_failure(r, 1, {"is locked by another writer; try again later"}, repo, before);
        BOOST_TEST(waited >= 1s);
        BOOST_TEST(waited < 15s);
    }
    require_fsck(repo);
    // Once the other writer is done, the same command succeeds.
    const Result r = run(sign_argv(repo, w.key));
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(rev_parse(repo, "signed") == trimmed(r.out));
    BOOST_TEST(tmp_leftovers(repo).empty(), "left in tmp/: " << joined(tmp_leftovers(repo)));
}

// A flipped byte in a content object: neither libostree's reader nor raw
// deflate notices, so without a check the corrupted content would be signed.
BOOST_AUTO_TEST_CASE(corrupted_content_objects)
{
    World &w = world();
    const std::string dir = w.scratch("corrupted");
    for (const std::string mode : {"archive", "bare-user"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            const std::string repo = small_repo(dir, mode);
            const std::string before = rev_parse(repo, "signed");
            const std::string checksum = object_of(repo, "/usr/bin/big.txt");
            const std::string rel = "objects/" + checksum.substr(0, 2) + "/" + checksum.substr(2) +
                                    (mode == "archive" ? ".filez" : ".file");
            const std::string path = repo + "/" + rel;
            {
                std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
                f.seekg(0, std::ios::end);
                const auto middle = f.tellg() / 2;
                f.seekg(middle);
                const char byte = static_cast<char>(f.get() ^ 0x20);
                f.seekp(middle);
                f.put(byte);
                BOOST_REQUIRE(f.good());
            }
            expect_clean_failure(run(sign_argv(repo, w.key)), 1,
                                 {"content object " + checksum + " (" + rel + ") is corrupted"},
                                 repo, before);
            // fsck finds it too (and so fails, as it should).
            BOOST_TEST(sh("ostree fsck --repo=" + quote(repo) + " >/dev/null 2>&1").exit_code != 0);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// What fault_fs (tests/fault_module/fault_fs.c, LD_PRELOAD) logged of a
// run: one "N CALL PATH" line per write, link or rename under the repository.
std::vector<std::string> logged_calls(const std::string &log)
{
    std::vector<std::string> lines;
    std::istringstream in(read_text(log));
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

bool any_call_to(const std::vector<std::string> &calls, const std::string &needle)
{
    return std::any_of(calls.begin(), calls.end(), [&](const std::string &line) {
        return line.find(needle) != std::string::npos;
    });
}

// sign on `repo` with fault_fs preloaded: the `at`th call under the
// repository fails with EIO (0: none), each counted call logged to `log`.
Result sign_with_fault(const std::string &repo, const KeyPair &key, unsigned at,
                       const std::string &log)
{
    std::vector<std::string> argv = sign_argv(repo, key);
    // One worker: the calls come in the same order in every run.
    std::replace(argv.begin(), argv.end(), std::string("--jobs=2"), std::string("--jobs=1"));
    (void)sh("rm -f " + quote(log));
    return run(argv, {{"LD_PRELOAD", FAULT_FS_LIBRARY},
                      {"FAULT_FS_UNDER", fs::canonical(repo).string()},
                      {"FAULT_FS_AT", std::to_string(at)},
                      {"FAULT_FS_LOG", log}});
}

// Every write, link and rename a run makes under the repository, failed
// one at a time: the objects linked into objects/ (object_file_io.cpp),
// the commit written into the staging directory (commit_writer.cpp), the
// staged objects renamed into objects/ and the ref file written and renamed
// at the transaction's commit (transaction.cpp). Each failure ends the run
// with one line, the ref where it was and `ostree fsck` clean, and the next
// run makes the commit an unfailed run makes.
void fail_each_call(const std::string &mode)
{
    World &w = world();
    const std::string dir = w.scratch("commit-phase-" + mode);
    const std::string tree = dir + "/tree";
    fs::create_directories(tree + "/usr/bin");
    fs::create_directories(tree + "/etc");
    write_text(tree + "/usr/bin/tool", "#!/bin/sh\necho hi\n");
    fs::permissions(tree + "/usr/bin/tool", fs::perms::owner_exec, fs::perm_options::add);
    write_text(tree + "/usr/bin/data", random_bytes(70000, 11));
    write_text(tree + "/etc/conf", "setting\n");
    fs::create_symlink("conf", tree + "/etc/link");
    // fsync left on (the default): without it libostree writes the commit
    // straight into objects/, with it into the staging directory first.
    const std::string pristine = dir + "/pristine";
    sh_ok("ostree init --repo=" + quote(pristine) + " --mode=" + mode +
          " && ostree commit --repo=" + quote(pristine) + " --branch=main --tree=dir=" +
          quote(tree) + " --timestamp='2026-01-02 03:04:05' >/dev/null" +
          " && ostree refs --repo=" + quote(pristine) + " --create=signed main");
    const std::string before = rev_parse(pristine, "signed");
    const std::string repo = dir + "/repo";
    const auto fresh_copy = [&] {
        sh_ok("rm -rf " + quote(repo) + " && cp -a " + quote(pristine) + " " + quote(repo));
    };

    // Nothing failed: the calls to fail, and the commit to expect.
    fresh_copy();
    const std::string log = dir + "/calls.log";
    const Result clean = sign_with_fault(repo, w.key, 0, log);
    BOOST_REQUIRE_MESSAGE(clean.exit_code == 0, clean.err);
    const std::string expected = trimmed(clean.out);
    BOOST_REQUIRE(rev_parse(repo, "signed") == expected);
    const std::vector<std::string> calls = logged_calls(log);
    BOOST_TEST_MESSAGE(mode << ": " << calls.size() << " calls under the repository");
    // The commit phase is among them: the new commit linked into the
    // staging directory and renamed into objects/, the ref file renamed.
    BOOST_REQUIRE(any_call_to(calls, "linkat " + fs::canonical(repo).string() + "/tmp/staging-"));
    BOOST_REQUIRE(any_call_to(calls, "renameat " + fs::canonical(repo).string() + "/objects/" +
                                         expected.substr(0, 2) + "/" + expected.substr(2) +
                                         ".commit"));
    BOOST_REQUIRE(
        any_call_to(calls, "renameat " + fs::canonical(repo).string() + "/refs/heads/signed"));

    for (unsigned at = 1; at <= calls.size(); ++at) {
        BOOST_TEST_CONTEXT(mode << ": failed call " << calls[at - 1])
        {
            fresh_copy();
            const Result r = sign_with_fault(repo, w.key, at, dir + "/failed.log");
            BOOST_TEST(any_call_to(logged_calls(dir + "/failed.log"), " failed"),
                       "the run made fewer calls than the unfailed one");
            expect_clean_failure(r, 1, {"Input/output error"}, repo, before);
            require_fsck(repo);
            BOOST_TEST(tmp_leftovers(repo).empty(),
                       "left in tmp/: " << joined(tmp_leftovers(repo)));
            const Result again = run(sign_argv(repo, w.key));
            BOOST_TEST(again.exit_code == 0, again.err);
            BOOST_TEST(trimmed(again.out) == expected);
            BOOST_TEST(rev_parse(repo, "signed") == expected);
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(commit_phase)

BOOST_AUTO_TEST_CASE(each_failed_write_or_rename_leaves_the_ref_archive)
{
    fail_each_call("archive");
}

BOOST_AUTO_TEST_CASE(each_failed_write_or_rename_leaves_the_ref_bare_user)
{
    fail_each_call("bare-user");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(concurrency)

// Two runs with the same key on different refs, at the same time: both
// succeed, and both give the commit a single run gives.
BOOST_AUTO_TEST_CASE(two_runs_on_different_refs)
{
    World &w = world();
    for (const std::string mode : {"archive", "bare-user"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            const std::string repo = w.copy_of(mode, "concurrent");
            ChildProcess a(sign_argv(repo, w.key, "ref-a"), w.dir / "a");
            ChildProcess b(sign_argv(repo, w.key, "ref-b"), w.dir / "b");
            const Result ra = a.wait();
            const Result rb = b.wait();
            BOOST_TEST(ra.exit_code == 0, ra.err);
            BOOST_TEST(rb.exit_code == 0, rb.err);
            BOOST_TEST(rev_parse(repo, "ref-a") == trimmed(ra.out));
            BOOST_TEST(rev_parse(repo, "ref-b") == trimmed(rb.out));
            // Each is the single run's commit bound to its own ref: signing
            // it again for the single run's ref gives that very commit.
            for (const std::string ref : {"ref-a", "ref-b"}) {
                std::vector<std::string> again = sign_argv(repo, w.key);
                again[again.size() - 2] = ref;
                const Result r = run(again);
                BOOST_TEST(r.exit_code == 0, r.err);
                BOOST_TEST(trimmed(r.out) == w.reference.at(mode), ref);
            }
            require_fsck(repo);
            BOOST_TEST(tmp_leftovers(repo).empty(),
                       "left in tmp/: " << joined(tmp_leftovers(repo)));
            (void)sh("rm -rf " + quote(repo));
        }
    }
}

// A short run that starts and ends while a long one is mid-transaction: its
// clean-up of staging directories (remove_unused_staging_dirs, at its
// commit) must leave the long run's, which that run holds locked; the long
// run then ends with the commit an undisturbed run makes.
BOOST_AUTO_TEST_CASE(a_short_run_during_a_long_one)
{
    World &w = world();
    const std::string dir = w.scratch("short-during-long");
    const std::string small = dir + "/small";
    fs::create_directories(small);
    write_text(small + "/one", "one\n");
    write_text(small + "/two", "two\n");
    for (const std::string mode : {"archive", "bare-user"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            const std::string repo = w.copy_of(mode, "short-during-long");
            // fsync on (the default): only then does libostree write the
            // commit into the staging directory, whose loss the long run
            // would notice.
            sh_ok("ostree config --repo=" + quote(repo) + " set core.fsync true" +
                  " && ostree commit --repo=" + quote(repo) + " --branch=small --tree=dir=" +
                  quote(small) + " --timestamp='2026-01-02 03:04:05' >/dev/null");
            ChildProcess long_run(sign_argv(repo, w.key), dir + "/long");
            BOOST_REQUIRE_MESSAGE(long_run.wait_in_transaction(repo),
                                  "the long run never started its transaction");
            std::vector<std::string> short_argv = sign_argv(repo, w.key, "small-signed");
            short_argv[short_argv.size() - 2] = "small";
            const Result short_run = run(short_argv);
            BOOST_TEST(short_run.exit_code == 0, short_run.err);
            // Else the short run proved nothing: the long one was not live.
            BOOST_TEST_REQUIRE(long_run.in_transaction(repo),
                               "the long run ended before the short one");
            const Result r = long_run.wait();
            BOOST_TEST(r.exit_code == 0, r.err);
            BOOST_TEST(trimmed(r.out) == w.reference.at(mode));
            BOOST_TEST(rev_parse(repo, "signed") == w.reference.at(mode));
            BOOST_TEST(rev_parse(repo, "small-signed") == trimmed(short_run.out));
            require_fsck(repo);
            BOOST_TEST(tmp_leftovers(repo).empty(),
                       "left in tmp/: " << joined(tmp_leftovers(repo)));
            (void)sh("rm -rf " + quote(repo));
        }
    }
}

// Two runs with different keys on the same ref: the ref ends at one of the
// two complete commits, never a mix (every file verifies with that key).
BOOST_AUTO_TEST_CASE(two_runs_on_the_same_ref)
{
    World &w = world();
    const std::string dir = w.scratch("same-ref");
    const std::string tree = dir + "/tree";
    fs::create_directories(tree + "/usr/lib");
    fs::create_directories(tree + "/etc");
    for (int i = 0; i < 20; ++i)
        write_text(tree + "/etc/conf" + std::to_string(i), "setting " + std::to_string(i) + "\n");
    fs::create_symlink("conf0", tree + "/etc/link");
    // Large enough that the two runs overlap.
    write_text(tree + "/usr/lib/huge.bin", random_bytes(24 << 20, 7));
    const std::string repo = make_fast_repo(dir + "/repo", "archive", tree);
    ChildProcess a(sign_argv(repo, w.key), dir + "/a");
    ChildProcess b(sign_argv(repo, w.other), dir + "/b");
    const Result ra = a.wait();
    const Result rb = b.wait();
    BOOST_REQUIRE_MESSAGE(ra.exit_code == 0, ra.err);
    BOOST_REQUIRE_MESSAGE(rb.exit_code == 0, rb.err);
    const std::string ca = trimmed(ra.out);
    const std::string cb = trimmed(rb.out);
    BOOST_TEST(ca != cb);
    const std::string now = rev_parse(repo, "signed");
    BOOST_TEST((now == ca || now == cb),
               "ref at " << now << ", runs printed " << ca << " and " << cb);
    require_fsck(repo);
    // Both commits are complete, each signed throughout by its own key.
    for (const auto &[commit, key] : {std::pair{ca, w.key}, std::pair{cb, w.other}}) {
        const auto failures = evmctl_verify_checkout(repo, commit, key.cert_der, dir);
        BOOST_TEST(failures.empty(), "evmctl on " << commit << ": " << joined(failures));
    }
    BOOST_TEST(tmp_leftovers(repo).empty(), "left in tmp/: " << joined(tmp_leftovers(repo)));
}

BOOST_AUTO_TEST_SUITE_END()
