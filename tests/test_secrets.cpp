// The PIN never appears in anything the tool writes: stdout, stderr, JSON,
// signature files, audit logs, the repository. Success and failure cases.
#define BOOST_TEST_MODULE secrets
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "tokens.hpp"

using namespace test_support;

namespace {
// A distinctive PIN, so that a hit is never a coincidence.
const std::string kPin = "Zq7-pin-4713";

struct World {
    TempDir dir;
    std::map<std::string, std::string> env;
    std::string pin_file, bad_pin_file, repo, cert;
    World()
    {
        sh_ok(quote(source_dir() + "/softhsm-fixtures/make-token.sh") + " --force " +
              quote(dir / "hsm") + " " + quote(kPin) + " >/dev/null 2>&1");
        env = read_env_file(dir / "hsm/env");
        pin_file = dir / "hsm/pin";
        bad_pin_file = dir / "bad-pin";
        sh_ok("printf 'Zq7-pin-4714\\n' > " + quote(bad_pin_file) + " && chmod 600 " +
              quote(bad_pin_file));
        cert = dir / "hsm/certs/ec-p256.der";
        const KeyPair other = make_key(dir.path(), "other", "rsa:2048");
        make_source_tree(dir / "tree", other);
        repo = make_repo(dir.path(), "archive", dir / "tree");
    }
};

World &world()
{
    static World w;
    return w;
}

const std::string kUri = "pkcs11:token=ostree-ima-test;object=ec-p256;type=private";

void no_pin_in(const Result &r, const std::string &what)
{
    BOOST_TEST(r.out.find(kPin) == std::string::npos, what << ": PIN on stdout");
    BOOST_TEST(r.err.find(kPin) == std::string::npos, what << ": PIN on stderr");
}
} // namespace

