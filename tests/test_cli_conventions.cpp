// The conventions users bring from the ostree CLI and evmctl (issue #14):
// --repo before the command and from OSTREE_REPO, -q on every command,
// evmctl's option spellings, exit codes in every --help, `keys` failing on a
// URI that matches nothing, the format and version of every --json report,
// and the bash completion's refs. Real repositories, a real SoftHSM2 token.
#define BOOST_TEST_MODULE cli_conventions
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "prerequisites.hpp"
#include "tokens.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace test_support;

// Skipped (exit 77) without SoftHSM2; a failure under OSTREE_IMA_REQUIRE_ALL=1.
OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {

struct World {
    SoftHsmToken token;
    TempDir dir;
    KeyPair rsa;
    std::string tree, repo;
    World()
    {
        rsa = make_key(dir.path(), "rsa", "rsa:2048");
        const KeyPair other = make_key(dir.path(), "other", "rsa:2048");
        tree = dir / "tree";
        make_source_tree(tree, other);
        repo = make_repo(dir.path(), "archive", tree);
    }
};

World &world()
{
    static World w;
    return w;
}

// The token's environment, without an OSTREE_REPO the caller's shell may have.
std::map<std::string, std::string> env_with(const std::map<std::string, std::string> &more = {})
{
    std::map<std::string, std::string> env = world().token.env;
    env["OSTREE_REPO"] = "";
    for (const auto &[k, v] : more)
        env[k] = v;
    return env;
}

Result ima(std::vector<std::string> args, const std::map<std::string, std::string> &env = {})
{
    args.insert(args.begin(), binary());
    return run(args, env_with(env));
}

std::size_t lines(const std::string &text)
{
    std::size_t n = 0;
    for (const char c : text)
        n += c == '\n';
    return n;
}

// One line on stderr holding `needle`, nothing on stdout, the exit code.
void expect_one_line_failure(const Result &r, int code, const std::string &needle)
{
    BOOST_TEST(r.exit_code == code, "exit " << r.exit_code << ", stderr: " << r.err);
    BOOST_TEST(r.err.find(needle) != std::string::npos,
               "stderr lacks '" << needle << "': " << r.err);
    BOOST_TEST(lines(r.err) == 1u, "not one line: " << r.err);
    BOOST_TEST(r.out.empty(), "stdout: " << r.out);
}

// The commit `sign --key=rsa` writes for `target` with these options,
// required to succeed.
std::string signed_commit(std::vector<std::string> args,
                          const std::map<std::string, std::string> &env = {})
{
    const Result r = ima(std::move(args), env);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_REQUIRE_EQUAL(r.out.size(), 65u);
    return r.out.substr(0, 64);
}

std::string softhsm_uri(const std::string &path_attributes)
{
    return "pkcs11:" + path_attributes + "?module-path=" + SoftHsmToken::kModule;
}

} // namespace

BOOST_AUTO_TEST_SUITE(repository)

BOOST_AUTO_TEST_CASE(from_the_environment_before_and_after_the_command)
{
    World &w = world();
    const std::string key = "--key=" + w.rsa.key_pem;
    const std::string cert = "--cert=" + w.rsa.cert_pem;
    const std::string after =
        signed_commit({"sign", "--repo=" + w.repo, key, cert, "main", "after"});
    const std::string from_env =
        signed_commit({"sign", key, cert, "main", "env"}, {{"OSTREE_REPO", w.repo}});
    const std::string before =
        signed_commit({"--repo=" + w.repo, "sign", key, cert, "main", "before"});
    const std::string before_spaced =
        signed_commit({"--repo", w.repo, "sign", key, cert, "main", "before-spaced"});
    // RSA signatures are deterministic: one commit per target ref, whatever
    // the spelling; and each ref was written in this repository.
    const std::string expected = signed_commit({"sign", "--repo=" + w.repo, key, cert, "main"});
    BOOST_TEST(rev_parse(w.repo, "after") == after);
    BOOST_TEST(rev_parse(w.repo, "env") == from_env);
    BOOST_TEST(rev_parse(w.repo, "before") == before);
    BOOST_TEST(rev_parse(w.repo, "before-spaced") == before_spaced);
    BOOST_TEST(commit_root_tree(w.repo, after) == commit_root_tree(w.repo, expected));
    BOOST_TEST(commit_root_tree(w.repo, from_env) == commit_root_tree(w.repo, expected));
    BOOST_TEST(commit_root_tree(w.repo, before) == commit_root_tree(w.repo, expected));
    require_fsck(w.repo);
}

