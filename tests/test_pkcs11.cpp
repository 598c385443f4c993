// Keys that stay on a token: SoftHSM2 through our Cryptoki backend (by
// module path and through p11-kit discovery), libp11's engine, the `keys`
// listing, and every bad case. Every signature is checked with evmctl.
#define BOOST_TEST_MODULE pkcs11
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "ostree-ima/certificate.hpp"
#include "prerequisites.hpp"
#include "tokens.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

using namespace test_support;

// Skipped (exit 77) without SoftHSM2; a failure under OSTREE_IMA_REQUIRE_ALL=1.
OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {

struct World {
    SoftHsmToken token;
    TempDir dir;
    KeyPair other;
    std::string tree, repo, before;
    World()
    {
        other = make_key(dir.path(), "other", "rsa:2048");
        tree = dir / "tree";
        make_source_tree(tree, other);
        repo = make_repo(dir.path(), "archive", tree);
        sh_ok("ostree refs --repo=" + quote(repo) + " --create=signed main");
        before = rev_parse(repo, "signed");
    }
};

World &world()
{
    static World w;
    return w;
}

std::map<std::string, std::string> with(std::map<std::string, std::string> env,
                                        const std::map<std::string, std::string> &more)
{
    for (const auto &[k, v] : more)
        env[k] = v;
    return env;
}

Result sign_with(const std::string &key, std::vector<std::string> extra, const std::string &target,
                 const std::map<std::string, std::string> &env)
{
    World &w = world();
    std::vector<std::string> argv = {binary(), "sign", "--json", "--repo=" + w.repo,
                                     "--key=" + key};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("main");
    if (!target.empty())
        argv.push_back(target);
    return run(argv, env);
}

std::string ima_key_id_of(const std::string &cert)
{
    return ostree_ima::key_id_hex(ostree_ima::Certificate::load(cert).ima_key_id());
}

// A signed commit (with --overwrite) whose every file evmctl accepts.
void check_commit(const Result &r, const std::string &cert, const std::string &ref)
{
    World &w = world();
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto j = nlohmann::json::parse(r.out);
    BOOST_TEST(j["key_id"].get<std::string>() == ima_key_id_of(cert));
    BOOST_TEST(rev_parse(w.repo, ref) == j["commit"].get<std::string>());
    const auto failures = evmctl_verify_checkout(w.repo, ref, cert, w.dir.path());
    BOOST_TEST(failures.empty(), "evmctl rejected " << (failures.empty() ? "" : failures[0]));
}

void expect_failure(const std::string &key, const std::vector<std::string> &extra,
                    const std::map<std::string, std::string> &env, const std::string &needle,
                    int code = 1)
{
    World &w = world();
    const Result r = sign_with(key, extra, "signed", env);
    BOOST_TEST(r.exit_code == code, "exit " << r.exit_code << ": " << r.err);
    BOOST_TEST(r.err.find(needle) != std::string::npos,
               "stderr lacks '" << needle << "': " << r.err);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(rev_parse(w.repo, "signed") == w.before);
}

// The token still signs after a failure (not locked, not left logged in badly).
void token_still_usable()
{
    World &w = world();
    const Result r = sign_with(SoftHsmToken::uri("rsa2048"), {"--pin-file=" + w.token.pin_file}, "",
                               w.token.env);
    BOOST_TEST(r.exit_code == 0, r.err);
}

} // namespace

BOOST_AUTO_TEST_SUITE(softhsm)

