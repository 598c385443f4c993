// Signing at the speed of the token (issue #12): signatures reused from a
// signed commit (--reuse) and from a signature cache, never trusted
// unchecked; a run that failed resumed with the cache; more sessions than
// CPU workers; a token served over a Unix socket by `p11-kit server` and
// used through p11-kit-client.so. Key operations are counted in the fault
// module's log (tests/fault_module/fault_pkcs11.c), which sits in front of
// a real SoftHSM2 token; every signed commit is checked with evmctl.
#define BOOST_TEST_MODULE reuse
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "crafted_commit.hpp"
#include "fixtures.hpp"
#include "prerequisites.hpp"
#include "text_files.hpp"
#include "tokens.hpp"
#include "workspace.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

using namespace test_support;
using json = nlohmann::json;
namespace fs = std::filesystem;

OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {

struct World : Workspace {
    SoftHsmToken token;
    // 40 files of distinct content, two with the same content as another
    // under another mode (one digest, two objects), a symlink.
    std::string tree = Workspace::tree(
        "tree", "mkdir -p usr/bin etc"
                "; for i in $(seq 40); do printf 'file %s\\n' $i > etc/f$i.conf; done"
                "; cp etc/f1.conf usr/bin/same-as-f1; chmod 0755 usr/bin/same-as-f1"
                "; ln -s ../etc/f2.conf usr/bin/link");
};

World &world()
{
    static World w;
    return w;
}

// The key on the token, through the fault module.
std::string key_uri()
{
    return SoftHsmToken::uri("rsa2048", false) + "?module-path=" + FAULT_PKCS11_MODULE;
}

struct Run {
    Result result;
    std::size_t key_operations = 0; // C_Sign calls the fault module logged
    json report;                    // --json, when it parsed
};

// `ostree-ima ARGS...` with the token's key through the fault module.
Run ostree_ima(const std::vector<std::string> &args,
               const std::map<std::string, std::string> &fault = {})
{
    static int serial = 0;
    const std::string log = world().dir / ("fault-" + std::to_string(++serial) + ".log");
    std::map<std::string, std::string> env = world().token.env;
    env.insert(fault.begin(), fault.end());
    env["FAULT_PKCS11_LOG"] = log;
    std::vector<std::string> argv = {binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    Run r;
    r.result = run(argv, env);
    r.key_operations = line_count(sh_ok("grep 'C_Sign' " + quote(log) + " || true"));
    if (r.result.exit_code == 0 && !r.result.out.empty() && r.result.out[0] == '{')
        r.report = json::parse(r.result.out);
    return r;
}

std::vector<std::string> sign_args(const std::string &repo, const std::string &src,
                                   const std::string &target,
                                   const std::vector<std::string> &extra = {})
{
    std::vector<std::string> args = {"sign",
                                     "--json",
                                     "--repo=" + repo,
                                     "--key=" + key_uri(),
                                     "--pin-file=" + world().token.pin_file,
                                     "--cert=" + world().token.cert("rsa2048")};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(src);
    args.push_back(target);
    return args;
}

std::string make_repo_of(const std::string &dir, const std::string &mode)
{
    return make_repo(dir, mode, world().tree, "v1");
}

// A second commit, v2: f1 to f4 changed (f1 also changes same-as-f1's
// digest's twin), one file added.
void commit_v2(const std::string &repo, const std::string &dir)
{
    const std::string tree = dir + "/tree-v2";
    sh_ok("rm -rf " + quote(tree) + " && cp -a " + quote(world().tree) + " " + quote(tree) +
          " && cd " + quote(tree) +
          " && for i in 1 2 3 4; do printf 'changed %s\\n' $i > etc/f$i.conf; done"
          " && printf 'new\\n' > etc/new.conf");
    sh_ok("ostree commit --repo=" + quote(repo) + " -b v2 --tree=dir=" + quote(tree) +
          " >/dev/null");
}

void require_valid(const std::string &repo, const std::string &rev, const std::string &dir)
{
    BOOST_TEST(evmctl_verify_checkout(repo, rev, world().token.cert("rsa2048"), dir).empty());
    require_fsck(repo);
}

} // namespace

// The next build: 5 of 42 digests are new; --reuse of yesterday's signed
// commit asks the key for exactly those, in archive and bare-user, and the
// signing room does the same (apply gives the commit sign gives).
BOOST_AUTO_TEST_CASE(reuse_asks_the_key_only_for_changed_digests)
{
    World &w = world();
    for (const std::string mode : {"archive", "bare-user"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            TempDir dir;
            const std::string repo = make_repo_of(dir.path(), mode);
            const Run first = ostree_ima(sign_args(repo, "v1", "v1-signed"));
            BOOST_REQUIRE_MESSAGE(first.result.exit_code == 0, first.result.err);
            // 41 digests: f1's content is at two objects (modes differ).
            BOOST_TEST(first.key_operations == 40u);
            BOOST_TEST(first.report["signatures"]["made"] == 40);
            BOOST_TEST(first.report["signatures"]["same_content"] == 1);
            commit_v2(repo, dir.path());

            const Run next = ostree_ima(sign_args(repo, "v2", "v2-signed", {"--reuse=v1-signed"}));
            BOOST_REQUIRE_MESSAGE(next.result.exit_code == 0, next.result.err);
            // f1..f4 changed, new.conf added; same-as-f1 still has the old
            // content, whose signature v1-signed carries.
            BOOST_TEST(next.key_operations == 5u);
            BOOST_TEST(next.report["signatures"]["made"] == 5);
            BOOST_TEST(next.report["signatures"]["reused_from_commits"] == 37);
            BOOST_TEST(next.report["signatures"]["rejected"] == 0);
            require_valid(repo, "v2-signed", dir.path());
            // The same commit as signing everything anew (RSA is deterministic).
            const Run full = ostree_ima(sign_args(repo, "v2", "v2-signed"));
            BOOST_TEST(full.key_operations == 42u); // 42 digests in v2
            BOOST_TEST(full.report["commit"] == next.report["commit"]);
            // ima-sign (ostree-ext-cli's surface) takes --reuse the same way.
            const Run drop_in =
                ostree_ima({"ima-sign", "--repo=" + repo, "--pin-file=" + w.token.pin_file,
                            "--cert=" + w.token.cert("rsa2048"), "--reuse=v1-signed", "v2",
                            "v2-ima", "sha256", key_uri()});
            BOOST_REQUIRE_MESSAGE(drop_in.result.exit_code == 0, drop_in.result.err);
            BOOST_TEST(drop_in.key_operations == 5u);
            require_valid(repo, "v2-ima", dir.path());

            // The signing room: digests --reuse lists only what changed;
            // apply fills in the rest from the same commit.
            const std::string manifest = dir / "digests.json";
            const std::string sigs = dir / "signatures.json";
            const Run d =
                ostree_ima({"digests", "--repo=" + repo, "--cert=" + w.token.cert("rsa2048"),
                            "--reuse=v1-signed", "-o", manifest, "v2"});
            BOOST_REQUIRE_MESSAGE(d.result.exit_code == 0, d.result.err);
            const json m = json::parse(read_text(manifest));
            BOOST_TEST(m["digests"].size() == 5u);
            BOOST_TEST(m["selection"]["reuse"] ==
                       json::array({trimmed(
                           sh_ok("ostree rev-parse --repo=" + quote(repo) + " v1-signed"))}));
            const Run s = ostree_ima({"sign-digests", "--yes", "--key=" + key_uri(),
                                      "--pin-file=" + w.token.pin_file,
                                      "--cert=" + w.token.cert("rsa2048"), "-o", sigs, manifest});
            BOOST_REQUIRE_MESSAGE(s.result.exit_code == 0, s.result.err);
            BOOST_TEST(s.key_operations == 5u);
            const Run a = ostree_ima({"apply", "--json", "--repo=" + repo,
                                      "--cert=" + w.token.cert("rsa2048"), "--signatures=" + sigs,
                                      "--reuse=v1-signed", "v2", "v2-signed"});
            BOOST_REQUIRE_MESSAGE(a.result.exit_code == 0, a.result.err);
            BOOST_TEST(a.report["commit"] == next.report["commit"]);
            BOOST_TEST(a.report["signatures"]["reused_from_commits"] == 37);
            // apply --reuse with other commits than the manifest's is refused.
            const Run other =
                ostree_ima({"apply", "--repo=" + repo, "--cert=" + w.token.cert("rsa2048"),
                            "--signatures=" + sigs, "--reuse=v1", "v2", "x"});
            BOOST_TEST(other.result.exit_code == 1);
            BOOST_TEST(other.result.err.find("other --reuse commits") != std::string::npos,
                       other.result.err);
        }
    }
}

namespace {
// The checksum `ostree ls -C` gives for PATH of REV (a file's content
// object; with -d a directory's dirtree).
std::string object_of(const std::string &repo, const std::string &rev, const std::string &path,
                      bool directory)
{
    std::istringstream words(sh_ok("ostree ls --repo=" + quote(repo) + " -C " +
                                   (directory ? "-d " : "") + quote(rev) + " " + quote(path)));
    std::string word;
    for (int i = 0; i < 5; ++i)
        words >> word;
    return word;
}

std::string object_file(const std::string &repo, const std::string &checksum,
                        const std::string &suffix)
{
    return repo + "/objects/" + checksum.substr(0, 2) + "/" + checksum.substr(2) + suffix;
}
} // namespace

// A damaged --reuse commit is not the source: what of it cannot be read is
// skipped with a warning naming the reuse commit and the path, and the key
// signs it instead (the run succeeds, the commit is the one signing anew
// gives). sign and digests alike.
BOOST_AUTO_TEST_CASE(a_damaged_reuse_commit_is_skipped_and_named)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo_of(dir.path(), "archive");
    BOOST_REQUIRE(ostree_ima(sign_args(repo, "v1", "v1-signed")).result.exit_code == 0);
    BOOST_REQUIRE(ostree_ima(sign_args(repo, "v1", "v1-again")).result.exit_code == 0);
    commit_v2(repo, dir.path());
    const std::string reused =
        trimmed(sh_ok("ostree rev-parse --repo=" + quote(repo) + " v1-signed"));
    const Run full = ostree_ima(sign_args(repo, "v2", "v2-full"));
    BOOST_REQUIRE_MESSAGE(full.result.exit_code == 0, full.result.err);

    // One object of the reuse commit missing (not one of the source's; the
    // signed object v2-full holds too, which the key then writes again).
    const std::string f10 =
        object_file(repo, object_of(repo, "v1-signed", "/etc/f10.conf", false), ".filez");
    std::filesystem::remove(f10);
    const std::string manifest = dir / "digests.json";
    const Run d = ostree_ima({"digests", "--repo=" + repo, "--cert=" + w.token.cert("rsa2048"),
                              "--reuse=v1-signed", "-o", manifest, "v2"});
    BOOST_REQUIRE_MESSAGE(d.result.exit_code == 0, d.result.err);
    BOOST_TEST(d.result.err.find("warning: --reuse commit " + reused + ": /etc/f10.conf") !=
                   std::string::npos,
               d.result.err);
    BOOST_TEST(json::parse(read_text(manifest))["digests"].size() == 6u);
    // Read whole (--reuse-reads-all), and by the commit's record of its
    // source: either way f10 is named, read and signed by the key.
    for (const bool reads_all : {true, false}) {
        BOOST_TEST_CONTEXT("--reuse-reads-all " << reads_all)
        {
            std::filesystem::remove(f10); // a run before made it again
            std::vector<std::string> extra = {"--reuse=v1-signed"};
            if (reads_all)
                extra.emplace_back("--reuse-reads-all");
            const Run one = ostree_ima(sign_args(repo, "v2", "v2-one", extra));
            BOOST_REQUIRE_MESSAGE(one.result.exit_code == 0, one.result.err);
            const std::string named =
                reads_all ? ": /etc/f10.conf not reused: "
                          : ": /etc/f10.conf not taken from its record (signed object ";
            BOOST_TEST(one.result.err.find("warning: --reuse commit " + reused + named) !=
                           std::string::npos,
                       one.result.err);
            BOOST_TEST(line_count(one.result.err) == 1u, one.result.err);
            BOOST_TEST(one.key_operations == 6u); // the 5 changed and f10
            BOOST_TEST(one.report["signatures"]["reuse_skipped"] == 1);
            BOOST_TEST(one.report["signatures"]["reused_with_files"] == (reads_all ? 0 : 36));
            BOOST_TEST(commit_root_tree(repo, "v2-one") == commit_root_tree(repo, "v2-full"));
            require_valid(repo, "v2-one", dir.path());
        }
    }

    // A dirtree of another reuse commit missing: that commit gives nothing,
    // named; the run goes on.
    const std::string again =
        trimmed(sh_ok("ostree rev-parse --repo=" + quote(repo) + " v1-again"));
    std::filesystem::remove(
        object_file(repo, object_of(repo, "v1-again", "/usr", true), ".dirtree"));
    const Run tree = ostree_ima(sign_args(repo, "v2", "v2-tree", {"--reuse=v1-again"}));
    BOOST_REQUIRE_MESSAGE(tree.result.exit_code == 0, tree.result.err);
    BOOST_TEST(tree.result.err.find("warning: --reuse commit " + again +
                                    " cannot be read, nothing is reused from it: ") !=
                   std::string::npos,
               tree.result.err);
    BOOST_TEST(tree.key_operations == 42u);
    BOOST_TEST(commit_root_tree(repo, "v2-tree") == commit_root_tree(repo, "v2-full"));
    require_valid(repo, "v2-tree", dir.path());
}

