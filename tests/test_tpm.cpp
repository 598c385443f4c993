// TPM-backed keys on a software TPM (swtpm, tpm2-abrmd on a private D-Bus
// bus): a tpm2-pkcs11 slot is just a PKCS#11 URI, and the tpm2 OpenSSL
// provider opens a persistent handle. Every signature is checked with evmctl.
#define BOOST_TEST_MODULE tpm
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "ostree-ima/certificate.hpp"
#include "prerequisites.hpp"
#include "tokens.hpp"

#include <nlohmann/json.hpp>

using namespace test_support;

// Skipped (exit 77) without swtpm and tpm2-pkcs11; a failure under
// OSTREE_IMA_REQUIRE_ALL=1.
OSTREE_IMA_SUITE_NEEDS(test_support::tpm_needs());

namespace {

struct World {
    SoftTpm tpm;
    TempDir dir;
    KeyPair other;
    std::string tree, repo;
    World()
    {
        other = make_key(dir.path(), "other", "rsa:2048");
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
