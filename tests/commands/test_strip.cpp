// `ostree-ima strip`: removes security.ima and nothing else, so that
// strip(sign(C)) gives back C's root tree (in fact C itself).
#define BOOST_TEST_MODULE strip
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "text_files.hpp"
#include "workspace.hpp"

using namespace test_support;

namespace {

struct World : Workspace {
    const KeyPair &rsa = key("rsa"), &other = key("other");
    std::string tree = standard_tree(other); // one file pre-signed by `other`
    // No security.ima anywhere (and no large file).
    std::string plain_tree = Workspace::tree(
        "plain", "cp -a " + quote(tree) + "/. . && rm usr/bin/presigned usr/lib/large.bin");
};

World &world()
{
    static World w;
    return w;
}

// Durability is not under test: without fsync the suite runs twice as fast.
std::string fast_repo(const std::string &dir, const std::string &mode, const std::string &tree)
{
    const std::string repo = make_repo(dir, mode, tree);
    sh_ok("ostree config --repo=" + quote(repo) + " set core.fsync false");
    return repo;
}

std::string sign(const std::string &repo, const std::string &src, const std::string &target)
{
    const Result r = run({binary(), "sign", "--repo=" + repo, "--key=" + world().rsa.key_pem,
                          "--cert=" + world().rsa.cert_der, src, target});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return trimmed(r.out);
}

Result strip(const std::string &repo, const std::vector<std::string> &args)
{
    std::vector<std::string> argv = {binary(), "strip", "--repo=" + repo};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

// Everything but security.ima is the same in both commits.
void require_same_but_ima(const std::string &repo, const std::string &a, const std::string &b)
{
    const auto fa = read_commit_files(repo, a);
    const auto fb = read_commit_files(repo, b);
    BOOST_REQUIRE_EQUAL(fa.size(), fb.size());
    for (const auto &[path, x] : fa) {
        BOOST_TEST_CONTEXT(path)
        {
            const FileFacts &y = fb.at(path);
            BOOST_TEST(x.regular == y.regular);
            BOOST_TEST(x.uid == y.uid);
            BOOST_TEST(x.gid == y.gid);
            BOOST_TEST(x.mode == y.mode);
            BOOST_TEST(x.size == y.size);
            BOOST_TEST(x.symlink_target == y.symlink_target);
            BOOST_TEST(x.other_xattrs == y.other_xattrs);
        }
    }
    BOOST_TEST(commit_without_root_and_binding(repo, a) ==
               commit_without_root_and_binding(repo, b));
}

} // namespace

BOOST_AUTO_TEST_CASE(strip_of_sign_gives_back_the_original_commit)
{
    World &w = world();
    TempDir dir;
    for (const std::string mode : {"archive", "bare"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            const std::string repo = fast_repo(dir.path(), mode, w.plain_tree);
            const std::string original = rev_parse(repo, "main");
            sign(repo, "main", "signed");
            BOOST_TEST((commit_ref_binding(repo, "signed") == std::vector<std::string>{"signed"}));
            // Stripped for the ref the original is bound to: every commit
            // field is copied and the binding is main's again, so the commit
            // itself is the original.
            const Result r = strip(repo, {"signed", "main"});
            BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
            BOOST_TEST(r.err.find("removed security.ima from 7 files") != std::string::npos, r.err);
            BOOST_TEST(r.err.find("ref binding 'signed' -> 'main'") != std::string::npos, r.err);
            BOOST_TEST(trimmed(r.out) == original);
            BOOST_TEST(rev_parse(repo, "main") == original);
            // For another ref: the same tree, bound to that ref.
            const Result other = strip(repo, {"signed", "stripped"});
            BOOST_REQUIRE_MESSAGE(other.exit_code == 0, other.err);
            BOOST_TEST(commit_root_tree(repo, "stripped") == commit_root_tree(repo, "main"));
            BOOST_TEST(
                (commit_ref_binding(repo, "stripped") == std::vector<std::string>{"stripped"}));
            for (const auto &[path, f] : read_commit_files(repo, "stripped"))
                BOOST_TEST(!f.ima.has_value(), path);
            // Nothing to strip: the same commit again.
            const Result again = strip(repo, {"main"});
            BOOST_TEST(again.exit_code == 0, again.err);
            BOOST_TEST(trimmed(again.out) == original);
            require_fsck(repo);
        }
    }
}

BOOST_AUTO_TEST_CASE(everything_but_security_ima_is_preserved)
{
    World &w = world();
    TempDir dir;
    const std::string repo = fast_repo(dir.path(), "archive", w.tree);
    // The pre-signed file loses its signature too; user.* xattrs, modes and
    // the setuid bit stay.
    const Result r = strip(repo, {"main", "stripped"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(trimmed(r.out) != rev_parse(repo, "main"));
    require_same_but_ima(repo, "main", "stripped");
    const auto files = read_commit_files(repo, "stripped");
    BOOST_TEST(!files.at("/usr/bin/presigned").ima.has_value());
    BOOST_TEST(files.at("/usr/lib/deep/deeper/with-xattr").other_xattrs.find("keep-me") !=
               std::string::npos);
    BOOST_TEST((files.at("/usr/bin/special").mode & 07777) == 04750u);
    // strip(sign(C)) == strip(C), whatever C held (for the same target ref).
    sign(repo, "main", "signed");
    const Result of_signed = strip(repo, {"signed", "stripped"});
    BOOST_TEST(of_signed.exit_code == 0, of_signed.err);
    BOOST_TEST(trimmed(of_signed.out) == rev_parse(repo, "stripped"));
    require_fsck(repo);
}

BOOST_AUTO_TEST_CASE(selected_paths_only)
{
    World &w = world();
    TempDir dir;
    const std::string repo = fast_repo(dir.path(), "archive", w.plain_tree);
    sign(repo, "main", "signed");
    // hello.conf's one object is at /etc and twice under /usr/lib.
    const Result r = strip(repo, {"--include=/etc/*", "signed", "etc-stripped"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("removed security.ima from 1 file (1 unique object)") !=
               std::string::npos);
    const auto files = read_commit_files(repo, "etc-stripped");
    BOOST_TEST(!files.at("/etc/hello.conf").ima.has_value());
    BOOST_TEST(files.at("/usr/lib/hello-again").ima.has_value());
    BOOST_TEST(files.at("/usr/lib/deep/hello-copy").ima.has_value());
    BOOST_TEST(files.at("/usr/bin/tool").ima.has_value());
    require_same_but_ima(repo, "signed", "etc-stripped");
    // Signatures are left, the record of the source is not: it says what
    // the signed files were made from, which no longer holds.
    BOOST_TEST(commit_signing_source(repo, "signed").has_value());
    BOOST_TEST(!commit_signing_source(repo, "etc-stripped").has_value());

    const Result ex = strip(repo, {"--exclude=/usr/lib/**", "signed", "lib-kept"});
    BOOST_REQUIRE_MESSAGE(ex.exit_code == 0, ex.err);
    for (const auto &[path, f] : read_commit_files(repo, "lib-kept"))
        if (f.regular)
            BOOST_TEST(f.ima.has_value() == (path.rfind("/usr/lib/", 0) == 0), path);

    const Result x = strip(repo, {"--executables-only", "signed", "x-stripped"});
    BOOST_REQUIRE_MESSAGE(x.exit_code == 0, x.err);
    for (const auto &[path, f] : read_commit_files(repo, "x-stripped"))
        if (f.regular)
            BOOST_TEST(f.ima.has_value() == ((f.mode & 0111) == 0), path);
    require_fsck(repo);
}

BOOST_AUTO_TEST_CASE(failures_leave_the_ref_alone)
{
    World &w = world();
    TempDir dir;
    const std::string repo = fast_repo(dir.path(), "archive", w.plain_tree);
    sh_ok("ostree refs --repo=" + quote(repo) + " --create=target main");
    const std::string before = rev_parse(repo, "target");
    const Result unknown = strip(repo, {"no/such/ref", "target"});
    BOOST_TEST(unknown.exit_code == 1);
    BOOST_TEST(unknown.err.find("unknown ref or commit 'no/such/ref'") != std::string::npos);
    BOOST_TEST(unknown.out.empty());
    const Result bad_glob = strip(repo, {"--include=etc", "main", "target"});
    BOOST_TEST(bad_glob.exit_code == 2);
    const Result bad_ref = strip(repo, {"main", "bad ref"});
    BOOST_TEST(bad_ref.exit_code == 1);
    BOOST_TEST(bad_ref.err.find("invalid target ref") != std::string::npos, bad_ref.err);
    BOOST_TEST(rev_parse(repo, "target") == before);
    require_fsck(repo);
}
