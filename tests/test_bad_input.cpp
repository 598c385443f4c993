// Every bad input gets one clear line, the documented exit code, and leaves
// the target ref where it was.
#define BOOST_TEST_MODULE bad_input
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"

using namespace test_support;

namespace {

struct World {
    TempDir dir;
    KeyPair rsa, other, ed25519, rsa1024, p521;
    std::string tree, repo, before;
    World()
    {
        rsa = make_key(dir.path(), "rsa", "rsa:2048");
        other = make_key(dir.path(), "other", "rsa:2048");
        ed25519 = make_key(dir.path(), "ed25519", "ed25519");
        rsa1024 = make_key(dir.path(), "rsa1024", "rsa:1024");
        p521 = make_key(dir.path(), "p521", "ec:P-521");
        tree = dir / "tree";
        make_source_tree(tree, other);
        repo = make_repo(dir.path(), "archive", tree);
        // A target ref that already exists: failures must not move it.
        sh_ok("ostree refs --repo=" + quote(repo) + " --create=signed main");
        before = rev_parse(repo, "signed");
    }
};

World &world()
{
    static World w;
    return w;
}

void expect_failure(const std::vector<std::string> &args, int code, const std::string &needle,
                    const std::map<std::string, std::string> &env = {})
{
    World &w = world();
    std::vector<std::string> argv = {binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    const Result r = run(argv, env);
    BOOST_TEST(r.exit_code == code, "exit " << r.exit_code << ", stderr: " << r.err);
    BOOST_TEST(r.err.find(needle) != std::string::npos,
               "stderr lacks '" << needle << "': " << r.err);
    BOOST_TEST(r.out.empty(), "stdout not empty: " << r.out);
    // One line: no stack of GLib warnings, no crash trace.
    std::size_t lines = 0;
    for (char c : r.err)
        lines += c == '\n';
    BOOST_TEST(lines <= 2u, "too many lines: " << r.err);
    BOOST_TEST(r.err.find("CRITICAL") == std::string::npos);
    BOOST_TEST(rev_parse(w.repo, "signed") == w.before);
    require_fsck(w.repo);
}

std::vector<std::string> sign_args(const std::string &repo, const std::string &key,
                                   std::vector<std::string> extra = {},
                                   const std::string &src = "main")
{
    std::vector<std::string> a = {"sign", "--repo=" + repo, "--key=" + key};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(src);
    a.push_back("signed");
    return a;
}

} // namespace

BOOST_AUTO_TEST_CASE(missing_repository)
{
    World &w = world();
    expect_failure(sign_args(w.dir / "no-such-repo", w.rsa.key_pem), 1, "does not exist");
}

BOOST_AUTO_TEST_CASE(directory_that_is_not_a_repository)
{
    World &w = world();
    expect_failure(sign_args(w.tree, w.rsa.key_pem), 1, "is not an OSTree repository");
}

BOOST_AUTO_TEST_CASE(unknown_ref)
{
    World &w = world();
    expect_failure(sign_args(w.repo, w.rsa.key_pem, {}, "no/such/ref"), 1,
                   "unknown ref or commit 'no/such/ref'");
    expect_failure(sign_args(w.repo, w.rsa.key_pem, {}, std::string(64, 'a')), 1,
                   "unknown ref or commit");
}

BOOST_AUTO_TEST_CASE(missing_and_unreadable_keys)
{
    World &w = world();
    expect_failure(sign_args(w.repo, w.dir / "no-such-key.pem"), 1, "cannot open key file");
    expect_failure(sign_args(w.repo, w.dir.path()), 1, "is not a regular file");
    expect_failure(sign_args(w.repo, w.rsa.cert_pem), 1, "holds no private key");
    expect_failure(sign_args(w.repo, w.tree + "/etc/hello.conf"), 1, "holds no private key");
}

BOOST_AUTO_TEST_CASE(key_types_the_kernel_cannot_verify)
{
    World &w = world();
    expect_failure(sign_args(w.repo, w.ed25519.key_pem), 1, "kernel's IMA cannot verify");
    expect_failure(sign_args(w.repo, w.rsa1024.key_pem), 1, "RSA-1024");
    expect_failure(sign_args(w.repo, w.p521.key_pem), 1, "secp521r1");
}

BOOST_AUTO_TEST_CASE(wrong_or_missing_passphrase)
{
    World &w = world();
    const std::string enc = w.dir / "enc.pem";
    const std::string good = w.dir / "good-pass";
    const std::string bad = w.dir / "bad-pass";
    sh_ok("printf 'right\\n' > " + quote(good) + "; printf 'wrong\\n' > " + quote(bad) +
          "; chmod 600 " + quote(good) + " " + quote(bad));
    sh_ok("openssl pkey -in " + quote(w.rsa.key_pem) + " -aes256 -passout file:" + quote(good) +
          " -out " + quote(enc));
    expect_failure(sign_args(w.repo, enc, {"--pin-file=" + bad}), 1, "wrong passphrase");
    expect_failure(sign_args(w.repo, enc), 1, "--pin-file");
    expect_failure(sign_args(w.repo, enc, {}), 1, "wrong passphrase", {{"OSTREE_IMA_PIN", "nope"}});
    expect_failure(sign_args(w.repo, enc, {"--pin-file=" + (w.dir / "none")}), 1,
                   "cannot open PIN file");
}

BOOST_AUTO_TEST_CASE(certificate_problems)
{
    World &w = world();
    expect_failure(sign_args(w.repo, w.rsa.key_pem, {"--cert=" + w.other.cert_der}), 1,
                   "does not match");
    expect_failure(sign_args(w.repo, w.rsa.key_pem, {"--cert=" + w.rsa.key_pem}), 1,
                   "is not an X.509 certificate");
    expect_failure(sign_args(w.repo, w.rsa.key_pem, {"--cert=" + (w.dir / "none.der")}), 1,
                   "cannot read certificate");
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2)
{
    World &w = world();
    expect_failure(sign_args(w.repo, w.rsa.key_pem, {"--hash=md5"}), 2,
                   "unsupported hash algorithm 'md5'; supported here: sha1");
    expect_failure(sign_args(w.repo, w.rsa.key_pem, {"--keyid=xyz"}), 2, "--keyid");
    expect_failure({"sign", "--repo=" + w.repo, "main"}, 2, "--key");
    expect_failure({"sign", "--key=" + w.rsa.key_pem, "main"}, 2, "--repo");
    expect_failure({"frobnicate"}, 2, "frobnicate");
    expect_failure({"ima-sign", "--repo=" + w.repo, "main", "signed", "sha999", w.rsa.key_pem}, 2,
                   "sha999");
}