BOOST_AUTO_TEST_CASE(an_explicit_repo_wins_over_the_environment)
{
    World &w = world();
    const std::string missing = w.dir / "no-such-repo";
    const std::string cert = "--cert=" + w.rsa.cert_pem; // no key-id note before an error
    const std::string key = "--key=" + w.rsa.key_pem;
    // The environment names a repository that does not exist: unused.
    signed_commit({"sign", "--repo=" + w.repo, key, "main", "explicit"},
                  {{"OSTREE_REPO", missing}});
    signed_commit({"--repo=" + w.repo, "sign", key, "main", "global"}, {{"OSTREE_REPO", missing}});
    BOOST_TEST(ref_exists(w.repo, "explicit"));
    BOOST_TEST(ref_exists(w.repo, "global"));
    // And the other way round: the explicit (missing) one is the one opened.
    expect_one_line_failure(
        ima({"sign", "--repo=" + missing, key, cert, "main", "x"}, {{"OSTREE_REPO", w.repo}}), 1,
        "does not exist");
    // After the command wins over before it.
    expect_one_line_failure(
        ima({"--repo=" + w.repo, "sign", "--repo=" + missing, key, cert, "main", "x"}), 1,
        "does not exist");
    BOOST_TEST(!ref_exists(w.repo, "x"));
}

BOOST_AUTO_TEST_CASE(no_repository_names_every_way_to_give_one)
{
    World &w = world();
    const std::string key = "--key=" + w.rsa.key_pem;
    const std::string cert = "--cert=" + w.rsa.cert_pem;
    const std::vector<std::vector<std::string>> commands = {
        {"sign", key, "main"},    {"ima-sign", "main", "t", "sha256", w.rsa.key_pem},
        {"verify", cert, "main"}, {"strip", "main"},
        {"digests", "main"},      {"apply", cert, "--signatures=" + (w.dir / "none.json"), "main"},
    };
    for (const auto &args : commands) {
        BOOST_TEST_CONTEXT(args[0])
        {
            const Result r = ima(args); // OSTREE_REPO is empty: no repository
            expect_one_line_failure(r, 2, "no repository: give --repo=PATH");
            BOOST_TEST(r.err.find("OSTREE_REPO") != std::string::npos, r.err);
        }
    }
}

BOOST_AUTO_TEST_CASE(repo_before_a_command_that_opens_none_is_refused)
{
    World &w = world();
    expect_one_line_failure(ima({"--repo=" + w.repo, "keys", softhsm_uri("token=ostree-ima-test")}),
                            2, "--repo is not an option of keys");
    expect_one_line_failure(ima({"--repo=" + w.repo, "sign-digests", "--yes",
                                 "--key=" + w.rsa.key_pem, w.dir / "digests.json"}),
                            2, "--repo is not an option of sign-digests");
    // OSTREE_REPO is for the commands that use it, never an error elsewhere.
    const Result keys =
        ima({"keys", softhsm_uri("token=ostree-ima-test")}, {{"OSTREE_REPO", w.repo}});
    BOOST_TEST(keys.exit_code == 0, keys.err);
}

