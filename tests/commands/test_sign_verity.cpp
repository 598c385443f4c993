// `sign --verity`, `verify` and `strip` with fs-verity signatures (sigv3) on
// real repositories, for a key file and a SoftHSM2 key. Each signature is
// checked independently: the fsverity CLI's digest of the source file, the
// file id built here, and `openssl dgst -verify` (evmctl 1.4 has no sigv3).
#define BOOST_TEST_MODULE sign_verity
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "prerequisites.hpp"
#include "text_files.hpp"
#include "tokens.hpp"
#include "workspace.hpp"

#include <nlohmann/json.hpp>

using namespace test_support;
using json = nlohmann::json;

OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {

struct World : Workspace {
    SoftHsmToken token;
    std::string tree, repo, before;
    World()
    {
        key("rsa2048", "rsa:2048");
        key("ec-p256", "ec:P-256");
        tree = standard_tree(key("other", "rsa:2048"));
        repo = Workspace::repo("archive", tree);
        before = rev_parse(repo, "main");
    }
};

World &world()
{
    static World w;
    return w;
}

Result ostree_ima(std::vector<std::string> argv, const std::map<std::string, std::string> &env = {})
{
    argv.insert(argv.begin(), {binary()});
    argv.insert(argv.begin() + 2, "--repo=" + world().repo);
    return run(argv, env);
}

// Every regular file of `rev` carries a sigv3 signature `cert` accepts
// (checked without ostree-ima: verity_verify_checkout).
void check_verity_signatures(const std::string &rev, const std::string &cert)
{
    TempDir scratch;
    const std::vector<std::string> failures =
        verity_verify_checkout(world().repo, rev, cert, scratch.path());
    BOOST_TEST(failures.empty(), failures.size() << " files fail, the first: "
                                                 << (failures.empty() ? "" : failures.front()));
    BOOST_TEST(read_commit_files(world().repo, rev).size() > 3U);
}

Result verify(const std::string &rev, const std::string &cert, std::vector<std::string> extra = {})
{
    std::vector<std::string> argv{"verify", "--cert=" + cert};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(rev);
    return ostree_ima(argv);
}
} // namespace