BOOST_AUTO_TEST_CASE(pin_never_in_output_files_or_repository)
{
    World &w = world();
    std::vector<Result> results;
    // Success: PIN from a file, from the environment, from the URI's pin-source.
    results.push_back(run({binary(), "sign", "--json", "--repo=" + w.repo, "--key=" + kUri,
                           "--pin-file=" + w.pin_file, "main", "a"},
                          w.env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    auto env = w.env;
    env["OSTREE_IMA_PIN"] = kPin;
    results.push_back(run(
        {binary(), "sign", "--overwrite", "--repo=" + w.repo, "--key=" + kUri, "main", "b"}, env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    results.push_back(run({binary(), "keys", "--login", "--json", "--pin-file=" + w.pin_file,
                           "pkcs11:token=ostree-ima-test"},
                          w.env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    // The signing room: manifest, signatures file and audit log.
    const std::string manifest = w.dir / "digests.json";
    const std::string sigs = w.dir / "signatures.json";
    const std::string audit = w.dir / "audit.log";
    results.push_back(
        run({binary(), "digests", "--repo=" + w.repo, "main", "-o", manifest}, w.env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    results.push_back(
        run({binary(), "sign-digests", "--yes", "--key=" + kUri + "?pin-source=file:" + w.pin_file,
             "--audit-log=" + audit, manifest, "-o", sigs},
            w.env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    // Failures: a wrong PIN (file and environment), a key that does not exist.
    results.push_back(run({binary(), "sign", "--repo=" + w.repo, "--key=" + kUri,
                           "--pin-file=" + w.bad_pin_file, "main", "c"},
                          w.env));
    BOOST_TEST(results.back().exit_code == 1);
    results.push_back(run({binary(), "sign", "--repo=" + w.repo,
                           "--key=pkcs11:token=ostree-ima-test;object=none", "main", "d"},
                          env));
    BOOST_TEST(results.back().exit_code == 1);
    for (std::size_t i = 0; i < results.size(); ++i)
        no_pin_in(results[i], "run " + std::to_string(i));

    // Nothing the tool wrote holds it: files, audit log, the whole repository.
    const Result grep = sh("grep -rlaF " + quote(kPin) + " " + quote(manifest) + " " + quote(sigs) +
                           " " + quote(audit) + " " + quote(w.repo));
    BOOST_TEST(grep.exit_code == 1, "PIN found in: " << grep.out);
    // The check can fail: the PIN file itself holds it.
    BOOST_TEST(sh("grep -qF " + quote(kPin) + " " + quote(w.pin_file)).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(pin_value_on_the_command_line_warns_but_is_not_echoed)
{
    World &w = world();
    const Result r =
        run({binary(), "sign", "--repo=" + w.repo, "--key=" + kUri + "?pin-value=" + kPin, "main"},
            w.env);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("visible to other users") != std::string::npos, r.err);
    no_pin_in(r, "pin-value");
}

// Issue #10: a PIN under a misspelled or percent-encoded attribute name was
// printed back in the error. No spelling brings it into a message or the
// audit log; the scheme matches in any case.
BOOST_AUTO_TEST_CASE(pin_under_any_uri_spelling_is_never_echoed)
{
    World &w = world();
    for (const std::string spelling :
         {"pin%2Dvalue", "pin-valu%65", "%70in-value", "pinvalue", "pin_value"}) {
        for (const std::string separator : {"?", ";"}) {
            const std::string what = separator + spelling;
            const Result r = run({binary(), "sign", "--repo=" + w.repo,
                                  "--key=" + kUri + separator + spelling + "=" + kPin, "main", "e"},
                                 w.env);
            BOOST_TEST(r.exit_code == 2, what << ": exit " << r.exit_code << ": " << r.err);
            BOOST_TEST(r.err.find("is not understood: unknown") != std::string::npos,
                       what << ": " << r.err);
            no_pin_in(r, what);
        }
    }
    BOOST_TEST(!ref_exists(w.repo, "e"));

    // A blank before pin-value: p11-kit removes blanks, so this is a PIN
    // that logs in; the audit log names the key without it.
    const std::string manifest = w.dir / "blank-digests.json";
    const std::string sigs = w.dir / "blank-signatures.json";
    const std::string audit = w.dir / "blank-audit.log";
    const Result d = run({binary(), "digests", "--repo=" + w.repo, "main", "-o", manifest}, w.env);
    BOOST_REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    const Result s =
        run({binary(), "sign-digests", "--yes", "--key=" + kUri + "? pin-value=" + kPin,
             "--audit-log=" + audit, manifest, "-o", sigs},
            w.env);
    BOOST_TEST(s.exit_code == 0, s.err);
    no_pin_in(s, "blank before pin-value");
    const Result in_audit = sh("grep -caF " + quote(kPin) + " " + quote(audit));
    BOOST_TEST(in_audit.exit_code == 1, "PIN in the audit log: " << in_audit.out);
    BOOST_TEST(sh("grep -cF " + quote("\"key\":\"" + kUri + "\"") + " " + quote(audit)).exit_code ==
               0);

    // "PKCS11:" is a URI too (RFC 7512), not a key file name.
    const Result upper = run({binary(), "sign", "--repo=" + w.repo,
                              "--key=PKCS11:token=ostree-ima-test;object=ec-p256;type=private",
                              "--pin-file=" + w.pin_file, "--cert=" + w.cert, "main", "upper"},
                             w.env);
    BOOST_TEST(upper.exit_code == 0, upper.err);
    no_pin_in(upper, "upper-case scheme");
}

// libp11's engine prints the key id it was given when it cannot find the
// key: with a pin-value in the URI, that was the PIN on stderr.
BOOST_AUTO_TEST_CASE(engine_route_never_echoes_the_pin)
{
    World &w = world();
    const std::string uri = "pkcs11:token=ostree-ima-test;object=none;type=private";
    const Result r = run({binary(), "sign", "--repo=" + w.repo, "--engine=pkcs11",
                          "--key=" + uri + ";pin-value=" + kPin, "main", "engine"},
                         w.env);
    BOOST_TEST(r.exit_code == 1, r.err);
    BOOST_TEST(r.err.find("cannot load key " + uri + ":") != std::string::npos, r.err);
    // What libp11 said is still there, with the key as messages show it.
    BOOST_TEST(r.err.find("not found at: " + uri + "\n") != std::string::npos, r.err);
    no_pin_in(r, "engine, pin-value in the URI");
    BOOST_TEST(!ref_exists(w.repo, "engine"));
}