namespace {
// The ostree-ima.signing record sign writes, in GVariant text, for
// `ostree commit --add-metadata`: a forged or altered one.
std::string record_text(const std::string &source, const std::string &key_id,
                        const std::string &hash = "sha256")
{
    return "ostree-ima.signing={'version': <uint32 1>, 'source': <'" + source +
           "'>, 'scheme': <'v2'>, 'hash': <'" + hash + "'>, 'key-id': <'" + key_id +
           "'>, 'evm-key-id': <''>, 'overwrite': <false>, 'allow-large-xattrs': <false>}";
}

// A commit of `tree_ref`'s tree carrying `metadata` (GVariant text).
std::string commit_with_metadata(const std::string &repo, const std::string &tree_ref,
                                 const std::string &ref, const std::string &metadata)
{
    return trimmed(sh_ok("ostree commit --repo=" + quote(repo) + " -b " + ref +
                         " --tree=ref=" + tree_ref + " --add-metadata=" + quote(metadata)));
}
} // namespace

// Issue #23: the signed commit records its source; the next build's
// unchanged files are taken by that record, unread (bytes_hashed counts the
// 5 changed files only), and the result is the commit a full run gives,
// byte for byte, with and without --reuse-reads-all.
BOOST_AUTO_TEST_CASE(unchanged_files_are_taken_by_the_record_unread)
{
    for (const std::string mode : {"archive", "bare-user"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            TempDir dir;
            const std::string repo = make_repo_of(dir.path(), mode);
            const Run first = ostree_ima(sign_args(repo, "v1", "v1-signed"));
            BOOST_REQUIRE_MESSAGE(first.result.exit_code == 0, first.result.err);
            BOOST_TEST(commit_signing_source(repo, "v1-signed").value_or("") ==
                       rev_parse(repo, "v1"));
            commit_v2(repo, dir.path());
            const Run full = ostree_ima(sign_args(repo, "v2", "v2-signed"));
            BOOST_REQUIRE_MESSAGE(full.result.exit_code == 0, full.result.err);

            const Run next = ostree_ima(sign_args(repo, "v2", "v2-signed", {"--reuse=v1-signed"}));
            BOOST_REQUIRE_MESSAGE(next.result.exit_code == 0, next.result.err);
            BOOST_TEST(next.result.err.find("warning") == std::string::npos, next.result.err);
            BOOST_TEST(next.key_operations == 5u);
            // f5..f40 and same-as-f1: taken with their files; f1..f4 and
            // new.conf read: 4 x "changed N\n" and "new\n".
            BOOST_TEST(next.report["signatures"]["reused_with_files"] == 37);
            BOOST_TEST(next.report["signatures"]["reused_from_commits"] == 37);
            BOOST_TEST(next.report["bytes_hashed"] == 4 * 10 + 4);
            BOOST_TEST(full.report["bytes_hashed"].get<std::uint64_t>() > 300u);
            BOOST_TEST(next.report["commit"] == full.report["commit"]);
            BOOST_TEST(commit_signing_source(repo, "v2-signed").value_or("") ==
                       rev_parse(repo, "v2"));
            require_valid(repo, "v2-signed", dir.path());

            const Run all = ostree_ima(
                sign_args(repo, "v2", "v2-signed", {"--reuse=v1-signed", "--reuse-reads-all"}));
            BOOST_REQUIRE_MESSAGE(all.result.exit_code == 0, all.result.err);
            BOOST_TEST(all.report["signatures"]["reused_with_files"] == 0);
            BOOST_TEST(all.report["bytes_hashed"] == full.report["bytes_hashed"]);
            BOOST_TEST(all.report["commit"] == full.report["commit"]);

            // The day after: v2's record is followed just the same.
            const Run third = ostree_ima(sign_args(
                repo, "v2", "v2-signed", {"--reuse=" + next.report["commit"].get<std::string>()}));
            BOOST_REQUIRE_MESSAGE(third.result.exit_code == 0, third.result.err);
            BOOST_TEST(third.key_operations == 0u);
            BOOST_TEST(third.report["bytes_hashed"] == 0);
            BOOST_TEST(third.report["commit"] == full.report["commit"]);
        }
    }
}

