// Every bad input gets one clear line, the documented exit code, and leaves
// the target ref where it was.
#define BOOST_TEST_MODULE bad_input
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "ima/algorithms/key_algorithm.hpp"
#include "ostree-ima/error.hpp"
#include "workspace.hpp"

#include <p11-kit/pkcs11.h>
#include <sstream>

using namespace test_support;

namespace {

struct World : Workspace {
    const KeyPair &rsa = key("rsa"), &other = key("other"), &ed25519 = key("ed25519", "ed25519"),
                  &rsa1024 = key("rsa1024", "rsa:1024"), &p521 = key("p521", "ec:P-521");
    std::string tree = standard_tree(other);
    std::string repo = Workspace::repo("archive", tree);
    std::string before;
    World()
    {
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
    // A file that exists is not "does not exist" (OSTREE_REPO=/etc/passwd).
    const std::string file = w.tree + "/etc/hello.conf";
    expect_failure(sign_args(file, w.rsa.key_pem), 1,
                   file + " is not an OSTree repository (a regular file, not a directory)");
    expect_failure({"strip", "main", "signed"}, 1,
                   "/etc/passwd is not an OSTree repository (a regular file, not a directory)",
                   {{"OSTREE_REPO", "/etc/passwd"}});
}

// --sessions is a token's: with any other key it would do nothing.
BOOST_AUTO_TEST_CASE(sessions_without_a_token_is_a_usage_error)
{
    World &w = world();
    for (const auto &args : std::vector<std::vector<std::string>>{
             sign_args(w.repo, w.rsa.key_pem, {"--sessions=4"}),
             {"ima-sign", "--sessions=4", "--repo=" + w.repo, "main", "signed", "sha256",
              w.rsa.key_pem},
             sign_args(w.repo, w.rsa.key_pem, {"--sessions=4", "--provider=default"})})
        expect_failure(args, 2, "--sessions applies to a pkcs11: URI key only");
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
    expect_failure(sign_args(w.repo, w.dir / "no-such-key.pem"), 1, "cannot read key file");
    expect_failure(sign_args(w.repo, w.dir.path()), 1, "is not a regular file");
    // A certificate is the file most often given as --key by mistake.
    for (const auto &cert : {w.rsa.cert_pem, w.rsa.cert_der})
        expect_failure(sign_args(w.repo, cert), 1,
                       "is a certificate, not a private key; pass it as --cert and the private key "
                       "as --key");
    expect_failure(sign_args(w.repo, w.tree + "/etc/hello.conf"), 1, "holds no private key");
}

BOOST_AUTO_TEST_CASE(key_types_the_kernel_cannot_verify)
{
    World &w = world();
    expect_failure(sign_args(w.repo, w.ed25519.key_pem), 1, "kernel's IMA cannot verify");
    expect_failure(sign_args(w.repo, w.rsa1024.key_pem), 1, "RSA-1024");
    expect_failure(sign_args(w.repo, w.p521.key_pem), 1, "secp521r1");
}

// The key algorithm room: each algorithm is found by a key of it and by its
// PKCS#11 key type, and a key of no algorithm is refused with the message the
// command gives (key_types_the_kernel_cannot_verify).
BOOST_AUTO_TEST_CASE(key_algorithm_registry)
{
    using namespace ostree_ima;
    const EvpPkeyPtr rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
    const EvpPkeyPtr ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    const EvpPkeyPtr ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    BOOST_REQUIRE(rsa && ec && ed25519);
    const std::vector<std::pair<const KeyAlgorithm *, const EVP_PKEY *>> keys = {
        {&rsa_key_algorithm(), rsa.get()}, {&ec_key_algorithm(), ec.get()}};
    BOOST_TEST(key_algorithms().size() == keys.size());
    for (const auto &[algorithm, key] : keys) {
        BOOST_TEST(find_key_algorithm(key) == algorithm, algorithm->name());
        BOOST_TEST(find_key_algorithm(algorithm->pkcs11_key_type()) == algorithm);
        BOOST_TEST(&check_key_shape(key, "the key") == algorithm);
    }
    BOOST_TEST(rsa_key_algorithm().pkcs11_key_type() == Pkcs11Number{CKK_RSA});
    BOOST_TEST(rsa_key_algorithm().pkcs11_mechanism() == Pkcs11Number{CKM_RSA_PKCS});
    BOOST_TEST(ec_key_algorithm().pkcs11_key_type() == Pkcs11Number{CKK_EC});
    BOOST_TEST(ec_key_algorithm().pkcs11_mechanism() == Pkcs11Number{CKM_ECDSA});
    BOOST_TEST(rsa_key_algorithm().recovers_digest());
    BOOST_TEST(!ec_key_algorithm().recovers_digest());

    BOOST_TEST(find_key_algorithm(ed25519.get()) == nullptr);
    BOOST_TEST(find_key_algorithm(Pkcs11Number{CKK_EC_EDWARDS}) == nullptr);
    BOOST_TEST(find_key_algorithm(Pkcs11Number{CKK_DSA}) == nullptr);
    try {
        (void)check_key_shape(ed25519.get(), "the key");
        BOOST_FAIL("an Ed25519 key passed the shape check");
    } catch (const Error &e) {
        BOOST_TEST(std::string(e.what()) ==
                   "the key is a ED25519 key, which the kernel's IMA cannot verify: use RSA "
                   "(2048-4096) or EC P-256/P-384");
    }
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
                   "cannot read PIN file");
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

namespace {
// The options of `command`'s --help ("" for the options before a command)
// that take a value: CLI11 prints their type (TEXT, UINT...) after their
// names. Each as its names, the first long one first.
std::vector<std::vector<std::string>> options_taking_values(const std::string &command)
{
    std::vector<std::string> argv = {binary()};
    if (!command.empty())
        argv.push_back(command);
    argv.push_back("--help");
    const Result help = run(argv);
    BOOST_REQUIRE_MESSAGE(help.exit_code == 0, help.err);
    std::vector<std::vector<std::string>> out;
    std::istringstream lines(help.out);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.starts_with("  -"))
            continue;
        std::istringstream words(line);
        std::string names;
        std::string type;
        words >> names >> type;
        const bool typed = type == "TEXT" || type == "UINT" || type == "INT" ||
                           type.starts_with("TEXT:") || type.starts_with("UINT:");
        if (!typed)
            continue;
        std::vector<std::string> each;
        std::istringstream parts(names);
        for (std::string name; std::getline(parts, name, ',');)
            each.insert(name.starts_with("--") && (each.empty() || !each[0].starts_with("--"))
                            ? each.begin()
                            : each.end(),
                        name);
        out.push_back(each);
    }
    return out;
}

std::vector<std::string> commands_in_help()
{
    const Result help = run({binary(), "--help"});
    std::vector<std::string> out;
    std::istringstream lines(help.out);
    std::string line;
    bool in_commands = false;
    while (std::getline(lines, line)) {
        if (line.starts_with("Subcommands:")) {
            in_commands = true;
            continue;
        }
        if (in_commands && line.starts_with("  ") && line.size() > 2 && line[2] != ' ') {
            std::istringstream words(line);
            std::string name;
            words >> name;
            out.push_back(name);
        } else if (in_commands && !line.starts_with("  ")) {
            in_commands = false;
        }
    }
    return out;
}
} // namespace

