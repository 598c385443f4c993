// TPM-backed keys on a software TPM (swtpm, tpm2-abrmd on a private D-Bus
// bus): a tpm2-pkcs11 slot is just a PKCS#11 URI, and the tpm2 OpenSSL
// provider opens a persistent handle. Every signature is checked with evmctl
// (v2) or the fsverity and openssl CLIs (sigv3).
#define BOOST_TEST_MODULE tpm
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "ostree-ima/certificate.hpp"
#include "prerequisites.hpp"
#include "text_files.hpp"
#include "tokens.hpp"
#include "workspace.hpp"

#include <nlohmann/json.hpp>

using namespace test_support;

// Skipped (exit 77) without swtpm and tpm2-pkcs11; a failure under
// OSTREE_IMA_REQUIRE_ALL=1.
OSTREE_IMA_SUITE_NEEDS(test_support::tpm_needs());

namespace {

struct World : Workspace {
    SoftTpm tpm;
    const KeyPair &other = key("other");
    std::string tree = standard_tree(other);
    std::string repo = Workspace::repo("archive", tree);
};

World &world()
{
    static World w;
    return w;
}

void sign_and_verify(const std::vector<std::string> &key_args, const std::string &cert,
                     const std::string &ref)
{
    World &w = world();
    std::vector<std::string> argv = {binary(), "sign", "--json", "--overwrite", "--repo=" + w.repo};
    argv.insert(argv.end(), key_args.begin(), key_args.end());
    argv.push_back("main");
    argv.push_back(ref);
    const Result r = run(argv, w.tpm.env);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto j = nlohmann::json::parse(r.out);
    BOOST_TEST(j["key_id"].get<std::string>() ==
               ostree_ima::key_id_hex(ostree_ima::Certificate::load(cert).ima_key_id()));
    BOOST_TEST(evmctl_verify_checkout(w.repo, ref, cert, w.dir.path()).empty());
}

std::string tpm_uri(const std::string &label, const std::string &type)
{
    return "pkcs11:token=ostree-ima-tpm;object=" + label + ";type=" + type +
           "?module-path=" + world().tpm.env.at("TPM2_PKCS11_MODULE");
}

} // namespace

BOOST_AUTO_TEST_CASE(tpm2_pkcs11_slot_rsa)
{
    World &w = world();
    sign_and_verify(
        {"--key=pkcs11:token=ostree-ima-tpm;object=tpm-rsa2048;type=private?module-path=" +
             w.tpm.env.at("TPM2_PKCS11_MODULE"),
         "--pin-file=" + w.tpm.pin_file},
        w.tpm.cert("tpm-rsa2048"), "tpm-rsa");
}

BOOST_AUTO_TEST_CASE(tpm2_pkcs11_slot_ec)
{
    World &w = world();
    sign_and_verify(
        {"--key=pkcs11:token=ostree-ima-tpm;object=tpm-ec-p256;type=private?module-path=" +
             w.tpm.env.at("TPM2_PKCS11_MODULE"),
         "--pin-file=" + w.tpm.pin_file},
        w.tpm.cert("tpm-ec-p256"), "tpm-ec");
}

BOOST_AUTO_TEST_CASE(tpm2_provider_persistent_handle)
{
    World &w = world();
    sign_and_verify(
        {"--provider=tpm2", "--key=" + w.tpm.handle, "--cert=" + w.tpm.cert("tpm-handle")},
        w.tpm.cert("tpm-handle"), "tpm-provider");
}

// The certificate tpm2_ptool addcert put on the token: exported byte for
// byte, and usable as --cert for verify.
BOOST_AUTO_TEST_CASE(tpm2_pkcs11_certificate_export_and_verify)
{
    World &w = world();
    const Result exported = run({binary(), "keys", "--export-cert", tpm_uri("tpm-ec-p256", "cert"),
                                 "-o", w.dir / "tpm-ec-p256.der"},
                                w.tpm.env);
    BOOST_REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
    BOOST_TEST(read_text(w.dir / "tpm-ec-p256.der") == read_text(w.tpm.cert("tpm-ec-p256")));

    sign_and_verify({"--key=" + tpm_uri("tpm-ec-p256", "private"), "--pin-file=" + w.tpm.pin_file},
                    w.tpm.cert("tpm-ec-p256"), "tpm-ec-cert");
    const Result verified = run({binary(), "verify", "--repo=" + w.repo,
                                 "--cert=" + tpm_uri("tpm-ec-p256", "cert"), "tpm-ec-cert"},
                                w.tpm.env);
    BOOST_TEST(verified.exit_code == 0, verified.err << verified.out);
    BOOST_TEST(verified.err.empty(), verified.err);
}