// A record is an input: followed only where it holds. Other options, a
// source commit gone, a malformed record: not followed, named, every file
// read. A signed object that is not a valid signature by this key (another
// key id, bytes that do not verify) is not taken: named, read and signed.
// A forged record can only name earlier files the key signed (a rollback
// of those files, which every file's signature still verifies):
// --reuse-reads-all takes nothing but signatures from such a commit.
BOOST_AUTO_TEST_CASE(a_record_is_only_followed_where_it_holds)
{
    TempDir dir;
    const std::string repo = make_repo_of(dir.path(), "archive");
    const std::string v1 = rev_parse(repo, "v1");
    const Run first = ostree_ima(sign_args(repo, "v1", "v1-signed"));
    BOOST_REQUIRE_MESSAGE(first.result.exit_code == 0, first.result.err);
    const std::string key_id = first.report["key_id"];
    commit_v2(repo, dir.path());
    const Run full = ostree_ima(sign_args(repo, "v2", "out"));
    BOOST_REQUIRE_MESSAGE(full.result.exit_code == 0, full.result.err);

    const auto not_followed = [&](const std::string &rev, const std::string &why,
                                  const std::vector<std::string> &more = {}) {
        BOOST_TEST_CONTEXT(rev)
        {
            std::vector<std::string> extra = {"--reuse=" + rev};
            extra.insert(extra.end(), more.begin(), more.end());
            const Run r = ostree_ima(sign_args(repo, "v2", "out", extra));
            BOOST_REQUIRE_MESSAGE(r.result.exit_code == 0, r.result.err);
            BOOST_TEST(r.result.err.find("warning: --reuse commit " + rev_parse(repo, rev) + why) !=
                           std::string::npos,
                       r.result.err);
            BOOST_TEST(r.report["signatures"]["reused_with_files"] == 0);
            BOOST_TEST(r.report["bytes_hashed"] == full.report["bytes_hashed"]);
            BOOST_TEST(r.report["commit"] == full.report["commit"]);
            require_valid(repo, "out", dir.path());
        }
    };
    // Signed with sha512: its files hold other signatures than sha256 ones.
    BOOST_REQUIRE(
        ostree_ima(sign_args(repo, "v1", "v1-sha512", {"--hash=sha512"})).result.exit_code == 0);
    not_followed("v1-sha512",
                 " was signed with other options than this run, the hash algorithm (sha512, "
                 "now sha256): its files are read");
    // A record that names a commit the repository no longer has.
    commit_with_metadata(repo, "v1-signed", "gone-source",
                         record_text(std::string(64, 'a'), key_id));
    not_followed("gone-source", ": its record of the source commit it was signed from (" +
                                    std::string(64, 'a') + ") cannot be followed: ");
    // Not a record this version writes.
    commit_with_metadata(repo, "v1-signed", "malformed",
                         "ostree-ima.signing={'version': <uint32 2>}");
    not_followed("malformed", ": its ostree-ima.signing metadata is not a record this version "
                              "writes; its files are read");

    // Objects that are no valid signature by this key: f20's bytes do not
    // verify, f21 is by another key id. Both named, read, and signed.
    std::vector<std::uint8_t> bad = {0x03, 0x02, 0x04};
    for (std::size_t i = 0; i < 8; i += 2)
        bad.push_back(static_cast<std::uint8_t>(std::stoul(key_id.substr(i, 2), nullptr, 16)));
    bad.push_back(0x01);
    bad.push_back(0x00);
    bad.resize(bad.size() + 256, 0x5a);
    std::vector<std::uint8_t> other_key = bad;
    other_key[3] ^= 0xff;
    commit_with_ima_values(repo, world().tree, "crafted",
                           {{"/etc/f20.conf", bad}, {"/etc/f21.conf", other_key}});
    commit_with_metadata(repo, "crafted", "crafted-record", record_text(v1, key_id));
    const Run crafted = ostree_ima(sign_args(repo, "v2", "out", {"--reuse=crafted-record"}));
    BOOST_REQUIRE_MESSAGE(crafted.result.exit_code == 0, crafted.result.err);
    const std::string named = "warning: --reuse commit " + rev_parse(repo, "crafted-record");
    BOOST_TEST(crafted.result.err.find(named + ": /etc/f20.conf not taken from its record") !=
                   std::string::npos,
               crafted.result.err);
    BOOST_TEST(crafted.result.err.find("its signature does not verify for the signing key") !=
                   std::string::npos,
               crafted.result.err);
    BOOST_TEST(crafted.result.err.find(named + ": /etc/f21.conf not taken from its record") !=
                   std::string::npos,
               crafted.result.err);
    BOOST_TEST(crafted.result.err.find("is not a v2 sha256 signature by key " + key_id) !=
                   std::string::npos,
               crafted.result.err);
    BOOST_TEST(crafted.report["signatures"]["reused_with_files"] == 0);
    BOOST_TEST(crafted.report["commit"] == full.report["commit"]);
    require_valid(repo, "out", dir.path());

    // A forged record: v1-signed's tree claiming v2 as its source. The
    // changed files f1..f4 become their earlier signed versions, each a
    // valid signature of the key (evmctl accepts them); nothing unsigned
    // or invalid enters. --reuse-reads-all takes only signatures.
    commit_with_metadata(repo, "v1-signed", "forged", record_text(rev_parse(repo, "v2"), key_id));
    const Run forged = ostree_ima(sign_args(repo, "v2", "out", {"--reuse=forged"}));
    BOOST_REQUIRE_MESSAGE(forged.result.exit_code == 0, forged.result.err);
    BOOST_TEST(forged.report["commit"] != full.report["commit"]);
    BOOST_TEST(read_commit_files(repo, "out").at("/etc/f1.conf").size == 7u); // "file 1\n"
    require_valid(repo, "out", dir.path());
    const Run refused =
        ostree_ima(sign_args(repo, "v2", "out", {"--reuse=forged", "--reuse-reads-all"}));
    BOOST_REQUIRE_MESSAGE(refused.result.exit_code == 0, refused.result.err);
    BOOST_TEST(refused.report["commit"] == full.report["commit"]);
}