// An empty value never takes the next word as the option's value
// (`--reuse=$PREV base published` with PREV empty signed `base` and moved
// `published`): every option that takes a value, of every command, found in
// the --help output so that a new option is covered too.
BOOST_AUTO_TEST_CASE(empty_option_values_are_usage_errors)
{
    World &w = world();
    const std::vector<std::string> commands = commands_in_help();
    BOOST_TEST(commands.size() == 10u, "commands: " << commands.size());
    std::size_t checked = 0;
    for (const std::string &command : commands) {
        const auto options = options_taking_values(command);
        BOOST_TEST(!options.empty(), command << ": no option takes a value?");
        for (const auto &names : options) {
            const std::string &name = names[0];
            BOOST_TEST_CONTEXT(command << " " << name)
            {
                // `--opt= main signed`: refused before main is taken as its value.
                if (name.starts_with("--"))
                    expect_failure({command, name + "=", "main", "signed"}, 2,
                                   name + ": empty value; give it one or leave the option out");
                // `--opt ""` and `-o ""`, under each of its names.
                for (const std::string &spelling : names)
                    expect_failure({command, spelling, "", "main", "signed"}, 2, name + ": ");
                ++checked;
            }
        }
    }
    // Those before the command (--repo).
    for (const auto &names : options_taking_values("")) {
        expect_failure({names[0] + "=", "sign", "--key=" + w.rsa.key_pem, "main", "signed"}, 2,
                       names[0] + ": empty value");
        expect_failure({names[0], "", "sign", "--key=" + w.rsa.key_pem, "main", "signed"}, 2,
                       names[0] + ": empty value");
        ++checked;
    }
    BOOST_TEST(checked > 40u);
    // The old behaviour, shown on a real run: without the check `--reuse=`
    // took `main` and `signed` became the source.
    const Result r = run({binary(), "sign", "--repo=" + w.repo, "--key=" + w.rsa.key_pem,
                          "--reuse=", "main", "signed"});
    BOOST_TEST(r.exit_code == 2, r.err);
    BOOST_TEST(rev_parse(w.repo, "signed") == w.before);
}

namespace {
// A message that quotes hostile input stays one short line: no byte of it
// below 0x20 but the final newline, nothing near the size of the input.
void expect_bounded_line(const Result &r, int code, const std::string &needle)
{
    BOOST_TEST(r.exit_code == code, "exit " << r.exit_code);
    BOOST_TEST(r.err.size() < 400u,
               "stderr has " << r.err.size() << " bytes: " << r.err.substr(0, 400));
    BOOST_TEST(r.err.find(needle) != std::string::npos,
               "stderr lacks '" << needle << "': " << r.err.substr(0, 400));
    BOOST_REQUIRE(!r.err.empty());
    BOOST_TEST(r.err.back() == '\n');
    for (std::size_t i = 0; i + 1 < r.err.size(); ++i)
        BOOST_TEST_REQUIRE(static_cast<unsigned char>(r.err[i]) >= 0x20u,
                           "control byte " << int(r.err[i]) << " at " << i << ": " << r.err);
    BOOST_TEST(r.out.empty(), "stdout not empty: " << r.out);
}
} // namespace