BOOST_AUTO_TEST_CASE(every_key_type_by_module_path)
{
    World &w = world();
    for (const std::string label : {"rsa2048", "rsa4096", "ec-p256", "ec-p384"}) {
        BOOST_TEST_CONTEXT(label)
        {
            const Result r = sign_with(SoftHsmToken::uri(label),
                                       {"--pin-file=" + w.token.pin_file, "--overwrite"},
                                       "hsm-" + label, w.token.env);
            check_commit(r, w.token.cert(label), "hsm-" + label);
            // The key id came from the certificate object on the token.
            BOOST_TEST(nlohmann::json::parse(r.out)["key_id_source"].get<std::string>().find(
                           "token certificate") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(discovery_through_p11kit_and_pin_from_environment)
{
    World &w = world();
    std::string pin;
    {
        std::ifstream in(w.token.pin_file);
        std::getline(in, pin);
    }
    const Result r = sign_with(SoftHsmToken::uri("ec-p256", false), {"--overwrite"}, "hsm-p11kit",
                               with(w.token.env, {{"OSTREE_IMA_PIN", pin}}));
    check_commit(r, w.token.cert("ec-p256"), "hsm-p11kit");
    BOOST_TEST(r.err.find(pin) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(pin_source_in_the_uri)
{
    World &w = world();
    const Result r =
        sign_with(SoftHsmToken::uri("rsa2048") + "&pin-source=file:" + w.token.pin_file,
                  {"--overwrite"}, "hsm-pin-source", w.token.env);
    check_commit(r, w.token.cert("rsa2048"), "hsm-pin-source");
}

BOOST_AUTO_TEST_CASE(pin_value_warns_and_works)
{
    World &w = world();
    const Result r = sign_with(SoftHsmToken::uri("rsa2048") + "&pin-value=1234", {"--overwrite"},
                               "hsm-pin-value", w.token.env);
    check_commit(r, w.token.cert("rsa2048"), "hsm-pin-value");
    BOOST_TEST(r.err.find("visible to other users") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(engine_route_gives_the_same_rsa_commit)
{
    World &w = world();
    const Result native =
        sign_with(SoftHsmToken::uri("rsa2048"), {"--pin-file=" + w.token.pin_file, "--overwrite"},
                  "hsm-engine", w.token.env);
    BOOST_REQUIRE_MESSAGE(native.exit_code == 0, native.err);
    // libp11's engine reaches SoftHSM2 through the p11-kit proxy.
    const Result engine = sign_with("pkcs11:token=ostree-ima-test;object=rsa2048;type=private",
                                    {"--engine=pkcs11", "--pin-file=" + w.token.pin_file,
                                     "--cert=" + w.token.cert("rsa2048"), "--overwrite"},
                                    "hsm-engine", w.token.env);
    check_commit(engine, w.token.cert("rsa2048"), "hsm-engine");
    BOOST_TEST(nlohmann::json::parse(engine.out)["commit"] ==
               nlohmann::json::parse(native.out)["commit"]);
}

BOOST_AUTO_TEST_CASE(parallel_sessions_give_the_same_rsa_commit)
{
    World &w = world();
    const Result one = sign_with(SoftHsmToken::uri("rsa2048"),
                                 {"--pin-file=" + w.token.pin_file, "--jobs=1"}, "", w.token.env);
    const Result four = sign_with(SoftHsmToken::uri("rsa2048"),
                                  {"--pin-file=" + w.token.pin_file, "--jobs=4"}, "", w.token.env);
    BOOST_REQUIRE_MESSAGE(one.exit_code == 0 && four.exit_code == 0, one.err << four.err);
    BOOST_TEST(nlohmann::json::parse(one.out)["commit"] ==
               nlohmann::json::parse(four.out)["commit"]);
}

BOOST_AUTO_TEST_CASE(keys_lists_tokens_keys_and_key_ids)
{
    World &w = world();
    const std::string uri =
        std::string("pkcs11:token=ostree-ima-test?module-path=") + SoftHsmToken::kModule;
    const Result text = run({binary(), "keys", uri}, w.token.env);
    BOOST_REQUIRE_MESSAGE(text.exit_code == 0, text.err);
    BOOST_TEST(text.out.find("ostree-ima-test") != std::string::npos);
    for (const std::string label : {"rsa2048", "rsa4096", "ec-p256", "ec-p384"}) {
        BOOST_TEST(text.out.find(label) != std::string::npos, label);
        BOOST_TEST(text.out.find(ima_key_id_of(w.token.cert(label))) != std::string::npos, label);
    }
    const Result logged_in =
        run({binary(), "keys", "--login", "--pin-file=" + w.token.pin_file, "--json", uri},
            w.token.env);
    BOOST_REQUIRE_MESSAGE(logged_in.exit_code == 0, logged_in.err);
    const std::string dump = nlohmann::json::parse(logged_in.out).dump();
    BOOST_TEST(dump.find("object=rsa2048") != std::string::npos);
    BOOST_TEST(dump.find(ima_key_id_of(w.token.cert("ec-p384"))) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_cases)

BOOST_AUTO_TEST_CASE(wrong_pin_is_not_retried_and_does_not_lock)
{
    World &w = world();
    const std::string bad = w.dir / "bad-pin";
    sh_ok("printf '9999\\n' > " + quote(bad) + " && chmod 600 " + quote(bad));
    // Each run spends one of the token's tries, and says so.
    const std::string needle = "wrong PIN for token 'ostree-ima-test' (module " +
                               std::string(SoftHsmToken::kModule) + ") (from --pin-file " + bad +
                               "); it was tried once and not again, but each wrong attempt uses "
                               "one of the token's tries";
    expect_failure(SoftHsmToken::uri("rsa2048"), {"--pin-file=" + bad}, w.token.env, needle);
    expect_failure(SoftHsmToken::uri("rsa2048"), {"--pin-file=" + bad}, w.token.env, needle);
    token_still_usable();
}

BOOST_AUTO_TEST_CASE(uri_matching_no_key_lists_what_is_there)
{
    World &w = world();
    expect_failure(SoftHsmToken::uri("no-such-key"), {"--pin-file=" + w.token.pin_file},
                   w.token.env, "rsa4096");
    token_still_usable();
}

BOOST_AUTO_TEST_CASE(uri_matching_two_keys_is_refused)
{
    World &w = world();
    expect_failure(SoftHsmToken::uri("dup"), {"--pin-file=" + w.token.pin_file}, w.token.env,
                   "id=%06");
}

BOOST_AUTO_TEST_CASE(module_that_does_not_exist_or_is_not_pkcs11)
{
    World &w = world();
    expect_failure("pkcs11:token=ostree-ima-test;object=rsa2048?module-path=/no/such/module.so",
                   {"--pin-file=" + w.token.pin_file}, w.token.env, "/no/such/module.so");
    expect_failure(
        "pkcs11:token=ostree-ima-test;object=rsa2048?module-path=/lib/x86_64-linux-gnu/libz.so.1",
        {"--pin-file=" + w.token.pin_file}, w.token.env, "libz.so.1");
}

BOOST_AUTO_TEST_CASE(token_not_present)
{
    World &w = world();
    expect_failure("pkcs11:token=no-such-token;object=rsa2048?module-path=" +
                       std::string(SoftHsmToken::kModule),
                   {"--pin-file=" + w.token.pin_file}, w.token.env, "no-such-token");
}

BOOST_AUTO_TEST_CASE(certificate_that_does_not_match_the_key)
{
    World &w = world();
    expect_failure(SoftHsmToken::uri("rsa2048"),
                   {"--pin-file=" + w.token.pin_file, "--cert=" + w.token.cert("rsa4096")},
                   w.token.env, "does not match");
    token_still_usable();
}

BOOST_AUTO_TEST_CASE(key_without_cka_sign)
{
    World &w = world();
    expect_failure(SoftHsmToken::uri("nosign"), {"--pin-file=" + w.token.pin_file}, w.token.env,
                   "not allowed to sign");
    token_still_usable();
}

BOOST_AUTO_TEST_CASE(unparsable_uri)
{
    World &w = world();
    expect_failure("pkcs11:token=ostree-ima-test;bogus-attr=1", {"--pin-file=" + w.token.pin_file},
                   w.token.env, "bogus-attr", 2);
}

BOOST_AUTO_TEST_SUITE_END()