// A cache or commit that holds what must not be used: another key's
// signatures (ignored), signatures that do not verify (rejected, counted),
// garbage lines and a cut last line (skipped, counted). Nothing invalid is
// written: evmctl accepts every file, and the key makes what is missing.
BOOST_AUTO_TEST_CASE(what_does_not_verify_is_never_reused)
{
    TempDir dir;
    const std::string repo = make_repo_of(dir.path(), "archive");
    const Run good =
        ostree_ima(sign_args(repo, "v1", "good", {"--signature-cache=" + (dir / "good.cache")}));
    BOOST_REQUIRE_MESSAGE(good.result.exit_code == 0, good.result.err);
    const std::string cache_text = read_text(dir / "good.cache");
    BOOST_TEST(line_count(cache_text) == 41u); // header + 40

    // A hostile cache: every entry's signature swapped with the next
    // entry's (valid signatures, for other digests), a garbage line, a line
    // by another key id, and a last line cut short.
    std::vector<std::string> lines;
    std::istringstream in(cache_text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#')
            lines.push_back(line);
    std::string hostile = "# ostree-ima signature cache 1\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string mine = lines[i].substr(0, lines[i].rfind(' '));
        const std::string next = lines[(i + 1) % lines.size()];
        hostile += mine + next.substr(next.rfind(' ')) + "\n";
    }
    hostile += "sha256 not-hex 00000000 AAAA\n";
    hostile += lines[0].substr(0, lines[0].find(' ', 7) + 1) + "0badc0de" +
               lines[0].substr(lines[0].find(' ', 7) + 9) + "\n";
    hostile += lines[1].substr(0, lines[1].size() / 2); // cut short by a crash
    write_text(dir / "hostile.cache", hostile);

    const Run r =
        ostree_ima(sign_args(repo, "v1", "good", {"--signature-cache=" + (dir / "hostile.cache")}));
    BOOST_REQUIRE_MESSAGE(r.result.exit_code == 0, r.result.err);
    BOOST_TEST(r.report["signatures"]["reused_from_cache"] == 0);
    BOOST_TEST(r.report["signatures"]["rejected"] == 40);
    BOOST_TEST(r.report["signatures"]["cache_lines_skipped"] == 2);
    BOOST_TEST(r.key_operations == 40u);
    BOOST_TEST(r.report["commit"] == good.report["commit"]);
    BOOST_TEST(r.result.err.find("40 known signatures rejected") == std::string::npos); // --json
    require_valid(repo, "good", dir.path());

    // A commit signed by another key: nothing of it is taken.
    const KeyPair other = make_key(dir.path(), "other", "rsa:2048");
    sh_ok(quote(binary()) + " sign --quiet --repo=" + quote(repo) + " --key=" +
          quote(other.key_pem) + " --cert=" + quote(other.cert_der) + " v1 by-other >/dev/null");
    const Run o = ostree_ima(sign_args(repo, "v1", "not-from-other", {"--reuse=by-other"}));
    BOOST_REQUIRE_MESSAGE(o.result.exit_code == 0, o.result.err);
    BOOST_TEST(o.report["signatures"]["reused_from_commits"] == 0);
    BOOST_TEST(o.key_operations == 40u);
    require_valid(repo, "not-from-other", dir.path());
}