BOOST_AUTO_TEST_CASE(hostile_input_is_quoted_short_and_escaped)
{
    World &w = world();
    // A signatures file whose version is a 5 MB number (issue #10: 250 MB
    // came back as one line): nlohmann quotes the whole number.
    const std::string big = w.dir / "big-number.json";
    sh_ok("{ printf '{\"format\": \"ostree-ima-signatures\", \"version\": 1'; head -c 5000000 "
          "/dev/zero | tr '\\0' '7'; printf '}'; } > " +
          quote(big));
    const std::vector<std::string> apply = {
        binary(), "apply", "--repo=" + w.repo, "--cert=" + w.rsa.cert_der, "--signatures=" + big,
        "main",   "signed"};
    expect_bounded_line(run(apply), 1, "number overflow parsing '17777777777");
    // Control bytes in a JSON string value come back escaped.
    const std::string ctl = w.dir / "control-bytes.json";
    sh_ok("printf '%s' '{\"format\": \"sigs\\u001b[31m\\nx\\u0000y\", \"version\": 1}' > " +
          quote(ctl));
    expect_bounded_line(run({binary(), "apply", "--repo=" + w.repo, "--cert=" + w.rsa.cert_der,
                             "--signatures=" + ctl, "main", "signed"}),
                        1, "its format is 'sigs\\x1b[31m\\x0ax\\x00y', not");
    // Command-line values: a hash name, a key id, a ref, a command.
    const std::string long_line = "md\n\x1b[2J" + std::string(100000, '5');
    expect_bounded_line(run({binary(), "sign", "--repo=" + w.repo, "--key=" + w.rsa.key_pem,
                             "--hash=" + long_line, "main", "signed"}),
                        2, "unsupported hash algorithm 'md\\x0a\\x1b[2J555");
    expect_bounded_line(run({binary(), "sign", "--repo=" + w.repo, "--key=" + w.rsa.key_pem,
                             "--keyid=" + long_line, "main", "signed"}),
                        2, "--keyid 'md\\x0a");
    expect_bounded_line(run({binary(), "sign", "--repo=" + w.repo, "--key=" + w.rsa.key_pem,
                             "--include=" + long_line, "main", "signed"}),
                        2, "--include 'md\\x0a");
    expect_bounded_line(run({binary(), "sign", "--repo=" + w.repo, "--key=" + w.rsa.key_pem,
                             "--cert=" + w.rsa.cert_der, long_line, "signed"}),
                        1, "unknown ref or commit 'md\\x0a");
    expect_bounded_line(run({binary(), long_line}), 2, "unknown command 'md\\x0a");
    BOOST_TEST(rev_parse(w.repo, "signed") == w.before);
}

// Issue #10: --jobs=0 printed a 309-digit range, --jobs=100000 ran out of
// threads after 300 MB. Every command that takes --jobs takes 1 to 1024.
BOOST_AUTO_TEST_CASE(jobs_out_of_range_is_a_usage_error)
{
    World &w = world();
    const std::string manifest = w.dir / "jobs-digests.json";
    const std::vector<std::vector<std::string>> commands = {
        sign_args(w.repo, w.rsa.key_pem),
        {"ima-sign", "--repo=" + w.repo, "main", "signed", "sha256", w.rsa.key_pem},
        {"verify", "--repo=" + w.repo, "--cert=" + w.rsa.cert_der, "main"},
        {"strip", "--repo=" + w.repo, "main", "signed"},
        {"digests", "--repo=" + w.repo, "main", "-o", manifest},
        {"sign-digests", "--yes", "--key=" + w.rsa.key_pem, manifest, "-o", w.dir / "s.json"},
        {"apply", "--repo=" + w.repo, "--cert=" + w.rsa.cert_der, "--signatures=" + manifest,
         "main", "signed"}};
    for (const auto &command : commands) {
        for (const std::string jobs : {"0", "1025", "100000", "-1", "two"}) {
            BOOST_TEST_CONTEXT(command[0] << " --jobs=" << jobs)
            {
                auto args = command;
                args.insert(args.begin() + 1, "--jobs=" + jobs);
                expect_failure(args, 2,
                               "--jobs: must be a whole number from 1 to 1024, not '" + jobs + "'");
            }
        }
    }
    // Both ends of the range are accepted.
    for (const std::string jobs : {"1", "1024"}) {
        const Result r = run(
            {binary(), "digests", "--jobs=" + jobs, "--repo=" + w.repo, "main", "-o", manifest});
        BOOST_TEST(r.exit_code == 0, "--jobs=" << jobs << ": " << r.err);
    }
}