BOOST_AUTO_TEST_CASE(a_mistyped_command_after_repo_is_named)
{
    World &w = world();
    expect_one_line_failure(ima({"--repo=" + w.repo, "sigh", "main"}), 2,
                            "unknown command 'sigh'; commands: sign, ima-sign");
    expect_one_line_failure(ima({"--repo", w.repo, "sigh", "main"}), 2, "unknown command 'sigh'");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(quiet)

// Every command: with -q (and --quiet) nothing on stderr, where without it
// the same run says something; stdout keeps what scripts read.
BOOST_AUTO_TEST_CASE(every_command_takes_q_and_quiet)
{
    World &w = world();
    const std::string repo = "--repo=" + w.repo;
    const std::string cert = "--cert=" + w.rsa.cert_pem;
    const std::string manifest = w.dir / "quiet-digests.json";
    const std::string signatures = w.dir / "quiet-signatures.json";
    struct Case {
        std::vector<std::string> args;
        bool stdout_stays; // stdout is the result (checksum, file), not a report
    };
    // In order: digests writes what sign-digests reads, which apply reads.
    const std::vector<Case> cases = {
        {{"sign", repo, "--overwrite", "--key=" + w.rsa.key_pem, "main", "quiet-sign"}, true},
        {{"ima-sign", repo, "--overwrite", "main", "quiet-ima", "sha256", w.rsa.key_pem}, true},
        {{"verify", repo, cert, "quiet-sign"}, false},
        {{"strip", repo, "quiet-sign", "quiet-strip"}, true},
        {{"digests", repo, "main", "-o", manifest}, true},
        {{"sign-digests", "--yes", "--key=" + w.rsa.key_pem, cert, manifest, "-o", signatures},
         true},
        {{"apply", repo, cert, "--signatures=" + signatures, "main", "quiet-apply"}, true},
        {{"keys", softhsm_uri("token=ostree-ima-test")}, false},
    };
    for (const auto &c : cases) {
        BOOST_TEST_CONTEXT(c.args[0])
        {
            const Result loud = ima(c.args);
            BOOST_REQUIRE_MESSAGE(loud.exit_code == 0, loud.err);
            // Without -q: a summary or the key-id note on stderr, or the report.
            BOOST_TEST(!(c.stdout_stays ? loud.err : loud.out).empty());
            for (const std::string flag : {"-q", "--quiet"}) {
                auto args = c.args;
                args.insert(args.begin() + 1, flag);
                const Result quiet = ima(args);
                BOOST_TEST(quiet.exit_code == 0, flag << ": " << quiet.err);
                BOOST_TEST(quiet.err.empty(), flag << ": " << quiet.err);
                if (c.stdout_stays)
                    BOOST_TEST(quiet.out == loud.out, flag);
                else
                    BOOST_TEST(quiet.out.empty(), flag << ": " << quiet.out);
            }
        }
    }
}

// -o /dev/null once turned the machine's /dev/null into a file: the output
// was renamed into place over the device. A private null device (root can
// make one) must still be one afterwards.
BOOST_AUTO_TEST_CASE(an_output_device_is_written_into_not_replaced)
{
    World &w = world();
    BOOST_REQUIRE_MESSAGE(geteuid() == 0, "this test makes a device node: run it as root");
    const std::string null_device = w.dir / "null";
    BOOST_REQUIRE(::mknod(null_device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    const std::string manifest = w.dir / "device-digests.json";
    const std::vector<std::vector<std::string>> cases = {
        {"digests", "--repo=" + w.repo, "main", "-o", null_device},
        {"digests", "--repo=" + w.repo, "main", "-o", manifest},
        {"sign-digests", "--yes", "--key=" + w.rsa.key_pem, "--cert=" + w.rsa.cert_pem, manifest,
         "-o", null_device},
    };
    for (const auto &args : cases) {
        const Result r = ima(args);
        BOOST_TEST(r.exit_code == 0, args[0] << ": " << r.err);
        struct stat st {};
        BOOST_REQUIRE(::stat(null_device.c_str(), &st) == 0);
        BOOST_TEST(S_ISCHR(st.st_mode), args[0] << " replaced the device with a file");
    }
}

BOOST_AUTO_TEST_CASE(quiet_verify_and_keys_answer_with_the_exit_code)
{
    World &w = world();
    const Result unsigned_files = ima(
        {"verify", "-q", "--repo=" + w.repo, "--cert=" + w.rsa.cert_pem, "--require-all", "main"});
    BOOST_TEST(unsigned_files.exit_code == 1, unsigned_files.err);
    BOOST_TEST(unsigned_files.out.empty());
    BOOST_TEST(unsigned_files.err.empty());
    const Result no_key =
        ima({"keys", "-q", softhsm_uri("token=ostree-ima-test;object=no-such-key")});
    BOOST_TEST(no_key.exit_code == 1);
    BOOST_TEST(no_key.out.empty());
    // --json still prints under -q: scripts asked for it.
    const Result json = ima({"verify", "-q", "--json", "--repo=" + w.repo,
                             "--cert=" + w.rsa.cert_pem, "--require-all", "main"});
    BOOST_TEST(json.exit_code == 1);
    BOOST_TEST(nlohmann::json::parse(json.out)["valid"] == false);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(evmctl_spellings)

BOOST_AUTO_TEST_CASE(k_a_and_hashalgo_mean_key_and_hash)
{
    World &w = world();
    const std::string repo = "--repo=" + w.repo;
    const std::string cert = "--cert=" + w.rsa.cert_pem;
    const std::string long_form =
        signed_commit({"sign", repo, "--overwrite", "--key=" + w.rsa.key_pem, cert, "--hash=sha384",
                       "main", "l"});
    const std::string short_form = signed_commit(
        {"sign", repo, "--overwrite", "-k", w.rsa.key_pem, cert, "-a", "sha384", "main", "l"});
    const std::string hashalgo = signed_commit(
        {"sign", repo, "--overwrite", "-k", w.rsa.key_pem, cert, "--hashalgo=sha384", "main", "l"});
    const std::string sha256 =
        signed_commit({"sign", repo, "--overwrite", "-k", w.rsa.key_pem, cert, "main", "l"});
    BOOST_TEST(short_form == long_form);
    BOOST_TEST(hashalgo == long_form);
    BOOST_TEST(sha256 != long_form); // the algorithm was taken, not ignored

    // verify -a requires the algorithm; digests -a writes it.
    sh_ok("ostree refs --repo=" + quote(w.repo) + " --create=l384 " + long_form);
    BOOST_TEST(ima({"verify", repo, cert, "-a", "sha384", "l384"}).exit_code == 0);
    BOOST_TEST(ima({"verify", repo, cert, "--hashalgo=sha512", "l384"}).exit_code == 1);
    const Result digests = ima({"digests", repo, "-q", "-a", "sha512", "main"});
    BOOST_REQUIRE_MESSAGE(digests.exit_code == 0, digests.err);
    BOOST_TEST(nlohmann::json::parse(digests.out)["hash"] == "sha512");

    // sign-digests -k is --key.
    const std::string manifest = w.dir / "k-digests.json";
    sh_ok(quote(binary()) + " digests -q --repo=" + quote(w.repo) + " main -o " + quote(manifest));
    const Result by_k = ima({"sign-digests", "-q", "--yes", "-k", w.rsa.key_pem, cert, manifest});
    const Result by_key =
        ima({"sign-digests", "-q", "--yes", "--key=" + w.rsa.key_pem, cert, manifest});
    BOOST_REQUIRE_MESSAGE(by_k.exit_code == 0, by_k.err);
    BOOST_TEST(by_k.out == by_key.out);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(a_uri_that_matches_nothing_exits_1_with_one_line)
{
    expect_one_line_failure(ima({"keys", softhsm_uri("token=no-such-token")}), 1,
                            "no PKCS#11 token matches pkcs11:token=no-such-token");
    expect_one_line_failure(ima({"keys", "--json", softhsm_uri("token=no-such-token")}), 1,
                            "no PKCS#11 token matches");
    // The token is there, the object is not: the message says how to see
    // private keys, which are hidden until a login.
    const Result hidden = ima({"keys", softhsm_uri("token=ostree-ima-test;object=no-such-key")});
    expect_one_line_failure(hidden, 1, "no key or certificate matches");
    BOOST_TEST(hidden.err.find("--login") != std::string::npos, hidden.err);
    const Result logged_in = ima({"keys", "--login", "--pin-file=" + world().token.pin_file,
                                  softhsm_uri("token=ostree-ima-test;object=no-such-key")});
    expect_one_line_failure(logged_in, 1, "no key or certificate matches");
    // What matches still lists, exit 0.
    const Result key = ima({"keys", "--login", "--pin-file=" + world().token.pin_file,
                            softhsm_uri("token=ostree-ima-test;object=rsa2048")});
    BOOST_TEST(key.exit_code == 0, key.err);
    BOOST_TEST(key.out.find("private key RSA-2048") != std::string::npos, key.out);
    const Result token = ima({"keys", softhsm_uri("token=ostree-ima-test")});
    BOOST_TEST(token.exit_code == 0, token.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json)

// Every --json report starts with its format and version, so that a
// consumer can tell a layout it does not know.
BOOST_AUTO_TEST_CASE(every_report_carries_format_and_version)
{
    World &w = world();
    const std::string repo = "--repo=" + w.repo;
    const std::string cert = "--cert=" + w.rsa.cert_pem;
    const std::string manifest = w.dir / "json-digests.json";
    const std::string signatures = w.dir / "json-signatures.json";
    sh_ok(quote(binary()) + " digests -q --repo=" + quote(w.repo) + " main -o " + quote(manifest));
    sh_ok(quote(binary()) + " sign-digests -q --yes --key=" + quote(w.rsa.key_pem) + " " +
          quote(cert) + " " + quote(manifest) + " -o " + quote(signatures));
    const std::vector<std::pair<std::string, std::vector<std::string>>> reports = {
        {"ostree-ima-sign-report",
         {"sign", "--json", "--overwrite", repo, "--key=" + w.rsa.key_pem, cert, "main",
          "json-sign"}},
        {"ostree-ima-apply-report",
         {"apply", "--json", repo, cert, "--signatures=" + signatures, "main", "json-apply"}},
        {"ostree-ima-verify-report", {"verify", "--json", repo, cert, "json-sign"}},
        {"ostree-ima-keys", {"keys", "--json", softhsm_uri("token=ostree-ima-test")}},
    };
    for (const auto &[format, args] : reports) {
        BOOST_TEST_CONTEXT(format)
        {
            const Result r = ima(args);
            BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
            const auto report = nlohmann::ordered_json::parse(r.out);
            BOOST_TEST(report["format"] == format);
            BOOST_TEST(report["version"] == 1);
            BOOST_TEST(report["version"].is_number_integer());
        }
    }
    // The reports of commands (not keys' listing) put them first.
    const auto sign = nlohmann::ordered_json::parse(ima(reports[0].second).out);
    BOOST_TEST(sign.begin().key() == "format");
    BOOST_TEST(std::next(sign.begin()).key() == "version");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(help)

BOOST_AUTO_TEST_CASE(every_help_lists_the_exit_codes)
{
    for (const std::string command :
         {"", "sign", "ima-sign", "verify", "strip", "digests", "sign-digests", "apply", "keys"}) {
        BOOST_TEST_CONTEXT(command)
        {
            const Result r = command.empty() ? ima({"--help"}) : ima({command, "--help"});
            BOOST_TEST(r.exit_code == 0);
            const auto footer = r.out.find("Exit codes:");
            BOOST_REQUIRE(footer != std::string::npos);
            for (const std::string code : {"\n  0 ", "\n  1 ", "\n  2 ", "\n  130 "})
                BOOST_TEST(r.out.find(code, footer) != std::string::npos, code);
        }
    }
    BOOST_TEST(ima({"verify", "--help"}).out.find("a checked signature is invalid") !=
               std::string::npos);
    BOOST_TEST(ima({"keys", "--help"}).out.find("URI matches no token") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(completion)

// The installed bash completion, run by bash as it runs it on <Tab>.
std::string complete(const std::vector<std::string> &words,
                     const std::map<std::string, std::string> &env = {})
{
    std::string array;
    for (const auto &word : words)
        array += " " + quote(word);
    const std::string script = "source " + quote(source_dir() + "/completions/ostree-ima.bash") +
                               "; COMP_WORDS=(" + array +
                               "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                               "; _ostree_ima; for w in \"${COMPREPLY[@]}\"; do echo \"$w\"; done";
    std::map<std::string, std::string> full = {{"OSTREE_REPO", ""}};
    for (const auto &[k, v] : env)
        full[k] = v;
    const Result r = run({"bash", "-c", script}, full);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
}

BOOST_AUTO_TEST_CASE(refs_come_from_the_repository_named_on_the_line)
{
    World &w = world();
    sh_ok("ostree refs --repo=" + quote(w.repo) + " --create=completion/ref main");
    const std::string after = complete({"ostree-ima", "sign", "--repo=" + w.repo, "comp"});
    BOOST_TEST(after == "completion/ref\n");
    // bash splits --repo=PATH at '=' (COMP_WORDBREAKS): the same refs.
    const std::string split =
        complete({"ostree-ima", "--repo", "=", w.repo, "verify", "completion/"});
    BOOST_TEST(split == "completion/ref\n");
    const std::string from_env =
        complete({"ostree-ima", "strip", "comp"}, {{"OSTREE_REPO", w.repo}});
    BOOST_TEST(from_env == "completion/ref\n");
    BOOST_TEST(complete({"ostree-ima", "strip", "comp"}).empty()); // no repository, no refs
    BOOST_TEST(complete({"ostree-ima", "sign", "--hashalgo", "sha38"}) == "sha384\n");
    BOOST_TEST(complete({"ostree-ima", "sign-d"}) == "sign-digests\n");
}

BOOST_AUTO_TEST_SUITE_END()
