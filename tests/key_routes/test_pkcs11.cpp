// Keys that stay on a token: SoftHSM2 through our Cryptoki backend (by
// module path and through p11-kit discovery), libp11's engine, the `keys`
// listing, and every bad case. Every signature is checked with evmctl.
#define BOOST_TEST_MODULE pkcs11
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "ostree-ima/certificate.hpp"
#include "prerequisites.hpp"
#include "text_files.hpp"
#include "tokens.hpp"
#include "workspace.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace test_support;

// Skipped (exit 77) without SoftHSM2; a failure under OSTREE_IMA_REQUIRE_ALL=1.
OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {

struct World : Workspace {
    SoftHsmToken token;
    const KeyPair &other = key("other");
    std::string tree = standard_tree(other);
    std::string repo = Workspace::repo("archive", tree);
    std::string before;
    World()
    {
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

// A token labelled by someone hostile: ESC sequences and newlines in the
// token's label and a key's, a key label that is not UTF-8. The text listing
// shows them as \xNN (the terminal gets no control byte, the listing no forged
// line); JSON escapes them and the label reads back as the token holds it.
BOOST_AUTO_TEST_CASE(keys_escapes_labels_with_control_bytes)
{
    TempDir dir;
    const std::string conf = dir / "softhsm2.conf";
    const std::string pin_file = dir / "pin";
    sh_ok("mkdir " + quote(dir / "tokens") +
          " && printf 'directories.tokendir = %s\\n"
          "objectstore.backend = file\\nlog.level = ERROR\\n' " +
          quote(dir / "tokens") + " > " + quote(conf) + " && umask 077 && echo 1234 > " +
          quote(pin_file));
    const std::map<std::string, std::string> env = {{"SOFTHSM2_CONF", conf}};
    // pkcs11-tool takes the labels' bytes as they are; the new token
    // directory's token is the one at slot index 0.
    const std::string p11 =
        std::string("; pkcs11-tool --module ") + SoftHsmToken::kModule + " >/dev/null 2>&1 ";
    const std::string as_user = p11 + "--slot-index 0 --login --pin 1234 ";
    const std::string key_pair = "--keypairgen --key-type EC:prime256v1 --usage-sign ";
    sh_ok("set -e; token=$(printf 'evil\\033[31m\\nX')" +
              std::string("; key=$(printf 'key\\033]0;owned\\007\\nline'); bad=$(printf "
                          "'bad\\377utf8')") +
              p11 + "--init-token --label \"$token\" --so-pin 5678" + p11 +
              "--slot-index 0 --login --login-type so --so-pin 5678 --init-pin --new-pin 1234" +
              as_user + key_pair + "--id 01 --label \"$key\"" + as_user + key_pair +
              "--id 02 --label \"$bad\"",
          env);
    const std::string uri = std::string("pkcs11:?module-path=") + SoftHsmToken::kModule;

    const Result text = run({binary(), "keys", "--login", "--pin-file=" + pin_file, uri}, env);
    BOOST_REQUIRE_MESSAGE(text.exit_code == 0, text.err);
    BOOST_TEST_INFO("stdout:\n" << text.out);
    BOOST_TEST(text.out.find("token 'evil\\x1b[31m\\x0aX' manufacturer") != std::string::npos);
    BOOST_TEST(text.out.find("label 'key\\x1b]0;owned\\x07\\x0aline' ima-keyid") !=
               std::string::npos);
    BOOST_TEST(text.out.find("label 'bad\\xffutf8' ima-keyid") != std::string::npos);
    for (const char c : text.out)
        BOOST_TEST((c == '\n' || static_cast<unsigned char>(c) >= 0x20),
                   "a control byte " << static_cast<int>(static_cast<unsigned char>(c))
                                     << " reached the terminal");
    BOOST_TEST(text.out.find('\xff') == std::string::npos);
    BOOST_TEST(text.out.find("\nX'") == std::string::npos, "a forged line");
    BOOST_TEST(text.out.find("\nline'") == std::string::npos, "a forged line");

    const Result json =
        run({binary(), "keys", "--login", "--pin-file=" + pin_file, "--json", uri}, env);
    BOOST_REQUIRE_MESSAGE(json.exit_code == 0, json.err);
    BOOST_TEST(json.out.find('\x1b') == std::string::npos);
    const auto j = nlohmann::json::parse(json.out);
    std::vector<std::string> tokens, labels;
    for (const auto &slot : j["modules"][0]["slots"]) {
        if (!slot.contains("token") || !slot["token"]["flags"]["token_initialized"].get<bool>())
            continue;
        tokens.push_back(slot["token"]["label"].get<std::string>());
        for (const auto &object : slot["token"]["objects"])
            labels.push_back(object["label"].get<std::string>());
    }
    BOOST_TEST(tokens == std::vector<std::string>{"evil\x1b[31m\nX"}, json.out);
    // A byte that is not UTF-8 becomes U+FFFD: JSON has no way to hold it.
    const std::vector<std::string> expected = {"key\x1b]0;owned\x07\nline", "bad\xef\xbf\xbdutf8"};
    BOOST_TEST(labels == expected, json.out);
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

// --cert=pkcs11:... and `keys --export-cert`: the certificate object on the
// token, read by our backend, wherever a certificate file goes.
BOOST_AUTO_TEST_SUITE(token_certificates)

namespace {

std::string cert_uri(const std::string &label)
{
    return "pkcs11:token=ostree-ima-test;object=" + label +
           ";type=cert?module-path=" + std::string(SoftHsmToken::kModule);
}

Result export_cert(const std::string &uri, const std::vector<std::string> &extra)
{
    std::vector<std::string> argv = {binary(), "keys", "--export-cert", uri};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv, world().token.env);
}

Result verify(const std::string &cert, const std::string &rev,
              const std::vector<std::string> &extra = {})
{
    World &w = world();
    std::vector<std::string> argv = {binary(), "verify", "--repo=" + w.repo, "--cert=" + cert};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(rev);
    return run(argv, w.token.env);
}

// A commit of `main` signed by `key_args` (once per ref).
std::string signed_ref(const std::string &ref, const std::vector<std::string> &key_args)
{
    World &w = world();
    if (!ref_exists(w.repo, ref)) {
        std::vector<std::string> argv = {binary(), "sign", "--overwrite", "--repo=" + w.repo};
        argv.insert(argv.end(), key_args.begin(), key_args.end());
        argv.push_back("main");
        argv.push_back(ref);
        const Result r = run(argv, w.token.env);
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    }
    return ref;
}

std::string token_signed()
{
    return signed_ref("token-signed", {"--key=" + SoftHsmToken::uri("rsa2048"),
                                       "--pin-file=" + world().token.pin_file});
}

// stderr is one line holding every needle; exit 1; nothing on stdout.
void expect_one_line_error(const Result &r, const std::vector<std::string> &needles)
{
    BOOST_TEST(r.exit_code == 1, "exit " << r.exit_code << ": " << r.err);
    BOOST_TEST(line_count(r.err) == 1u, "stderr: " << r.err);
    for (const auto &needle : needles)
        BOOST_TEST(r.err.find(needle) != std::string::npos,
                   "stderr lacks '" << needle << "': " << r.err);
    BOOST_TEST(r.out.empty());
}

} // namespace

BOOST_AUTO_TEST_CASE(export_writes_the_imported_certificate_as_der_and_pem)
{
    World &w = world();
    TempDir dir;
    const std::string imported = read_text(w.token.cert("ec-p256"));
    const Result der = export_cert(cert_uri("ec-p256"), {"-o", dir / "ec.der"});
    BOOST_REQUIRE_MESSAGE(der.exit_code == 0, der.err);
    BOOST_TEST(der.out.empty());
    BOOST_TEST(der.err.find(ima_key_id_of(w.token.cert("ec-p256"))) != std::string::npos, der.err);
    BOOST_TEST(read_text(dir / "ec.der") == imported, "DER differs from the fixture's");

    // PEM by the name, and by --format whatever the name.
    for (const auto &[name, extra] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"ec.pem", {}}, {"ec.crt", {"--format=pem"}}}) {
        std::vector<std::string> args = {"-o", dir / name};
        args.insert(args.end(), extra.begin(), extra.end());
        const Result pem = export_cert(cert_uri("ec-p256"), args);
        BOOST_REQUIRE_MESSAGE(pem.exit_code == 0, pem.err);
        BOOST_TEST(read_text(dir / name).rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0u, name);
        sh_ok("openssl x509 -in " + quote(dir / name) + " -outform DER -out " +
              quote(dir / (name + ".der")));
        BOOST_TEST(read_text(dir / (name + ".der")) == imported, name);
    }
    // --format=der wins over a .pem name.
    const Result forced = export_cert(cert_uri("ec-p256"), {"-o", dir / "der.pem", "--format=der"});
    BOOST_REQUIRE_MESSAGE(forced.exit_code == 0, forced.err);
    BOOST_TEST(read_text(dir / "der.pem") == imported);
}

BOOST_AUTO_TEST_CASE(export_refuses_an_existing_file_without_force)
{
    World &w = world();
    TempDir dir;
    const std::string out = dir / "rsa.der";
    write_text(out, "keep me\n");
    const Result refused = export_cert(cert_uri("rsa2048"), {"-o", out});
    expect_one_line_error(refused, {out + " already exists; add --force"});
    BOOST_TEST(read_text(out) == "keep me\n");
    const Result forced = export_cert(cert_uri("rsa2048"), {"-o", out, "--force"});
    BOOST_REQUIRE_MESSAGE(forced.exit_code == 0, forced.err);
    BOOST_TEST(read_text(out) == read_text(w.token.cert("rsa2048")));
    // No temporary file left beside it.
    BOOST_TEST(trimmed(sh_ok("ls -A " + quote(dir.path()))) == "rsa.der");
}

BOOST_AUTO_TEST_CASE(verify_with_the_token_certificate)
{
    World &w = world();
    const Result good = verify(cert_uri("rsa2048"), token_signed());
    BOOST_TEST(good.exit_code == 0, good.err << good.out);
    BOOST_TEST(good.out.find(", 0 invalid") != std::string::npos, good.out);
    // Signed with another key: the token's certificate does not verify it.
    const std::string other =
        signed_ref("other-signed", {"--key=" + w.other.key_pem, "--cert=" + w.other.cert_pem});
    const Result bad = verify(cert_uri("rsa2048"), other);
    BOOST_TEST(bad.exit_code == 1, bad.err << bad.out);
    BOOST_TEST(bad.out.find("unknown_key") != std::string::npos, bad.out);
    // Another certificate of the token does not verify the token-signed commit.
    const Result wrong = verify(cert_uri("rsa4096"), token_signed());
    BOOST_TEST(wrong.exit_code == 1, wrong.err << wrong.out);
}

BOOST_AUTO_TEST_CASE(sign_and_apply_take_the_token_certificate)
{
    World &w = world();
    TempDir dir;
    const std::string key = SoftHsmToken::uri("rsa2048");
    const std::string pin = "--pin-file=" + w.token.pin_file;
    // sign: the key id comes from --cert on the token, checked against the key.
    const Result signed_json = run({binary(), "sign", "--json", "--overwrite", "--repo=" + w.repo,
                                    "--key=" + key, "--cert=" + cert_uri("rsa2048"), pin, "main"},
                                   w.token.env);
    BOOST_REQUIRE_MESSAGE(signed_json.exit_code == 0, signed_json.err);
    BOOST_TEST(nlohmann::json::parse(signed_json.out)["key_id"].get<std::string>() ==
               ima_key_id_of(w.token.cert("rsa2048")));
    const Result mismatch = run({binary(), "sign", "--overwrite", "--repo=" + w.repo,
                                 "--key=" + key, "--cert=" + cert_uri("rsa4096"), pin, "main"},
                                w.token.env);
    BOOST_TEST(mismatch.exit_code == 1);
    BOOST_TEST(mismatch.err.find("does not match") != std::string::npos, mismatch.err);

    // digests (--cert on the token) -> sign-digests -> apply with the token's
    // certificate gives the commit apply gives with the certificate file.
    const std::string manifest = dir / "digests.json";
    const std::string signatures = dir / "signatures.json";
    const Result d = run({binary(), "digests", "--overwrite", "--repo=" + w.repo,
                          "--cert=" + cert_uri("rsa2048"), "-o", manifest, "main"},
                         w.token.env);
    BOOST_REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    const Result s =
        run({binary(), "sign-digests", "--yes", "-o", signatures, "--key=" + key, pin, manifest},
            w.token.env);
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    // The same ref each time: the commit binds it (ostree.ref-binding).
    std::string commits[2];
    const std::string certs[2] = {cert_uri("rsa2048"), w.token.cert("rsa2048")};
    for (int i = 0; i < 2; ++i) {
        sh_ok("ostree refs --repo=" + quote(w.repo) + " --delete applied 2>/dev/null || true");
        const Result a = run({binary(), "apply", "--repo=" + w.repo, "--cert=" + certs[i],
                              "--signatures=" + signatures, "main", "applied"},
                             w.token.env);
        BOOST_REQUIRE_MESSAGE(a.exit_code == 0, a.err);
        commits[i] = trimmed(a.out);
    }
    BOOST_TEST(commits[0] == commits[1]);
    const auto failures =
        evmctl_verify_checkout(w.repo, "applied", w.token.cert("rsa2048"), w.dir.path());
    BOOST_TEST(failures.empty(), "evmctl rejected " << (failures.empty() ? "" : failures[0]));
    // apply refuses the token's certificate of another key.
    const Result foreign =
        run({binary(), "apply", "--repo=" + w.repo, "--cert=" + cert_uri("ec-p256"),
             "--signatures=" + signatures, "main", "applied-foreign"},
            w.token.env);
    BOOST_TEST(foreign.exit_code == 1, foreign.err);
    BOOST_TEST(!ref_exists(w.repo, "applied-foreign"));
}

// A certificate stored as a private object: found only after login, and
// ostree-ima logs in for it only when a PIN is given, never with a prompt.
BOOST_AUTO_TEST_CASE(a_private_certificate_object_needs_a_given_pin)
{
    World &w = world();
    TempDir dir;
    // GnuTLS p11tool: pkcs11-tool (OpenSC 0.23) ignores --private for certificates.
    sh_ok("GNUTLS_PIN=\"$(cat " + quote(w.token.pin_file) + ")\" p11tool --provider " +
              std::string(SoftHsmToken::kModule) +
              " --login --write --label private-cert --id 08 --mark-private --load-certificate " +
              quote(w.token.dir / "hsm/certs/rsa2048.pem") +
              " 'pkcs11:token=ostree-ima-test' >/dev/null 2>&1",
          w.token.env);
    const std::string uri = cert_uri("private-cert");
    expect_one_line_error(export_cert(uri, {"-o", dir / "none.der"}),
                          {"no certificate matches", "object=private-cert"});
    const Result with_file =
        export_cert(uri, {"-o", dir / "file.der", "--pin-file=" + w.token.pin_file});
    BOOST_REQUIRE_MESSAGE(with_file.exit_code == 0, with_file.err);
    BOOST_TEST(read_text(dir / "file.der") == read_text(w.token.cert("rsa2048")));
    const Result with_source =
        export_cert("pkcs11:token=ostree-ima-test;object=private-cert;type=cert?pin-source=file:" +
                        w.token.pin_file + "&module-path=" + std::string(SoftHsmToken::kModule),
                    {"-o", dir / "source.der"});
    BOOST_TEST(with_source.exit_code == 0, with_source.err);
    auto env = w.token.env;
    env["OSTREE_IMA_PIN"] = trimmed(read_text(w.token.pin_file));
    const Result verified =
        run({binary(), "verify", "--repo=" + w.repo, "--cert=" + uri, token_signed()}, env);
    BOOST_TEST(verified.exit_code == 0, verified.err << verified.out);
}

BOOST_AUTO_TEST_CASE(a_uri_naming_no_certificate_or_several_is_one_line)
{
    // No such object: names the URI and how to list what the token holds.
    expect_one_line_error(verify(cert_uri("no-such-cert"), token_signed()),
                          {"no certificate matches pkcs11:token=ostree-ima-test;"
                           "object=no-such-cert;type=cert",
                           "ostree-ima keys '"});
    // A key has no certificate object of its own label: nosign.
    expect_one_line_error(export_cert(cert_uri("nosign"), {"-o", world().dir / "never.der"}),
                          {"no certificate matches", "object=nosign"});
    // Every certificate of the token: four different ones.
    expect_one_line_error(
        verify("pkcs11:token=ostree-ima-test;type=cert?module-path=" +
                   std::string(SoftHsmToken::kModule),
               token_signed()),
        {"matches 4 different certificates", "object=rsa2048", "make the URI name one"});
    // A private key URI is not a certificate.
    expect_one_line_error(verify(SoftHsmToken::uri("rsa2048"), token_signed()),
                          {"names a private key", "type=cert"});
    BOOST_TEST(!std::filesystem::exists(world().dir / "never.der"));
}

BOOST_AUTO_TEST_SUITE_END()
