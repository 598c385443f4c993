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
#include "workspace.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace test_support;

// Skipped (exit 77) without SoftHSM2; a failure under OSTREE_IMA_REQUIRE_ALL=1.
OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {

struct World : Workspace {
    SoftHsmToken token;
    const KeyPair &rsa = key("rsa");
    std::string tree = standard_tree(key("other"));
    std::string repo = Workspace::repo("archive", tree);
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
    // No match is the answer keys -q gives, not an error to print (the
    // README promises the exit code alone).
    for (const auto &uri : {softhsm_uri("token=ostree-ima-test;object=no-such-key"),
                            softhsm_uri("token=no-such-token")}) {
        const Result no_key = ima({"keys", "-q", uri});
        BOOST_TEST(no_key.exit_code == 1, uri);
        BOOST_TEST(no_key.out.empty(), uri);
        BOOST_TEST(no_key.err.empty(), uri << ": " << no_key.err);
    }
    // A module that cannot be loaded is an error, -q or not.
    const Result no_module = ima({"keys", "-q", "pkcs11:?module-path=/nonexistent/module.so"});
    BOOST_TEST(no_module.exit_code == 1);
    BOOST_TEST(lines(no_module.err) == 1u, no_module.err);
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

// evmctl's -p/--pass put the passphrase on argv, --keyid-from-cert names a
// certificate: each is answered with the option that does it here, and the
// value typed is never repeated.
BOOST_AUTO_TEST_CASE(pass_and_keyid_from_cert_are_answered_with_our_options)
{
    World &w = world();
    const std::string repo = "--repo=" + w.repo;
    const std::string secret = "Secret-Typed-On-Argv-7";
    const std::vector<std::vector<std::string>> pass_spellings = {
        {"sign", repo, "--key=" + w.rsa.key_pem, "--pass=" + secret, "main", "p"},
        {"sign", repo, "--key=" + w.rsa.key_pem, "--pass", secret, "main", "p"},
        {"sign", repo, "--key=" + w.rsa.key_pem, "-p" + secret, "main", "p"},
        {"sign", repo, "-k", w.rsa.key_pem, "-p", secret, "main", "p"},
        {"sign-digests", "--yes", "-k", w.rsa.key_pem, "--pass=" + secret, "m.json"},
        {"-p", secret, "sign", repo, "-k", w.rsa.key_pem, "main", "p"},
    };
    for (const auto &args : pass_spellings) {
        const Result r = ima(args);
        expect_one_line_failure(r, 2, "--pin-file=FILE");
        BOOST_TEST(r.err.find(secret) == std::string::npos, r.err);
        BOOST_TEST(!ref_exists(w.repo, "p"));
    }
    const Result from_cert = ima({"sign", repo, "--key=" + w.rsa.key_pem,
                                  "--keyid-from-cert=" + w.rsa.cert_pem, "main", "p"});
    expect_one_line_failure(from_cert, 2, "--cert=FILE does it");
    // After "--" a word is an operand, not an option.
    const Result operand = ima({"sign", repo, "--key=" + w.rsa.key_pem, "--", "-pmain", "p"});
    BOOST_TEST(operand.err.find("--pin-file") == std::string::npos, operand.err);
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
        {"ostree-ima-strip-report", {"strip", "--json", repo, "json-sign", "json-strip"}},
        {"ostree-ima-digests-report",
         {"digests", "--json", repo, "main", "-o", w.dir / "json-digests-2.json"}},
        {"ostree-ima-sign-digests-report",
         {"sign-digests", "--json", "--yes", "--key=" + w.rsa.key_pem, cert, manifest, "-o",
          w.dir / "json-signatures-2.json"}},
        {"ostree-ima-policy-report",
         {"policy", "--json", "--cert=" + w.rsa.cert_pem,
          "--fsuuid=0b7a3d4e-1d2c-4b5a-9e8f-0123456789ab"}},
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

    // What the new reports say is what the run did.
    const auto strip = nlohmann::json::parse(ima(reports[4].second).out);
    BOOST_TEST(strip["commit"] == rev_parse(w.repo, "json-strip"));
    BOOST_TEST(strip["ref"] == "json-strip");
    BOOST_TEST(strip["files_stripped"].get<int>() > 0);
    const auto digests = nlohmann::json::parse(ima(reports[5].second).out);
    BOOST_TEST(digests["commit"] == rev_parse(w.repo, "main"));
    BOOST_TEST(digests["hash"] == "sha256");
    BOOST_TEST(
        digests["manifest_sha256"] ==
        sh_ok("sha256sum " + quote(w.dir / "json-digests-2.json") + " | cut -c1-64").substr(0, 64));
    const auto manifest_json =
        nlohmann::json::parse(sh_ok("cat " + quote(w.dir / "json-digests-2.json")));
    BOOST_TEST(digests["digests"] == manifest_json["digests"].size());
    const auto signed_report = nlohmann::json::parse(ima(reports[6].second).out);
    BOOST_TEST(signed_report["signatures"]["total"] == manifest_json["digests"].size());
    BOOST_TEST(signed_report["key_id"] ==
               certificate_skid_hex(w.rsa.cert_pem)
                   .substr(certificate_skid_hex(w.rsa.cert_pem).size() - 8));
    const auto policy = nlohmann::json::parse(ima(reports[7].second).out);
    BOOST_TEST(policy["certificates"].size() == 1u);
    BOOST_TEST(policy["certificates"][0]["keyring"] == "_ima");
    BOOST_TEST(policy["policy"].get<std::string>().find("appraise") != std::string::npos);
    BOOST_TEST(policy["script"].get<std::string>().find("keyctl") != std::string::npos);

    // The report takes stdout: a manifest or signatures file needs -o FILE.
    expect_one_line_failure(ima({"digests", "--json", repo, "main"}), 2, "-o FILE");
    expect_one_line_failure(
        ima({"sign-digests", "--json", "--yes", "--key=" + w.rsa.key_pem, cert, manifest}), 2,
        "-o FILE");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(help)

BOOST_AUTO_TEST_CASE(every_help_lists_the_exit_codes)
{
    for (const std::string command :
         {"", "sign", "ima-sign", "verify", "strip", "digests", "sign-digests", "apply", "keys",
          "policy", "keylime-policy"}) {
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

// CLI11's own lines ("The following argument was not expected", "--key is
// required") reworded as the tool words its messages, each pointing at the
// command's --help.
BOOST_AUTO_TEST_CASE(parser_errors_read_like_the_tool_s_own)
{
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"sign-digests", "m.json"},
         "ostree-ima: sign-digests needs --key (see 'ostree-ima sign-digests --help')"},
        {{"sign", "--key=k.pem", "--frobnicate", "main"},
         "ostree-ima: unknown option '--frobnicate' for sign (see 'ostree-ima sign --help')"},
        {{"verify", "--cert=c.pem", "a", "b"},
         "ostree-ima: unexpected argument 'b' for verify (see 'ostree-ima verify --help')"},
        {{}, "ostree-ima: no command given (see 'ostree-ima --help')"},
        {{"policy", "--cert=c.pem", "--hooks=write"},
         "ostree-ima: --hooks must be one of exec,read, not 'write' (see 'ostree-ima policy "
         "--help')"},
        {{"strip", "--repo"}, "ostree-ima: --repo needs a value (see 'ostree-ima strip --help')"},
    };
    for (const auto &[args, line] : cases) {
        const Result r = ima(args);
        BOOST_TEST_CONTEXT(line)
        {
            BOOST_TEST(r.exit_code == 2);
            BOOST_TEST(r.err == line + "\n");
            BOOST_TEST(r.out.empty());
        }
    }
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
    BOOST_TEST(complete({binary(), "sign", "--hashalgo", "sha38"}) == "sha384\n");
    BOOST_TEST(complete({"ostree-ima", "sign-d"}) == "sign-digests\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(version_and_verbose)

// The hash algorithms --version lists (those the linked OpenSSL has).
std::vector<std::string> listed_hashes()
{
    const Result r = ima({"--version"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::vector<std::string> out;
    std::istringstream in(r.out.substr(r.out.find(" Hash algorithms:\n")));
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("  - "))
            out.push_back(line.substr(4));
    return out;
}

// Laid out as `ostree --version` lays out its own, with what a bug report
// needs; its hash list is what the tool takes and what the completion offers.
BOOST_AUTO_TEST_CASE(version_says_what_this_build_can_do)
{
    World &w = world();
    const Result r = ima({"--version"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.starts_with("ostree-ima:\n Version: '"), r.out);
    BOOST_TEST(r.out.find("\n libostree: '20") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("\n OpenSSL: 'OpenSSL 3.") != std::string::npos, r.out);
    const std::vector<std::string> hashes = listed_hashes();
    BOOST_TEST(hashes.size() >= 5u);
    std::string offered;
    for (const auto &h : hashes)
        offered += h + "\n";
    // The completion asks the binary the user typed.
    BOOST_TEST(completion::complete({binary(), "sign", "--hash", ""}) == offered);
    // Each listed algorithm is taken; each of the kernel's others is refused.
    for (const std::string name :
         {"sha1", "sha224", "sha256", "sha384", "sha512", "sm3", "streebog256", "streebog512"}) {
        const bool listed = std::find(hashes.begin(), hashes.end(), name) != hashes.end();
        const Result d =
            ima({"digests", "-q", "--repo=" + w.repo, "--hash=" + name, "main", "-o", "/dev/null"});
        BOOST_TEST(d.exit_code == (listed ? 0 : 2), name << ": " << d.err);
    }
}

// -v/--verbose before or after the command, as ostree takes it: verify then
// lists the findings that do not fail the run, which are otherwise counted.
BOOST_AUTO_TEST_CASE(verbose_verify_lists_what_does_not_fail)
{
    World &w = world();
    const std::string repo = "--repo=" + w.repo;
    const std::string cert = "--cert=" + w.rsa.cert_pem;
    const auto report = nlohmann::json::parse(ima({"verify", "--json", repo, cert, "main"}).out);
    const auto unsigned_files = report["files_unsigned"].get<std::size_t>();
    BOOST_REQUIRE(unsigned_files >= 5u);
    const auto count = [](const std::string &text, const std::string &needle) {
        std::size_t n = 0;
        for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
            ++n;
        return n;
    };
    const Result plain = ima({"verify", repo, cert, "main"});
    BOOST_TEST(count(plain.out, ": unsigned: ") == 0u, plain.out);
    BOOST_TEST(plain.out.find(
                   "not listed, as they do not fail the run: " + std::to_string(unsigned_files) +
                   " unsigned (-v lists them)\n") != std::string::npos,
               plain.out);
    // The file signed by an unknown key fails the run: always listed.
    BOOST_TEST(plain.out.find("/usr/bin/presigned: unknown_key") != std::string::npos, plain.out);
    for (const auto &args :
         std::vector<std::vector<std::string>>{{"verify", "-v", repo, cert, "main"},
                                               {"verify", "--verbose", repo, cert, "main"},
                                               {"-v", "verify", repo, cert, "main"}}) {
        const Result verbose = ima(args);
        BOOST_TEST(verbose.exit_code == plain.exit_code);
        BOOST_TEST(count(verbose.out, ": unsigned: ") == unsigned_files, verbose.out);
        BOOST_TEST(verbose.out.find("not listed") == std::string::npos, verbose.out);
    }
    // Under --require-all unsigned files fail: listed without -v.
    const Result all = ima({"verify", "--require-all", repo, cert, "main"});
    BOOST_TEST(count(all.out, ": unsigned: ") == unsigned_files, all.out);

    // verify --deployment of a tree on disk (as of a running system's /).
    const Result tree = ima({"verify", "--deployment", w.tree, cert});
    BOOST_TEST(count(tree.out, ": unsigned: ") == 0u, tree.out);
    BOOST_TEST(tree.out.find("not listed, as they do not fail the run: ") != std::string::npos,
               tree.out);
    const Result tree_verbose = ima({"verify", "-v", "--deployment", w.tree, cert});
    BOOST_TEST(count(tree_verbose.out, ": unsigned: ") > 0u, tree_verbose.out);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(wording)

// "signed 1 file", durations as "2.4 s": the summaries of a one-file commit.
BOOST_AUTO_TEST_CASE(one_of_a_thing_is_singular)
{
    World &w = world();
    const std::string tree = w.dir / "one-file-tree";
    sh_ok("mkdir -p " + quote(tree + "/usr/bin") + " && printf 'one\\n' > " +
          quote(tree + "/usr/bin/one"));
    sh_ok("mkdir -p " + quote(w.dir / "one-file"));
    const std::string repo = make_repo(w.dir / "one-file", "archive", tree);
    const std::string r = "--repo=" + repo;
    const std::string cert = "--cert=" + w.rsa.cert_pem;
    const Result sign = ima({"sign", r, "--key=" + w.rsa.key_pem, cert, "main", "one"});
    BOOST_REQUIRE_MESSAGE(sign.exit_code == 0, sign.err);
    BOOST_TEST(sign.err.find("signed 1 file (1 unique object), kept 0 existing signatures, key "
                             "id ") != std::string::npos,
               sign.err);
    // One decimal below a minute.
    const auto seconds = sign.err.find(" s; one updated");
    BOOST_REQUIRE_MESSAGE(seconds != std::string::npos && seconds >= 5, sign.err);
    BOOST_TEST(sign.err[seconds - 2] == '.', sign.err);
    const Result strip = ima({"strip", r, "one", "one-stripped"});
    BOOST_TEST(strip.err.find("removed security.ima from 1 file (1 unique object)") !=
                   std::string::npos,
               strip.err);
    const std::string manifest = w.dir / "one-digests.json";
    const Result digests = ima({"digests", r, "main", "-o", manifest});
    BOOST_TEST(digests.err.find("1 sha256 digest (1 file) of commit") != std::string::npos,
               digests.err);
    const Result signed_digests = ima({"sign-digests", "--yes", "--key=" + w.rsa.key_pem, cert,
                                       manifest, "-o", w.dir / "one-signatures.json"});
    BOOST_TEST(signed_digests.err.find("digests      1 (1 file)") != std::string::npos,
               signed_digests.err);
    BOOST_TEST(signed_digests.err.find("ostree-ima: 1 signature (1 made by the key") !=
                   std::string::npos,
               signed_digests.err);
    const Result verify = ima({"verify", r, cert, "one"});
    BOOST_TEST(verify.out.find("checked 1 file: 1 signed, 0 unsigned, 0 invalid") !=
                   std::string::npos,
               verify.out);
}

// A reader that goes away (`| head`, `| true`) ends the run without a word:
// no "Broken pipe" message, no internal error.
BOOST_AUTO_TEST_CASE(a_broken_pipe_ends_quietly)
{
    World &w = world();
    const std::string err = w.dir / "pipe-stderr";
    for (const std::string &command : std::vector<std::string>{
             "verify -v --repo=" + quote(w.repo) + " --cert=" + quote(w.rsa.cert_pem) + " main",
             "digests --repo=" + quote(w.repo) + " main",
             "keys " + quote(softhsm_uri("token=ostree-ima-test")), "--version"}) {
        // The reader is gone before anything is written.
        const Result r = sh("exec 3>&1; (" + quote(binary()) + " " + command + " 2>" + quote(err) +
                                "; echo $? >&3) | true",
                            env_with());
        BOOST_TEST_CONTEXT(command)
        {
            BOOST_TEST(sh_ok("cat " + quote(err)).empty());
            const int code = std::stoi(r.out);
            BOOST_TEST((code == 0 || code == 141), code); // 141: 128 + SIGPIPE, as sh reports
        }
    }
}

// SoftHSM2 without SOFTHSM2_CONF reads /etc/softhsm's tokens and shows none
// of those made elsewhere: the "no token" messages say so.
BOOST_AUTO_TEST_CASE(softhsm_without_its_conf_gets_a_hint)
{
    World &w = world();
    const std::map<std::string, std::string> no_conf = {{"SOFTHSM2_CONF", ""}};
    const std::string uri = softhsm_uri("token=ostree-ima-test");
    const Result keys = ima({"keys", uri}, no_conf);
    expect_one_line_failure(keys, 1, "SOFTHSM2_CONF is not set");
    const Result sign =
        ima({"sign", "--repo=" + w.repo, "--pin-file=" + w.token.pin_file,
             "--key=" + softhsm_uri("token=ostree-ima-test;object=rsa2048"), "main", "no-conf"},
            no_conf);
    BOOST_TEST(sign.exit_code == 1);
    BOOST_TEST(sign.err.find("SOFTHSM2_CONF is not set") != std::string::npos, sign.err);
    const Result cert =
        ima({"verify", "--repo=" + w.repo,
             "--cert=" + softhsm_uri("token=ostree-ima-test;object=rsa2048;type=cert"), "main"},
            no_conf);
    BOOST_TEST(cert.exit_code == 1);
    BOOST_TEST(cert.err.find("SOFTHSM2_CONF is not set") != std::string::npos, cert.err);
    // Unset rather than empty: SoftHSM2 reads /etc/softhsm's configuration,
    // which holds no token of this name.
    const Result unset =
        sh("unset SOFTHSM2_CONF; exec " + quote(binary()) + " keys " + quote(uri), env_with());
    expect_one_line_failure(unset, 1, "SOFTHSM2_CONF is not set");
    // With it set, the token is found (and no hint where another token is named).
    const Result other = ima({"keys", softhsm_uri("token=no-such-token")});
    BOOST_TEST(other.exit_code == 1);
    BOOST_TEST(other.err.find("SOFTHSM2_CONF") == std::string::npos, other.err);
}

BOOST_AUTO_TEST_SUITE_END()