// An EC key cannot be recovered from: the reused commit's files are hashed,
// and a signature that is its key's but for other content (a stale one) is
// rejected, never written.
BOOST_AUTO_TEST_CASE(ec_signatures_are_found_by_hashing_and_stale_ones_rejected)
{
    TempDir dir;
    const KeyPair ec = make_key(dir.path(), "ec", "ec:P-256");
    const std::string tree = dir / "tree";
    sh_ok("mkdir -p " + quote(tree) + " && printf 'one\\n' > " + quote(tree + "/one") +
          " && printf 'two\\n' > " + quote(tree + "/two"));
    // A commit whose /one carries ec's valid signature of "two\n" content.
    const std::string f = dir / "sig-input";
    write_text(f, "two\n");
    sh_ok("evmctl ima_sign --xattr-user --hashalgo sha256 --key " + quote(ec.key_pem) + " " +
          quote(f) + " >/dev/null && getfattr --only-values -n user.ima " + quote(f) + " > " +
          quote(f + ".ima"));
    const std::string raw = read_text(f + ".ima");
    const std::string repo = dir / "repo";
    sh_ok("ostree init --repo=" + quote(repo) + " --mode=archive");
    (void)commit_with_ima_values(repo, tree, "stale", {{"/one", {raw.begin(), raw.end()}}});
    sh_ok("ostree commit --repo=" + quote(repo) + " -b main --tree=dir=" + quote(tree) +
          " >/dev/null");
    const Result r = run({binary(), "sign", "--json", "--repo=" + repo, "--key=" + ec.key_pem,
                          "--cert=" + ec.cert_der, "--reuse=stale", "main", "signed"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const json report = json::parse(r.out);
    BOOST_TEST(report["signatures"]["rejected"] == 1);
    BOOST_TEST(report["signatures"]["made"] == 2);
    BOOST_TEST(evmctl_verify_checkout(repo, "signed", ec.cert_der, dir.path()).empty());
    // And a valid one is found by hashing: sign again reusing "signed".
    const Result again = run({binary(), "sign", "--json", "--repo=" + repo, "--key=" + ec.key_pem,
                              "--cert=" + ec.cert_der, "--reuse=signed", "main", "again"});
    BOOST_REQUIRE_MESSAGE(again.exit_code == 0, again.err);
    BOOST_TEST(json::parse(again.out)["signatures"]["reused_from_commits"] == 2);
    BOOST_TEST(json::parse(again.out)["signatures"]["made"] == 0);
}

// The token fails at its 15th signature; the rerun with the same cache asks
// it only for the rest: key operations across both runs = digests + the
// failed one. The same for sign-digests --resume.
BOOST_AUTO_TEST_CASE(a_failed_run_resumes_from_the_cache)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo_of(dir.path(), "bare-user");
    const std::string cache = dir / "run.cache";
    const Run failed =
        ostree_ima(sign_args(repo, "v1", "signed", {"--signature-cache=" + cache, "--jobs=1"}),
                   {{"FAULT_PKCS11_FAULT", "CKR_DEVICE_REMOVED"}, {"FAULT_PKCS11_AT", "15"}});
    BOOST_TEST(failed.result.exit_code == 1);
    BOOST_TEST(!ref_exists(repo, "signed"));
    BOOST_TEST(line_count(read_text(cache)) == 15u); // header + the 14 made
    const Run resumed = ostree_ima(sign_args(repo, "v1", "signed", {"--signature-cache=" + cache}));
    BOOST_REQUIRE_MESSAGE(resumed.result.exit_code == 0, resumed.result.err);
    BOOST_TEST(resumed.report["signatures"]["reused_from_cache"] == 14);
    BOOST_TEST(resumed.key_operations == 26u);
    BOOST_TEST(failed.key_operations + resumed.key_operations == 40u + 1u);
    require_valid(repo, "signed", dir.path());

    // sign-digests --resume: the cache beside --output.
    const std::string manifest = dir / "digests.json";
    BOOST_REQUIRE(
        ostree_ima({"digests", "--repo=" + repo, "-o", manifest, "v1"}).result.exit_code == 0);
    const std::vector<std::string> room = {"sign-digests",
                                           "--yes",
                                           "--resume",
                                           "--jobs=1",
                                           "--key=" + key_uri(),
                                           "--pin-file=" + w.token.pin_file,
                                           "--cert=" + w.token.cert("rsa2048"),
                                           "-o",
                                           dir / "signatures.json",
                                           manifest};
    const Run cut =
        ostree_ima(room, {{"FAULT_PKCS11_FAULT", "CKR_DEVICE_REMOVED"}, {"FAULT_PKCS11_AT", "10"}});
    BOOST_TEST(cut.result.exit_code == 1);
    BOOST_TEST(!fs::exists(dir / "signatures.json"));
    const Run rest = ostree_ima(room);
    BOOST_REQUIRE_MESSAGE(rest.result.exit_code == 0, rest.result.err);
    BOOST_TEST(rest.key_operations == 40u - 9u);
    BOOST_TEST(rest.result.err.find("(31 made by the key, 9 from the signature cache)") !=
                   std::string::npos,
               rest.result.err);
}

// A token with room for 4 signing sessions, asked for 16: the run keeps to
// 4 and succeeds; 32 sessions of 20 ms each sign the 40 digests in a
// fraction of the time 2 sessions take.
BOOST_AUTO_TEST_CASE(sessions_follow_the_token)
{
    TempDir dir;
    const std::string repo = make_repo_of(dir.path(), "archive");
    const Run four =
        ostree_ima(sign_args(repo, "v1", "four", {"--sessions=16"}),
                   {{"FAULT_PKCS11_SIGNING_SESSIONS", "4"}, {"FAULT_PKCS11_LATENCY_MS", "20"}});
    BOOST_REQUIRE_MESSAGE(four.result.exit_code == 0, four.result.err);
    BOOST_TEST(four.key_operations == 40u);
    require_valid(repo, "four", dir.path());
    auto seconds = [&](const std::string &sessions) {
        const Run r = ostree_ima(
            sign_args(repo, "v1", "s" + sessions, {"--sessions=" + sessions, "--jobs=1"}),
            {{"FAULT_PKCS11_LATENCY_MS", "50"}});
        BOOST_REQUIRE_MESSAGE(r.result.exit_code == 0, r.result.err);
        return r.report["seconds"].get<double>();
    };
    // 40 signatures of 50 ms: 2 s on one session, a fraction on 16 (a
    // generous bound: this checks that sessions are used, not a rate).
    const double one = seconds("1");
    const double sixteen = seconds("16");
    BOOST_TEST(one > 1.9);
    BOOST_TEST(sixteen < one / 3, "1 session " << one << " s, 16 sessions " << sixteen << " s");
}

// A token with room for one session (a TPM's slot, many smart cards), that
// says so in ulMaxSessionCount or says nothing and refuses a second
// C_OpenSession: the run signs on its login session, at any --jobs and
// --sessions, and writes the commit any other token would.
BOOST_AUTO_TEST_CASE(a_token_with_one_session)
{
    // The same ref in repositories of their own: the commits compare.
    TempDir reference_dir;
    const std::string reference_repo = make_repo_of(reference_dir.path(), "archive");
    const Run reference = ostree_ima(sign_args(reference_repo, "v1", "signed"));
    BOOST_REQUIRE_MESSAGE(reference.result.exit_code == 0, reference.result.err);
    for (const std::string says : {"say", "silent"}) {
        BOOST_TEST_CONTEXT("FAULT_PKCS11_ONE_SESSION=" << says)
        {
            TempDir dir;
            const std::string repo = make_repo_of(dir.path(), "archive");
            const Run one =
                ostree_ima(sign_args(repo, "v1", "signed", {"--jobs=4", "--sessions=8"}),
                           {{"FAULT_PKCS11_ONE_SESSION", says}});
            BOOST_REQUIRE_MESSAGE(one.result.exit_code == 0, one.result.err);
            BOOST_TEST(one.key_operations == 40u);
            BOOST_TEST(one.report["commit"] == reference.report["commit"]);
            require_valid(repo, "signed", dir.path());
        }
    }
}

// A token served over a Unix socket by `p11-kit server`, used through
// p11-kit-client.so: the same commit, accepted by evmctl.
BOOST_AUTO_TEST_CASE(a_remote_token_through_p11_kit)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo_of(dir.path(), "archive");
    const std::string socket = dir / "p11.sock";
    ChildProcess server({"/usr/bin/env", "SOFTHSM2_CONF=" + w.token.env.at("SOFTHSM2_CONF"),
                         "/usr/bin/p11-kit", "server", "-f", "--provider",
                         "/usr/lib/softhsm/libsofthsm2.so", "-n", socket,
                         "pkcs11:token=ostree-ima-test"},
                        dir / "server");
    BOOST_REQUIRE(server.wait_until([&] { return fs::exists(socket); }, std::chrono::seconds(10)));
    std::map<std::string, std::string> env = w.token.env;
    env["P11_KIT_SERVER_ADDRESS"] = "unix:path=" + socket;
    const std::string uri = SoftHsmToken::uri("rsa2048", false) +
                            "?module-path=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so";
    const Result remote =
        run({binary(), "sign", "--json", "--repo=" + repo, "--key=" + uri,
             "--pin-file=" + w.token.pin_file, "--cert=" + w.token.cert("rsa2048"), "v1", "remote"},
            env);
    BOOST_REQUIRE_MESSAGE(remote.exit_code == 0, remote.err);
    server.signal(SIGTERM);
    (void)server.wait();
    require_valid(repo, "remote", dir.path());
    const Run local = ostree_ima(sign_args(repo, "v1", "remote"));
    BOOST_TEST(json::parse(remote.out)["commit"] == local.report["commit"]);
}

