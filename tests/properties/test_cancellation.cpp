// Every job has the same cancellation contract as `sign` (test_faults):
// SIGINT or SIGTERM mid-run ends it with 128 + signal and one line,
// "ostree-ima: interrupted; nothing was changed: ...", no output file, no
// ref moved, `ostree fsck` clean. Each job is signalled once /proc shows it
// mid-run: reading content (rchar) or signing (CPU time).
#define BOOST_TEST_MODULE cancellation
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "fixtures.hpp"
#include "text_files.hpp"
#include "workspace.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>

using namespace test_support;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

// 200 files of 1 MiB random content: a run with --jobs=1 reads for well over
// the moment a test waits for (16 MiB read), on any machine.
struct World : Workspace {
    const KeyPair &key = Workspace::key("rsa");
    std::string repo = dir / "repo";
    std::string manifest = dir / "digests.json";
    std::string signatures = dir / "signatures.json";
    World()
    {
        const std::string tree = dir / "tree";
        std::mt19937_64 rng(7);
        for (int d = 0; d < 4; ++d) {
            fs::create_directories(tree + "/d" + std::to_string(d));
            for (int f = 0; f < 50; ++f) {
                std::string data(kMiB, '\0');
                for (auto &c : data)
                    c = static_cast<char>(rng());
                std::ofstream(tree + "/d" + std::to_string(d) + "/f" + std::to_string(f),
                              std::ios::binary)
                    << data;
            }
        }
        sh_ok("ostree init --repo=" + quote(repo) + " --mode=bare-user && ostree config --repo=" +
              quote(repo) + " set core.fsync false && ostree commit --repo=" + quote(repo) +
              " -b main --tree=dir=" + quote(tree) + " >/dev/null");
        run_ok({binary(), "sign", "--repo=" + repo, "--key=" + key.key_pem,
                "--cert=" + key.cert_der, "main", "signed"});
        run_ok({binary(), "digests", "--repo=" + repo, "--cert=" + key.cert_der, "-o", manifest,
                "main"});
        run_ok({binary(), "sign-digests", "--yes", "--key=" + key.key_pem, "--cert=" + key.cert_der,
                "-o", signatures, manifest});
    }
    static void run_ok(const std::vector<std::string> &argv)
    {
        const Result r = run(argv);
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, argv[1] << ": " << r.err);
    }
};

World &world()
{
    static World w;
    return w;
}

// Starts argv, waits until `mid_run` holds, sends `signo`, and checks the
// contract: exit 128 + signo, `message` as the last line on stderr (the only
// one unless `after_summary`: sign-digests shows what it signs first),
// nothing on stdout.
template <typename MidRun>
void interrupt(const std::vector<std::string> &argv, MidRun &&mid_run, int signo,
               const std::string &message, bool after_summary = false)
{
    TempDir logs;
    ChildProcess child(argv, logs / "log");
    BOOST_REQUIRE_MESSAGE(child.wait_until([&] { return mid_run(child); }, 60s),
                          argv[1] << " ended (or never got) mid-run before the signal");
    child.signal(signo);
    const Result r = child.wait();
    BOOST_TEST(r.exit_code == 128 + signo, argv[1] << ": exit " << r.exit_code << ": " << r.err);
    const std::string line = "ostree-ima: interrupted; nothing was changed: " + message + "\n";
    if (after_summary)
        BOOST_TEST((r.err.size() > line.size() &&
                    r.err.compare(r.err.size() - line.size(), line.size(), line) == 0),
                   r.err);
    else
        BOOST_TEST(r.err == line);
    BOOST_TEST(r.out.empty(), r.out);
}

bool reading_content(const ChildProcess &child)
{
    return child.bytes_read() > 16 * kMiB;
}

} // namespace

BOOST_AUTO_TEST_CASE(verify_is_interrupted_cleanly)
{
    World &w = world();
    interrupt(
        {binary(), "verify", "--repo=" + w.repo, "--cert=" + w.key.cert_der, "--jobs=1", "signed"},
        reading_content, SIGINT, "verify only reads the repository");
}

BOOST_AUTO_TEST_CASE(digests_is_interrupted_cleanly)
{
    World &w = world();
    TempDir out;
    interrupt({binary(), "digests", "--repo=" + w.repo, "--jobs=1", "-o", out / "m.json", "main"},
              reading_content, SIGTERM, "the repository was only read, no manifest was written");
    BOOST_TEST(!fs::exists(out / "m.json"));
}

BOOST_AUTO_TEST_CASE(strip_is_interrupted_cleanly)
{
    World &w = world();
    interrupt({binary(), "strip", "--repo=" + w.repo, "--jobs=1", "signed", "stripped"},
              reading_content, SIGINT, "the ref stripped was not created");
    BOOST_TEST(!ref_exists(w.repo, "stripped"));
    require_fsck(w.repo);
}

BOOST_AUTO_TEST_CASE(apply_is_interrupted_cleanly)
{
    World &w = world();
    const std::string before = rev_parse(w.repo, "signed");
    interrupt({binary(), "apply", "--repo=" + w.repo, "--cert=" + w.key.cert_der,
               "--signatures=" + w.signatures, "--jobs=1", "main", "signed"},
              reading_content, SIGTERM, "the ref signed still points at " + before);
    BOOST_TEST(rev_parse(w.repo, "signed") == before);
    require_fsck(w.repo);
}

// The signing room: a manifest of 40,000 digests takes seconds to sign with
// a key file; the signal comes once the summary is out (the manifest is
// parsed and the key open: signing starts at once with --yes) and the
// process has used a fifth of a second of CPU more.
BOOST_AUTO_TEST_CASE(sign_digests_is_interrupted_cleanly)
{
    World &w = world();
    TempDir dir;
    std::string json =
        R"({"format":"ostree-ima-digests","version":3,"commit":")" + std::string(64, 'c') +
        R"(","hash":"sha256","selection":{"include":[],"exclude":[],)"
        R"("executables_only":false,"overwrite":false,"signer_key_id":null,"reuse":[]},)"
        R"("digests":[)";
    std::mt19937_64 rng(11);
    for (int i = 0; i < 40000; ++i) {
        std::string hex;
        for (int b = 0; b < 32; ++b) {
            static const char kHex[] = "0123456789abcdef";
            const auto v = static_cast<unsigned>(rng());
            hex += kHex[v & 15];
            hex += kHex[(v >> 4) & 15];
        }
        json += std::string(i == 0 ? "" : ",") + R"({"digest":")" + hex + R"(","paths":["/f)" +
                std::to_string(i) + R"("]})";
    }
    json += "]}\n";
    const std::string manifest = dir / "big.json";
    std::ofstream(manifest, std::ios::binary) << json;
    interrupt(
        {binary(), "sign-digests", "--yes", "--key=" + w.key.key_pem, "--cert=" + w.key.cert_der,
         "-o", dir / "s.json", manifest},
        [cpu_at_summary = -1.0](const ChildProcess &c) mutable {
            if (cpu_at_summary < 0 &&
                c.stderr_so_far().find("  certificate  ") != std::string::npos)
                cpu_at_summary = c.cpu_seconds();
            return cpu_at_summary >= 0 && c.cpu_seconds() > cpu_at_summary + 0.2;
        },
        SIGINT, "no signatures file was written", true);
    BOOST_TEST(!fs::exists(dir / "s.json"));
}