BOOST_AUTO_TEST_CASE(key_files_sign_verity_and_verify_checks_it)
{
    World &w = world();
    for (const std::string name : {"rsa2048", "ec-p256"}) {
        BOOST_TEST_CONTEXT(name)
        {
            const KeyPair &k = w.key(name);
            const std::string ref = "verity-" + name;
            const Result r = ostree_ima(
                {"sign", "--key=" + k.key_pem, "--cert=" + k.cert_der, "--verity", "main", ref});
            BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
            // The pre-signed file's v2 signature is replaced: one format per file.
            check_verity_signatures(ref, k.cert_der);
            const Result v = verify(ref, k.cert_der, {"--require-all"});
            BOOST_TEST(v.exit_code == 0, v.out << v.err);
            const Result vv = verify(ref, k.cert_der, {"--require-all", "--verity"});
            BOOST_TEST(vv.exit_code == 0, vv.out << vv.err);
            // Another key's certificate does not verify them.
            BOOST_TEST(verify(ref, w.key("other").cert_der).exit_code == 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(verify_checks_the_verity_digest_not_the_file_digest)
{
    World &w = world();
    const KeyPair &k = w.key("rsa2048");
    BOOST_REQUIRE(
        ostree_ima({"sign", "--key=" + k.key_pem, "--cert=" + k.cert_der, "main", "v2-signed"})
            .exit_code == 0);
    // A v2 commit verifies without --verity, and fails with it (the
    // pre-signed file keeps its v2 signature by the other key).
    const std::string other = "--cert=" + w.key("other").cert_der;
    const Result v2 = verify("v2-signed", k.cert_der, {other});
    BOOST_TEST(v2.exit_code == 0, v2.out << v2.err);
    const Result r = verify("v2-signed", k.cert_der, {other, "--verity"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.out.find("v2 signature, not the verity one") != std::string::npos, r.out);
    // The finding says which format the file holds.
    const Result rj = verify("v2-signed", k.cert_der, {other, "--verity", "--json"});
    const json findings = json::parse(rj.out)["findings"];
    BOOST_REQUIRE(!findings.empty());
    for (const json &f : findings) {
        BOOST_TEST(f["signature_format"] == "v2");
        BOOST_TEST(f["problem"] == "malformed");
    }
    BOOST_TEST(json::parse(rj.out)["signature_format"] == "verity");
    // Signing the v2 commit with --verity replaces every v2 signature (the
    // other key's too): a format change, not a malformed value.
    std::size_t regular = 0;
    for (const auto &[path, facts] : read_commit_files(w.repo, "v2-signed"))
        regular += facts.regular ? 1 : 0;
    const Result s = ostree_ima({"sign", "--json", "--key=" + k.key_pem, "--cert=" + k.cert_der,
                                 "--verity", "v2-signed", "v2-then-verity"});
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    const json report = json::parse(s.out);
    BOOST_TEST(report["signature_format"] == "verity");
    BOOST_TEST(report["files_replaced"]["other_format"] == regular);
    BOOST_TEST(report["files_replaced"]["malformed"] == 0);
    check_verity_signatures("v2-then-verity", k.cert_der);
    const Result vj = verify("v2-then-verity", k.cert_der, {"--verity", "--json"});
    BOOST_TEST(vj.exit_code == 0);
    BOOST_TEST(json::parse(vj.out)["files_signed_by_format"] ==
               json({{"v2", 0}, {"verity", regular}}));
    // And back: v2 signatures replace the verity ones, said in the summary.
    const Result back = ostree_ima(
        {"sign", "--key=" + k.key_pem, "--cert=" + k.cert_der, "v2-then-verity", "back-to-v2"});
    BOOST_REQUIRE_MESSAGE(back.exit_code == 0, back.err);
    BOOST_TEST(back.err.find("replaced " + std::to_string(regular) +
                             " verity signatures by v2 ones") != std::string::npos,
               back.err);
    BOOST_TEST(back.err.find("invalid") == std::string::npos, back.err);
    const Result v2j = verify("back-to-v2", k.cert_der, {"--json"});
    BOOST_TEST(v2j.exit_code == 0);
    BOOST_TEST(json::parse(v2j.out)["files_signed_by_format"] ==
               json({{"v2", regular}, {"verity", 0}}));
    BOOST_TEST(evmctl_verify_checkout(w.repo, "back-to-v2", k.cert_der, w.dir.path()).empty());
}

// ima-sign --verity (an extension of ostree-ext-cli's surface) writes what
// sign --verity writes; the positional ALGORITHM must be sha256.
BOOST_AUTO_TEST_CASE(ima_sign_verity)
{
    World &w = world();
    const KeyPair &k = w.key("rsa2048");
    const Result s = ostree_ima({"sign", "--json", "--key=" + k.key_pem, "--cert=" + k.cert_der,
                                 "--verity", "main", "ima-verity"});
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    const Result r = ostree_ima({"ima-sign", "--cert=" + k.cert_der, "--verity", "main",
                                 "ima-verity", "sha256", k.key_pem});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == "ima-verity => " + json::parse(s.out)["commit"].get<std::string>() + "\n");
    check_verity_signatures("ima-verity", k.cert_der);
    const Result bad = ostree_ima({"ima-sign", "--cert=" + k.cert_der, "--verity", "main",
                                   "ima-verity-512", "sha512", k.key_pem});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(bad.err.find("sha256") != std::string::npos, bad.err);
}

BOOST_AUTO_TEST_CASE(verity_needs_sha256)
{
    const KeyPair &k = world().key("rsa2048");
    const Result r =
        ostree_ima({"sign", "--key=" + k.key_pem, "--verity", "--hash=sha512", "main", "x"});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("sha256") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(strip_removes_verity_signatures)
{
    World &w = world();
    const KeyPair &k = w.key("ec-p256");
    BOOST_REQUIRE(ostree_ima({"sign", "--key=" + k.key_pem, "--cert=" + k.cert_der, "--verity",
                              "main", "to-strip"})
                      .exit_code == 0);
    const Result r = ostree_ima({"strip", "to-strip", "stripped"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    for (const auto &[path, facts] : read_commit_files(w.repo, "stripped"))
        BOOST_TEST(!facts.ima.has_value(), path);
}

BOOST_AUTO_TEST_CASE(softhsm_keys_sign_verity)
{
    World &w = world();
    for (const std::string label : {"rsa2048", "ec-p256"}) {
        BOOST_TEST_CONTEXT(label)
        {
            const std::string ref = "hsm-verity-" + label;
            const Result r = ostree_ima({"sign", "--key=" + SoftHsmToken::uri(label),
                                         "--pin-file=" + w.token.pin_file,
                                         "--cert=" + w.token.cert(label), "--verity", "main", ref},
                                        w.token.env);
            BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
            check_verity_signatures(ref, w.token.cert(label));
            BOOST_TEST(verify(ref, w.token.cert(label), {"--verity"}).exit_code == 0);
        }
    }
}

// digests --verity -> sign-digests -> apply writes the commit sign --verity
// writes (RSA signatures are deterministic); the manifest and the signatures
// file say the format (version 4), v2 ones keep version 3 without the field,
// and a file whose version and signature_format disagree is refused.
BOOST_AUTO_TEST_CASE(signing_room_round_trip_with_verity)
{
    World &w = world();
    const KeyPair &k = w.key("rsa2048");
    TempDir dir;
    const std::string manifest = dir / "digests.json";
    const std::string signatures = dir / "signatures.json";
    Result r = ostree_ima({"digests", "--verity", "--cert=" + k.cert_der, "-o", manifest, "main"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("sha256 digests of fs-verity file ids") != std::string::npos, r.err);
    const std::string text = sh_ok("cat " + quote(manifest));
    BOOST_TEST(text.find("\"version\": 4") != std::string::npos, text);
    BOOST_TEST(text.find("\"signature_format\": \"verity\"") != std::string::npos, text);
    r = run({binary(), "sign-digests", "--yes", "-o", signatures, "--key=" + k.key_pem,
             "--cert=" + k.cert_pem, "--audit-log=" + (dir / "audit.jsonl"), manifest});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    // The summary the signer confirms names the format.
    BOOST_TEST(r.err.find("\n  format       verity (fs-verity") != std::string::npos, r.err);
    BOOST_TEST(json::parse(sh_ok("cat " + quote(dir / "audit.jsonl")))["signature_format"] ==
               "verity");
    BOOST_TEST(sh_ok("cat " + quote(signatures)).find("\"signature_format\":") !=
               std::string::npos);
    r = ostree_ima({"apply", "--json", "--cert=" + k.cert_der, "--signatures=" + signatures, "main",
                    "room-verity"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(json::parse(r.out)["signature_format"] == "verity");
    check_verity_signatures("room-verity", k.cert_der);
    r = ostree_ima({"sign", "--key=" + k.key_pem, "--cert=" + k.cert_der, "--verity", "main",
                    "direct-verity"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    // The same security.ima everywhere (the commits differ by their ref binding).
    const auto room = read_commit_files(w.repo, "room-verity");
    const auto direct = read_commit_files(w.repo, "direct-verity");
    BOOST_REQUIRE_EQUAL(room.size(), direct.size());
    for (const auto &[path, facts] : room)
        BOOST_TEST((facts.ima == direct.at(path).ima), path);

    // A v2 manifest is version 3 without the field, as before.
    const std::string v2 = dir / "v2.json";
    BOOST_REQUIRE(ostree_ima({"digests", "--cert=" + k.cert_der, "-o", v2, "main"}).exit_code == 0);
    const std::string v2_text = sh_ok("cat " + quote(v2));
    BOOST_TEST(v2_text.find("\"version\": 3") != std::string::npos);
    BOOST_TEST(v2_text.find("signature_format") == std::string::npos);

    // Version and format must agree: a version 3 manifest claiming verity,
    // and a version 4 one without the field, are refused.
    sh_ok("sed 's/\"version\": 4/\"version\": 3/' " + quote(manifest) + " > " +
          quote(dir / "v3-verity.json"));
    sh_ok("sed '/signature_format/d; s/\"reuse\": \\[\\],/\"reuse\": []/' " + quote(manifest) +
          " > " + quote(dir / "v4-none.json"));
    for (const std::string bad : {"v3-verity.json", "v4-none.json"}) {
        const Result s = run({binary(), "sign-digests", "--yes", "-o", dir / "x.json",
                              "--key=" + k.key_pem, "--cert=" + k.cert_pem, dir / bad});
        BOOST_TEST(s.exit_code != 0, bad);
        BOOST_TEST(s.err.find("not a valid digest manifest") != std::string::npos, bad << s.err);
    }
}

// A file whose content is itself an fs-verity file id (0x06, sha256, a
// digest): its v2 signature would sign exactly what a sigv3 signature of
// every file with that fs-verity digest signs, and the kernel tells the two
// apart by the type byte alone. v2 signing refuses it (sign and digests,
// naming the object; the ref stays); a verity signature of it is harmless.
BOOST_AUTO_TEST_CASE(content_that_is_a_verity_file_id_is_not_v2_signed)
{
    World &w = world();
    const KeyPair &k = w.key("rsa2048");
    TempDir scratch;
    const std::string tree = scratch / "tree";
    sh_ok("cp -a " + quote(w.tree) + " " + quote(tree) + " && printf 'payload\\n' > " +
          quote(scratch / "payload") + " && { printf '\\006\\004'; fsverity digest --compact " +
          quote(scratch / "payload") + " | xxd -r -p; } > " + quote(tree + "/id-of-payload"));
    BOOST_REQUIRE_EQUAL(read_text(tree + "/id-of-payload").size(), 34U);
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b planted --tree=dir=" + quote(tree));
    const std::string object = sh_ok("ostree ls --repo=" + quote(w.repo) +
                                     " -C planted /id-of-payload | awk '{print $5}'"
                                     " | tr -d '\\n'");
    BOOST_REQUIRE_EQUAL(object.size(), 64U);

    const Result r =
        ostree_ima({"sign", "--key=" + k.key_pem, "--cert=" + k.cert_der, "planted", "planted-v2"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("/id-of-payload (object " + object +
                          "): its content is an fs-verity file id") != std::string::npos,
               r.err);
    BOOST_TEST(sh("ostree rev-parse --repo=" + quote(w.repo) + " planted-v2").exit_code != 0);
    const Result d =
        ostree_ima({"digests", "--cert=" + k.cert_der, "-o", scratch / "digests.json", "planted"});
    BOOST_TEST(d.exit_code == 1);
    BOOST_TEST(d.err.find("fs-verity file id") != std::string::npos, d.err);

    // The signing key's own signature already on it, with another hash
    // algorithm than the run's: not kept either (issue #19 part 1).
    const std::string kept = scratch / "kept";
    sh_ok("cp -a " + quote(tree) + " " + quote(kept) + " && evmctl ima_sign --key " +
          quote(k.key_pem) + " -a sha512 " + quote(kept + "/id-of-payload") + " >/dev/null");
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b planted-kept --tree=dir=" + quote(kept));
    const Result k512 = ostree_ima(
        {"sign", "--key=" + k.key_pem, "--cert=" + k.cert_der, "planted-kept", "planted-kept-v2"});
    BOOST_TEST(k512.exit_code == 1, k512.err);
    BOOST_TEST(k512.err.find("/id-of-payload (object ") != std::string::npos, k512.err);
    BOOST_TEST(k512.err.find("fs-verity file id") != std::string::npos, k512.err);
    BOOST_TEST(sh("ostree rev-parse --repo=" + quote(w.repo) + " planted-kept-v2").exit_code != 0);

    // One byte more or less, or another type byte, is ordinary content.
    sh_ok("printf x >> " + quote(tree + "/id-of-payload"));
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b planted-long --tree=dir=" + quote(tree));
    const Result longer = ostree_ima(
        {"sign", "--key=" + k.key_pem, "--cert=" + k.cert_der, "planted-long", "planted-long"});
    BOOST_TEST(longer.exit_code == 0, longer.err);

    const Result v = ostree_ima({"sign", "--key=" + k.key_pem, "--cert=" + k.cert_der, "--verity",
                                 "planted", "planted-verity"});
    BOOST_TEST(v.exit_code == 0, v.err);
}