// fs-verity signatures (sigv3) are reused from commits and the cache as v2
// ones are, and never one format for the other. The tree holds a trap: a
// file whose content is f5's fs-verity file id {06 04 digest}, so its v2
// signature signs exactly the digest f5's sigv3 one signs (it would verify);
// it must still not be taken. Every verity commit is checked with the
// fsverity and openssl CLIs.
BOOST_AUTO_TEST_CASE(verity_signatures_are_reused_apart_from_v2)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree, "v1");
    const std::string cache = dir / "run.cache";
    const auto verity_valid = [&](const std::string &rev) {
        const std::vector<std::string> failures =
            verity_verify_checkout(repo, rev, w.token.cert("rsa2048"), dir.path());
        BOOST_TEST(failures.empty(), rev << ": " << (failures.empty() ? "" : failures.front()));
    };

    // 40 digests in each format; the cache gets both, apart.
    const Run v2 = ostree_ima(sign_args(repo, "v1", "v1-v2", {"--signature-cache=" + cache}));
    BOOST_REQUIRE_MESSAGE(v2.result.exit_code == 0, v2.result.err);
    BOOST_TEST(v2.key_operations == 40u);
    const Run verity = ostree_ima(sign_args(
        repo, "v1", "v1-verity", {"--verity", "--signature-cache=" + cache, "--reuse=v1-v2"}));
    BOOST_REQUIRE_MESSAGE(verity.result.exit_code == 0, verity.result.err);
    BOOST_TEST(verity.report["signatures"]["reused_from_cache"] == 0);
    BOOST_TEST(verity.report["signatures"]["reused_from_commits"] == 0);
    BOOST_TEST(verity.report["signatures"]["cache_lines_skipped"] == 0);
    BOOST_TEST(verity.key_operations == 40u);
    verity_valid("v1-verity");
    const std::string text = read_text(cache);
    BOOST_TEST(line_count(text) == 1u + 40u + 40u);
    BOOST_TEST(line_count(sh_ok("grep '^verity-sha256 ' " + quote(cache))) == 40u);
    BOOST_TEST(line_count(sh_ok("grep '^sha256 ' " + quote(cache))) == 40u);

    // A v2 line holding a signature of a verity digest (what a v2 signature
    // of a file whose content is that file id would be) is never taken for a
    // sigv3 one: the verity lines relabelled as v2 lines reuse nothing.
    write_text(dir / "crossed.cache",
               "# ostree-ima signature cache 1\n" +
                   sh_ok("sed -n 's/^verity-sha256 /sha256 /p' " + quote(cache)));
    const Run crossed = ostree_ima(sign_args(
        repo, "v1", "v1-crossed", {"--verity", "--signature-cache=" + (dir / "crossed.cache")}));
    BOOST_REQUIRE_MESSAGE(crossed.result.exit_code == 0, crossed.result.err);
    BOOST_TEST(crossed.report["signatures"]["reused_from_cache"] == 0);
    BOOST_TEST(crossed.key_operations == 40u);

    // Each format is resumed from its own lines.
    const Run again =
        ostree_ima(sign_args(repo, "v1", "v1-verity", {"--verity", "--signature-cache=" + cache}));
    BOOST_REQUIRE_MESSAGE(again.result.exit_code == 0, again.result.err);
    BOOST_TEST(again.report["signatures"]["reused_from_cache"] == 40);
    BOOST_TEST(again.key_operations == 0u);
    BOOST_TEST(again.report["commit"] == verity.report["commit"]);
    const Run v2_again = ostree_ima(sign_args(repo, "v1", "v1-v2", {"--signature-cache=" + cache}));
    BOOST_TEST(v2_again.report["signatures"]["reused_from_cache"] == 40);
    BOOST_TEST(v2_again.key_operations == 0u);
    BOOST_TEST(v2_again.report["commit"] == v2.report["commit"]);

    // Cached verity signatures are verified before they are written: each
    // line's signature swapped with the next line's is rejected, and the key
    // makes them all again.
    std::vector<std::string> lines;
    std::istringstream in(sh_ok("grep '^verity-sha256 ' " + quote(cache)));
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    std::string hostile = "# ostree-ima signature cache 1\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string &next = lines[(i + 1) % lines.size()];
        hostile += lines[i].substr(0, lines[i].rfind(' ')) + next.substr(next.rfind(' ')) + "\n";
    }
    write_text(dir / "hostile.cache", hostile);
    const Run rejected = ostree_ima(sign_args(
        repo, "v1", "v1-verity", {"--verity", "--signature-cache=" + (dir / "hostile.cache")}));
    BOOST_REQUIRE_MESSAGE(rejected.result.exit_code == 0, rejected.result.err);
    BOOST_TEST(rejected.report["signatures"]["rejected"] == 40);
    BOOST_TEST(rejected.report["signatures"]["reused_from_cache"] == 0);
    BOOST_TEST(rejected.key_operations == 40u);
    BOOST_TEST(rejected.report["commit"] == verity.report["commit"]);

    // The next build (5 new digests) reuses yesterday's verity commit.
    commit_v2(repo, dir.path());
    const Run next =
        ostree_ima(sign_args(repo, "v2", "v2-verity", {"--verity", "--reuse=v1-verity"}));
    BOOST_REQUIRE_MESSAGE(next.result.exit_code == 0, next.result.err);
    BOOST_TEST(next.key_operations == 5u);
    BOOST_TEST(next.report["signatures"]["reused_from_commits"] == 37);
    BOOST_TEST(next.report["signatures"]["rejected"] == 0);
    verity_valid("v2-verity");
    // A v2 run takes nothing from a verity commit.
    const Run not_v2 = ostree_ima(sign_args(repo, "v2", "v2-v2", {"--reuse=v2-verity"}));
    BOOST_REQUIRE_MESSAGE(not_v2.result.exit_code == 0, not_v2.result.err);
    BOOST_TEST(not_v2.report["signatures"]["reused_from_commits"] == 0);
    BOOST_TEST(not_v2.key_operations == 42u);

    // The signing room: digests --verity --reuse lists the 5; sign-digests
    // --resume, cut at its third signature, resumes; apply --reuse gives the
    // commit sign gave.
    const std::string manifest = dir / "digests.json";
    const std::string sigs = dir / "signatures.json";
    const Run d =
        ostree_ima({"digests", "--verity", "--repo=" + repo, "--cert=" + w.token.cert("rsa2048"),
                    "--reuse=v1-verity", "-o", manifest, "v2"});
    BOOST_REQUIRE_MESSAGE(d.result.exit_code == 0, d.result.err);
    BOOST_TEST(json::parse(read_text(manifest))["digests"].size() == 5u);
    const std::vector<std::string> room = {"sign-digests",
                                           "--yes",
                                           "--resume",
                                           "--jobs=1",
                                           "--key=" + key_uri(),
                                           "--pin-file=" + w.token.pin_file,
                                           "--cert=" + w.token.cert("rsa2048"),
                                           "-o",
                                           sigs,
                                           manifest};
    const Run cut =
        ostree_ima(room, {{"FAULT_PKCS11_FAULT", "CKR_DEVICE_REMOVED"}, {"FAULT_PKCS11_AT", "3"}});
    BOOST_TEST(cut.result.exit_code == 1);
    BOOST_TEST(line_count(sh_ok("grep '^verity-sha256 ' " + quote(sigs + ".cache"))) == 2u);
    const Run rest = ostree_ima(room);
    BOOST_REQUIRE_MESSAGE(rest.result.exit_code == 0, rest.result.err);
    BOOST_TEST(rest.key_operations == 3u);
    BOOST_TEST(rest.result.err.find("(3 made by the key, 2 from the signature cache)") !=
                   std::string::npos,
               rest.result.err);
    const Run a =
        ostree_ima({"apply", "--json", "--repo=" + repo, "--cert=" + w.token.cert("rsa2048"),
                    "--signatures=" + sigs, "--reuse=v1-verity", "v2", "v2-verity"});
    BOOST_REQUIRE_MESSAGE(a.result.exit_code == 0, a.result.err);
    BOOST_TEST(a.report["commit"] == next.report["commit"]);
    BOOST_TEST(a.report["signatures"]["reused_from_commits"] == 37);
}

// An EC key's verity signatures are found by computing each file's fs-verity
// file id hash (no digest can be recovered from ECDSA).
BOOST_AUTO_TEST_CASE(ec_verity_signatures_are_found_by_hashing)
{
    TempDir dir;
    const KeyPair ec = make_key(dir.path(), "ec", "ec:P-256");
    const std::string repo = make_repo_of(dir.path(), "archive");
    const auto sign = [&](const std::vector<std::string> &extra) {
        std::vector<std::string> argv = {binary(),
                                         "sign",
                                         "--json",
                                         "--verity",
                                         "--repo=" + repo,
                                         "--key=" + ec.key_pem,
                                         "--cert=" + ec.cert_der};
        argv.insert(argv.end(), extra.begin(), extra.end());
        const Result r = run(argv);
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        return json::parse(r.out);
    };
    BOOST_TEST(sign({"v1", "signed"})["signatures"]["made"] == 40);
    const json again = sign({"--reuse=signed", "v1", "again"});
    BOOST_TEST(again["signatures"]["reused_from_commits"] == 40);
    BOOST_TEST(again["signatures"]["made"] == 0);
    BOOST_TEST(verity_verify_checkout(repo, "again", ec.cert_der, dir.path()).empty());
}