// fs-verity signatures (sigv3) through the TPM's EC key: checked without
// ostree-ima (fsverity digest, the file id, openssl), as test_sign_verity does.
BOOST_AUTO_TEST_CASE(tpm2_pkcs11_slot_signs_verity)
{
    World &w = world();
    const std::string cert = w.tpm.cert("tpm-ec-p256");
    const Result r = run({binary(), "sign", "--json", "--verity", "--repo=" + w.repo,
                          "--key=" + tpm_uri("tpm-ec-p256", "private"),
                          "--pin-file=" + w.tpm.pin_file, "--cert=" + cert, "main", "tpm-verity"},
                         w.tpm.env);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(nlohmann::json::parse(r.out)["signature_format"] == "verity");
    BOOST_TEST(verity_verify_checkout(w.repo, "tpm-verity", cert, w.dir.path()).empty());
}

// tpm2-tss prints WARNING/ERROR lines for every TPM error code; we set
// TSS2_LOG=all+NONE, so a missing handle is our one line.
BOOST_AUTO_TEST_CASE(tpm_failure_is_our_one_line)
{
    World &w = world();
    const Result r = run({binary(), "sign", "--repo=" + w.repo, "--provider=tpm2",
                          "--key=handle:0x81000077", "main", "never"},
                         w.tpm.env);
    BOOST_TEST(r.exit_code == 1, r.err);
    BOOST_TEST(line_count(r.err) == 1u, "stderr: " << r.err);
    BOOST_TEST(r.err.rfind("ostree-ima: error: ", 0) == 0u, r.err);
    BOOST_TEST(r.err.find("handle:0x81000077") != std::string::npos, r.err);
    // The user's own setting wins: the module's logs come back for debugging.
    auto debug_env = w.tpm.env;
    debug_env["TSS2_LOG"] = "all+WARNING";
    const Result debug = run({binary(), "sign", "--repo=" + w.repo, "--provider=tpm2",
                              "--key=handle:0x81000077", "main", "never"},
                             debug_env);
    BOOST_TEST(debug.exit_code == 1);
    BOOST_TEST(debug.err.find("ERROR:esys:") != std::string::npos, debug.err);
}

// Last: a wrong PIN counts against the TPM's dictionary-attack counter.
// tpm2-tss's lines are gone (TSS2_LOG), and tpm2-pkcs11's own "ERROR: "
// lines, which have no knob, are held back while we log in: our line is
// all. OSTREE_IMA_DEBUG brings them back.
BOOST_AUTO_TEST_CASE(tpm2_pkcs11_wrong_pin_is_our_one_line)
{
    World &w = world();
    const std::string bad = w.dir / "bad-pin";
    sh_ok("printf '9999\\n' > " + quote(bad) + " && chmod 600 " + quote(bad));
    const std::vector<std::string> args = {binary(),
                                           "sign",
                                           "--repo=" + w.repo,
                                           "--key=" + tpm_uri("tpm-rsa2048", "private"),
                                           "--pin-file=" + bad,
                                           "main",
                                           "never"};
    const Result r = run(args, w.tpm.env);
    BOOST_TEST(r.exit_code == 1, r.err);
    BOOST_TEST(line_count(r.err) == 1u, "stderr: " << r.err);
    BOOST_TEST(r.err.rfind("ostree-ima: error: wrong PIN for token 'ostree-ima-tpm'", 0) == 0u,
               r.err);

    auto debug_env = w.tpm.env;
    debug_env["OSTREE_IMA_DEBUG"] = "1";
    const Result debug = run(args, debug_env);
    BOOST_TEST(debug.exit_code == 1, debug.err);
    BOOST_TEST(debug.err.find("ERROR: ") != std::string::npos, debug.err);
    BOOST_TEST(debug.err.find("ostree-ima: error: wrong PIN") != std::string::npos, debug.err);
}
