// The release-signing room: `digests` (build host) -> `sign-digests`
// (signing room) -> `apply` (build host) -> `verify`; apply equals a direct
// `sign`; every tampered or foreign file is refused before anything is
// written; manifests and signature files are parsed strictly.
#define BOOST_TEST_MODULE signing_room
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "ima/signature_size.hpp"
#include "ostree-ima/digest_manifest.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/signature_file.hpp"
#include "text_files.hpp"
#include "tokens.hpp"
#include "util/text_encoding.hpp"
#include "workspace.hpp"

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace test_support;
using nlohmann::json;

namespace {

json read_json(const std::string &path)
{
    return json::parse(read_text(path));
}

void write_json(const std::string &path, const json &j)
{
    write_text(path, j.dump(2));
}

struct World : Workspace {
    const KeyPair &rsa = key("rsa"), &ec = key("ec", "ec:P-256"), &other = key("other");
    KeyPair impostor;
    std::string tree, repo, main, main2;
    World()
    {
        // `other`'s key in a certificate claiming rsa's key id.
        impostor = other;
        impostor.cert_pem = dir / "impostor.cert.pem";
        const std::string skid =
            sh_ok("openssl x509 -in " + quote(rsa.cert_pem) +
                  " -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' \\n'");
        sh_ok("openssl req -new -x509 -key " + quote(other.key_pem) +
              " -subj '/CN=impostor' -addext subjectKeyIdentifier=" + skid + " -days 30 -out " +
              quote(impostor.cert_pem) + " 2>&1");
        tree = standard_tree(other);
        repo = Workspace::repo("archive", tree);
        main = rev_parse(repo, "main");
        // A second commit: one file changed.
        sh_ok("cp -a " + quote(tree) + " " + quote(dir / "tree2") + " && echo v2 > " +
              quote(dir / "tree2/etc/hello.conf") + " && ostree commit --repo=" + quote(repo) +
              " --branch=main2 --tree=dir=" + quote(dir / "tree2") + " >/dev/null");
        main2 = rev_parse(repo, "main2");
    }
};

World &world()
{
    static World w;
    return w;
}

Result digests(const std::string &rev, const std::string &out,
               const std::vector<std::string> &extra = {})
{
    std::vector<std::string> argv = {binary(), "digests", "--repo=" + world().repo, "-o", out};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(rev);
    return run(argv);
}

Result sign_digests(const std::string &manifest, const std::string &out,
                    const std::vector<std::string> &key_args,
                    const std::vector<std::string> &extra = {},
                    const std::map<std::string, std::string> &env = {})
{
    std::vector<std::string> argv = {binary(), "sign-digests", "--yes", "-o", out};
    argv.insert(argv.end(), key_args.begin(), key_args.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(manifest);
    return run(argv, env);
}

std::vector<std::string> file_key(const KeyPair &k)
{
    return {"--key=" + k.key_pem, "--cert=" + k.cert_pem};
}

Result apply(const std::string &cert, const std::string &signatures, const std::string &rev,
             const std::string &target)
{
    std::vector<std::string> argv = {
        binary(), "apply", "--repo=" + world().repo, "--cert=" + cert, "--signatures=" + signatures,
        rev};
    if (!target.empty())
        argv.push_back(target);
    return run(argv);
}

std::string direct_sign(const std::vector<std::string> &key_args,
                        const std::vector<std::string> &extra, const std::string &target,
                        const std::map<std::string, std::string> &env = {})
{
    std::vector<std::string> argv = {binary(), "sign", "--repo=" + world().repo};
    argv.insert(argv.end(), key_args.begin(), key_args.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("main");
    argv.push_back(target);
    const Result r = run(argv, env);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return trimmed(r.out);
}

// digests -> sign-digests -> apply; returns the applied commit.
std::string round_trip(const TempDir &dir, const std::vector<std::string> &key_args,
                       const std::string &cert, const std::vector<std::string> &digest_args,
                       const std::string &target,
                       const std::map<std::string, std::string> &env = {})
{
    const std::string manifest = dir / (target + ".digests.json");
    const std::string signatures = dir / (target + ".signatures.json");
    const Result d = digests("main", manifest, digest_args);
    BOOST_REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    const Result s = sign_digests(manifest, signatures, key_args, {}, env);
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    const Result a = apply(cert, signatures, "main", target);
    BOOST_REQUIRE_MESSAGE(a.exit_code == 0, a.err);
    BOOST_TEST(rev_parse(world().repo, target) == trimmed(a.out));
    return trimmed(a.out);
}

} // namespace

BOOST_AUTO_TEST_SUITE(round_trips)

BOOST_AUTO_TEST_CASE(rsa_file_key_gives_the_commit_sign_gives)
{
    World &w = world();
    TempDir dir;
    const std::string manifest = dir / "digests.json";
    const std::string signatures = dir / "signatures.json";
    const std::string audit = dir / "audit.log";
    // With the signing key's certificate, digests leaves out exactly what
    // sign keeps.
    const Result d = digests("main", manifest, {"--cert=" + w.rsa.cert_pem});
    BOOST_REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    BOOST_TEST(d.out.empty());
    const json m = read_json(manifest);
    BOOST_TEST(m["format"] == "ostree-ima-digests");
    BOOST_TEST(m["version"] == 3);
    BOOST_TEST(m["commit"] == w.main);
    BOOST_TEST(m["hash"] == "sha256");
    // 9 regular files; hello.conf is one object at 3 paths; presigned (by
    // another key) is kept.
    BOOST_TEST(m["digests"].size() == 6u);
    BOOST_TEST(m["digests"][0]["paths"].size() == 3u);

    const Result s = sign_digests(manifest, signatures, file_key(w.rsa), {"--audit-log=" + audit});
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    BOOST_TEST(s.err.find("digests      6 (8 files)") != std::string::npos, s.err);
    BOOST_TEST(s.err.find("certificate  CN = ostree-ima test rsa") != std::string::npos);
    const json sig = read_json(signatures);
    BOOST_TEST(m["selection"]["signer_key_id"] == sig["key_id"]);
    BOOST_TEST(sig["manifest"]["commit"] == w.main);
    BOOST_TEST(sig["manifest"]["sha256"] ==
               trimmed(sh_ok("sha256sum " + quote(manifest) + " | cut -c1-64")));
    BOOST_TEST(sig["signatures"].size() == 6u);
    BOOST_TEST(!sig["certificate"].is_null());

    const Result a = apply(w.rsa.cert_der, signatures, "main", "applied");
    BOOST_REQUIRE_MESSAGE(a.exit_code == 0, a.err);
    // RSA PKCS#1 v1.5 is deterministic: byte for byte the commit of `sign`.
    BOOST_TEST(trimmed(a.out) == direct_sign(file_key(w.rsa), {}, "applied"));
    const Result v = run({binary(), "verify", "--repo=" + w.repo, "--cert=" + w.rsa.cert_der,
                          "--cert=" + w.other.cert_der, "--require-all", "applied"});
    BOOST_TEST(v.exit_code == 0, v.out);

    // The audit log: one JSON line per run.
    const std::string log = read_text(audit);
    BOOST_TEST(std::count(log.begin(), log.end(), '\n') == 1);
    const json line = json::parse(log);
    BOOST_TEST(line["commit"] == w.main);
    BOOST_TEST(line["signatures"] == 6);
    BOOST_TEST(line["key"] == w.rsa.key_pem);
    BOOST_TEST(line["key_id"] == sig["key_id"]);
    BOOST_TEST(line["manifest_sha256"] == sig["manifest"]["sha256"]);
    BOOST_TEST(line["user"].get<std::string>().size() > 0u);
    BOOST_TEST(line["host"].get<std::string>().size() > 0u);
    const std::string time = line["time"];
    BOOST_TEST((time.size() == 20u && time[10] == 'T' && time.back() == 'Z'), time);
    require_fsck(w.repo);
}

BOOST_AUTO_TEST_CASE(ec_key_and_sha384_verify_with_evmctl)
{
    World &w = world();
    TempDir dir;
    const std::string commit =
        round_trip(dir, file_key(w.ec), w.ec.cert_pem, {"--hash=sha384"}, "ec-applied");
    const Result v = run({binary(), "verify", "--repo=" + w.repo, "--cert=" + w.ec.cert_der,
                          "--cert=" + w.other.cert_der, "--require-all", commit});
    BOOST_TEST(v.exit_code == 0, v.out);
    const auto failures = evmctl_verify_checkout(w.repo, commit, w.ec.cert_der, dir.path());
    BOOST_REQUIRE_EQUAL(failures.size(), 1u); // the file pre-signed with `other`
    BOOST_TEST(failures[0].find("./usr/bin/presigned") == 0u);
    BOOST_TEST(read_commit_files(w.repo, commit).at("/etc/hello.conf").ima->at(2) == 5); // sha384
}

BOOST_AUTO_TEST_CASE(selectors_and_overwrite_match_sign)
{
    World &w = world();
    TempDir dir;
    const std::vector<std::string> selectors = {"--include=/usr/bin/*", "--exclude=/usr/bin/tool",
                                                "--overwrite"};
    const std::string applied =
        round_trip(dir, file_key(w.rsa), w.rsa.cert_pem, selectors, "bin-applied");
    BOOST_TEST(applied == direct_sign(file_key(w.rsa), selectors, "bin-applied"));
    const json m = read_json(dir / "bin-applied.digests.json");
    BOOST_TEST(m["selection"]["include"] == json::array({"/usr/bin/*"}));
    BOOST_TEST(m["selection"]["overwrite"] == true);
    BOOST_TEST(m["digests"].size() == 2u); // special, presigned (overwritten)

    const std::string x =
        round_trip(dir, file_key(w.rsa), w.rsa.cert_pem, {"--executables-only"}, "x-applied");
    BOOST_TEST(x == direct_sign(file_key(w.rsa), {"--executables-only"}, "x-applied"));
    const auto files = read_commit_files(w.repo, x);
    BOOST_TEST(files.at("/usr/bin/tool").ima.has_value());
    BOOST_TEST(!files.at("/etc/hello.conf").ima.has_value());
}

BOOST_AUTO_TEST_CASE(pkcs11_token_key)
{
    TempDir dir;
    const SoftHsmToken token; // softhsm-fixtures/make-token.sh
    const std::string uri = SoftHsmToken::uri("rsa2048");
    const std::vector<std::string> key = {"--key=" + uri, "--pin-file=" + token.pin_file};
    const std::string applied =
        round_trip(dir, key, token.cert("rsa2048"), {}, "p11-applied", token.env);
    BOOST_TEST(applied == direct_sign(key, {}, "p11-applied", token.env));

    // A PIN in the URI never reaches the audit log.
    const std::string audit = dir / "audit.log";
    const std::string pin = trimmed(read_text(token.pin_file));
    const Result s =
        sign_digests(dir / "p11-applied.digests.json", dir / "again.json",
                     {"--key=" + uri + "&pin-value=" + pin}, {"--audit-log=" + audit}, token.env);
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    const json line = json::parse(read_text(audit));
    BOOST_TEST(line["key"] == uri);
    BOOST_TEST(read_text(audit).find("pin-value") == std::string::npos);
    BOOST_TEST(line["key_id"] == read_json(dir / "again.json")["key_id"]);
    // RSA on the token is deterministic too.
    BOOST_TEST(read_json(dir / "again.json")["signatures"] ==
               read_json(dir / "p11-applied.signatures.json")["signatures"]);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refusals)

namespace {
// A good manifest and signatures file of `main`, and a target ref that must
// not move.
struct Good {
    TempDir dir;
    std::string manifest = dir / "digests.json";
    std::string signatures = dir / "signatures.json";
    std::string before;
    Good()
    {
        BOOST_REQUIRE(digests("main", manifest).exit_code == 0);
        BOOST_REQUIRE(sign_digests(manifest, signatures, file_key(world().rsa)).exit_code == 0);
        (void)sh("ostree refs --repo=" + quote(world().repo) + " --create=release main2");
        before = rev_parse(world().repo, "release");
    }
};

// Made once: the cases only read it (and check that `release` never moves).
const Good &good()
{
    static const Good g;
    return g;
}

// apply must fail with `needle`, write nothing, leave the ref.
void expect_refused(const Good &g, const std::string &signatures, const std::string &needle,
                    const std::string &cert = world().rsa.cert_der)
{
    const Result r = apply(cert, signatures, "main", "release");
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find(needle) != std::string::npos,
               "stderr lacks '" << needle << "': " << r.err);
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(rev_parse(world().repo, "release") == g.before);
}

// Signs an edited copy of the good manifest, as a careless or hostile
// signing room would, and returns the signatures file.
std::string sign_edited(const Good &g, const std::string &name,
                        const std::function<void(json &)> &edit)
{
    json m = read_json(g.manifest);
    edit(m);
    const std::string manifest = g.dir / (name + ".digests.json");
    const std::string out = g.dir / (name + ".signatures.json");
    write_json(manifest, m);
    const Result s = sign_digests(manifest, out, file_key(world().rsa));
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    return out;
}
} // namespace

BOOST_AUTO_TEST_CASE(tampered_manifests)
{
    const Good &g = good();
    const std::string changed = sign_edited(g, "changed", [](json &m) {
        std::string d = m["digests"][1]["digest"];
        d[0] = d[0] == '0' ? '1' : '0';
        m["digests"][1]["digest"] = d;
    });
    expect_refused(g, changed, "has no signature for ");
    const std::string removed =
        sign_edited(g, "removed", [](json &m) { m["digests"].erase(m["digests"].begin() + 2); });
    expect_refused(g, removed, "has no signature for ");
    // Same digests, but the manifest listed a path the commit does not have.
    const std::string extra_path = sign_edited(g, "extra-path", [](json &m) {
        m["digests"][0]["paths"].push_back("/usr/bin/not-in-the-commit");
    });
    expect_refused(g, extra_path, "was made for another manifest of this commit");
    // A digest the commit does not have, in addition to all the right ones.
    const std::string added = sign_edited(g, "added", [](json &m) {
        m["digests"].push_back({{"digest", std::string(64, 'a')}, {"paths", {"/x"}}});
    });
    expect_refused(g, added, "which no selected file of the commit has");
    require_fsck(world().repo);
}

BOOST_AUTO_TEST_CASE(another_commit)
{
    const Good &g = good();
    const std::string manifest = g.dir / "main2.json";
    const std::string signatures = g.dir / "main2.signatures.json";
    BOOST_REQUIRE(digests("main2", manifest).exit_code == 0);
    BOOST_REQUIRE(sign_digests(manifest, signatures, file_key(world().rsa)).exit_code == 0);
    expect_refused(g, signatures, "is for commit " + world().main2 + ", not main");
}

BOOST_AUTO_TEST_CASE(signatures_from_another_key)
{
    const Good &g = good();
    World &w = world();
    const std::string foreign = g.dir / "foreign.json";
    BOOST_REQUIRE(sign_digests(g.manifest, foreign, file_key(w.other)).exit_code == 0);
    expect_refused(g, foreign, "was signed with key id ");
    // The other key under rsa's key id, with its own certificate in the file...
    const std::string impostor = g.dir / "impostor.json";
    const Result s = sign_digests(g.manifest, impostor, file_key(w.impostor));
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    BOOST_TEST(read_json(impostor)["key_id"] == read_json(g.signatures)["key_id"]);
    expect_refused(g, impostor, "carries the certificate of another key (CN = impostor)");
    // ...or without it: the signatures themselves do not verify.
    json j = read_json(impostor);
    j["certificate"] = nullptr;
    write_json(impostor, j);
    expect_refused(g, impostor, "does not verify against " + w.rsa.cert_der);
    // The right file with the wrong certificate.
    expect_refused(g, g.signatures, "was signed with key id ", w.other.cert_pem);
}

BOOST_AUTO_TEST_CASE(altered_signature_or_identity)
{
    const Good &g = good();
    json j = read_json(g.signatures);
    auto sig = *ostree_ima::from_base64(j["signatures"][3]["signature"].get<std::string>());
    sig[10] ^= 0x01;
    j["signatures"][3]["signature"] = ostree_ima::to_base64(sig);
    const std::string flipped = g.dir / "flipped.json";
    write_json(flipped, j);
    expect_refused(g, flipped, "does not verify against");

    j = read_json(g.signatures);
    j["manifest"]["sha256"] = std::string(64, '0');
    const std::string other_manifest = g.dir / "other-manifest.json";
    write_json(other_manifest, j);
    expect_refused(g, other_manifest, "was made for another manifest of this commit");

    // Another algorithm: the digests no longer have the right size.
    j = read_json(g.signatures);
    j["manifest"]["hash"] = "sha512";
    const std::string other_hash = g.dir / "other-hash.json";
    write_json(other_hash, j);
    expect_refused(g, other_hash, "but a sha512 digest has 64");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sign_digests_guards)

BOOST_AUTO_TEST_CASE(confirmation_on_a_terminal)
{
    World &w = world();
    TempDir dir;
    const std::string manifest = dir / "digests.json";
    BOOST_REQUIRE(digests("main", manifest, {"--cert=" + w.rsa.cert_pem}).exit_code == 0);
    const std::string base = quote(binary()) + " sign-digests --key=" + quote(w.rsa.key_pem) +
                             " --cert=" + quote(w.rsa.cert_pem) + " " + quote(manifest) + " -o ";

    // No terminal and no --yes: refused before the key is even opened.
    const Result no_tty = sh(base + quote(dir / "a.json") + " </dev/null");
    BOOST_TEST(no_tty.exit_code == 2);
    BOOST_TEST(no_tty.err.find("pass --yes for unattended signing") != std::string::npos);
    BOOST_TEST(!std::ifstream(dir / "a.json").good());

    // On a terminal (script(1) gives it one): "n" refuses, "y" signs.
    const Result no =
        sh("printf 'n\\n' | script -qec " + quote(base + quote(dir / "n.json")) + " /dev/null");
    BOOST_TEST(no.exit_code == 1);
    BOOST_TEST(no.out.find("Sign 6 digests with this key? [y/N]") != std::string::npos, no.out);
    BOOST_TEST(no.out.find("not confirmed; nothing was signed") != std::string::npos);
    BOOST_TEST(!std::ifstream(dir / "n.json").good());
    const Result yes =
        sh("printf 'y\\n' | script -qec " + quote(base + quote(dir / "y.json")) + " /dev/null");
    BOOST_TEST(yes.exit_code == 0, yes.out);
    BOOST_TEST(read_json(dir / "y.json")["signatures"].size() == 6u);
}

BOOST_AUTO_TEST_CASE(unwritable_audit_log_signs_nothing)
{
    World &w = world();
    TempDir dir;
    const std::string manifest = dir / "digests.json";
    BOOST_REQUIRE(digests("main", manifest).exit_code == 0);
    const Result r =
        sign_digests(manifest, dir / "s.json", file_key(w.rsa), {"--audit-log=" + dir.path()});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("cannot open audit log") != std::string::npos, r.err);
    BOOST_TEST(!std::ifstream(dir / "s.json").good());
}

BOOST_AUTO_TEST_CASE(bad_manifest_files)
{
    World &w = world();
    TempDir dir;
    const std::string truncated = dir / "truncated.json";
    BOOST_REQUIRE(digests("main", dir / "good.json").exit_code == 0);
    write_text(truncated, read_text(dir / "good.json").substr(0, 300));
    const Result r = sign_digests(truncated, dir / "s.json", file_key(w.rsa));
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find(truncated + " is not a valid digest manifest: not valid JSON") !=
                   std::string::npos,
               r.err);
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
    const Result missing = sign_digests(dir / "none.json", dir / "s.json", file_key(w.rsa));
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.err.find("cannot read manifest") != std::string::npos);
    // A signatures file is not a manifest, and the other way round.
    BOOST_REQUIRE(sign_digests(dir / "good.json", dir / "s.json", file_key(w.rsa)).exit_code == 0);
    const Result swapped = sign_digests(dir / "s.json", dir / "t.json", file_key(w.rsa));
    BOOST_TEST(swapped.err.find("its format is 'ostree-ima-signatures', not "
                                "'ostree-ima-digests'") != std::string::npos,
               swapped.err);
    const Result swapped2 = apply(w.rsa.cert_der, dir / "good.json", "main", "");
    BOOST_TEST(swapped2.exit_code == 1);
    BOOST_TEST(swapped2.err.find("is not a valid signatures file: its format is") !=
                   std::string::npos,
               swapped2.err);
}

BOOST_AUTO_TEST_SUITE_END()

// The parsers, called directly, as a fuzz target will.
BOOST_AUTO_TEST_SUITE(formats)

namespace {
const std::string kCommit(64, 'c');
const std::string kDigestA(64, 'a');
const std::string kDigestB(64, 'b');

json good_manifest()
{
    return {{"format", "ostree-ima-digests"},
            {"version", 3},
            {"commit", kCommit},
            {"hash", "sha256"},
            {"selection",
             {{"include", json::array()},
              {"exclude", json::array({"/etc/**"})},
              {"executables_only", false},
              {"overwrite", false},
              {"signer_key_id", nullptr},
              {"reuse", json::array()}}},
            {"digests",
             {{{"digest", kDigestA}, {"paths", {"/usr/bin/a", "/usr/bin/a2"}}},
              {{"digest", kDigestB}, {"paths", {"/usr/bin/b"}}}}}};
}

json good_signatures()
{
    return {{"format", "ostree-ima-signatures"},
            {"version", 3},
            {"manifest",
             {{"commit", kCommit},
              {"hash", "sha256"},
              {"sha256", std::string(64, 'e')},
              {"selection",
               {{"include", json::array()},
                {"exclude", json::array()},
                {"executables_only", true},
                {"overwrite", false},
                {"signer_key_id", "0a0b0c0d"},
                {"reuse", json::array()}}}}},
            {"key_id", "0a0b0c0d"},
            {"certificate", nullptr},
            {"signatures", {{{"digest", kDigestA}, {"signature", "AAEC"}}}}};
}

// The parse must throw ostree_ima::Error whose text holds `needle`.
template <typename Parse>
void expect_rejected(Parse parse, const std::string &text, const std::string &needle)
{
    try {
        (void)parse(text, "f.json");
        BOOST_ERROR("accepted: " << text.substr(0, 200));
    } catch (const ostree_ima::Error &e) {
        const std::string what = e.what();
        BOOST_TEST(what.find(needle) != std::string::npos, "'" << needle << "' not in: " << what);
        BOOST_TEST(what.find('\n') == std::string::npos);
    }
}

void expect_manifest_rejected(const json &j, const std::string &needle)
{
    expect_rejected(ostree_ima::parse_digest_manifest, j.dump(), needle);
}

void expect_signatures_rejected(const json &j, const std::string &needle)
{
    expect_rejected(ostree_ima::parse_signature_file, j.dump(), needle);
}
} // namespace

BOOST_AUTO_TEST_CASE(manifest_round_trip_is_canonical)
{
    const auto m = ostree_ima::parse_digest_manifest(good_manifest().dump(), "m");
    BOOST_TEST(m.entries.size() == 2u);
    BOOST_TEST(m.entries[0].paths.size() == 2u);
    BOOST_TEST(m.selection.selector.exclude_globs() == std::vector<std::string>({"/etc/**"}));
    const std::string text = ostree_ima::serialize_digest_manifest(m);
    BOOST_TEST(ostree_ima::serialize_digest_manifest(
                   ostree_ima::parse_digest_manifest(text, "m")) == text);
    const auto s = ostree_ima::parse_signature_file(good_signatures().dump(), "s");
    BOOST_TEST(s.signatures.at(0).signature == std::vector<std::uint8_t>({0, 1, 2}));
    BOOST_TEST(s.manifest.selection.selector.executables_only());
    const std::string stext = ostree_ima::serialize_signature_file(s);
    BOOST_TEST(ostree_ima::serialize_signature_file(ostree_ima::parse_signature_file(stext, "s")) ==
               stext);
}

BOOST_AUTO_TEST_CASE(malformed_manifests_are_refused_clearly)
{
    auto with = [](const std::function<void(json &)> &edit) {
        json j = good_manifest();
        edit(j);
        return j;
    };
    const auto parse = ostree_ima::parse_digest_manifest;
    expect_rejected(parse, "", "f.json is not a valid digest manifest: empty");
    expect_rejected(parse, "{", "not valid JSON");
    expect_rejected(parse, "[]", "the document must be an object, not array");
    expect_rejected(parse, std::string(100000, '[') + std::string(100000, ']'),
                    "nested deeper than 8 levels");
    expect_rejected(parse, R"({"format":"ostree-ima-digests","format":"x"})",
                    "key 'format' appears twice");
    expect_rejected(parse, "\"\xff\"", "not valid JSON");
    expect_manifest_rejected(with([](json &j) { j["version"] = 2; }),
                             "it is version 2, this ostree-ima reads versions 3 to 4");
    expect_manifest_rejected(with([](json &j) { j["version"] = -1; }),
                             "version must be a non-negative integer, not -1");
    expect_manifest_rejected(with([](json &j) { j["version"] = "1"; }),
                             "version must be a non-negative integer, not string");
    expect_rejected(parse, R"({"format":"ostree-ima-digests","version":1e400})", "not valid JSON");
    expect_rejected(parse, R"({"format":"ostree-ima-digests","version":18446744073709551616})",
                    "must be a non-negative integer");
    expect_manifest_rejected(with([](json &j) { j.erase("commit"); }), "field 'commit' is missing");
    expect_manifest_rejected(with([](json &j) { j["commit"] = std::string(63, 'c'); }),
                             "is not a commit checksum (64 lowercase hex digits)");
    expect_manifest_rejected(with([](json &j) { j["commit"] = std::string(64, 'C'); }),
                             "is not a commit checksum");
    expect_manifest_rejected(with([](json &j) { j["commit"] = std::string(10000, 'c'); }),
                             "commit is longer than 64 bytes");
    expect_manifest_rejected(with([](json &j) { j["hash"] = "md5"; }),
                             "unsupported hash algorithm 'md5'");
    expect_manifest_rejected(with([](json &j) { j["surprise"] = 1; }), "unknown field 'surprise'");
    expect_manifest_rejected(with([](json &j) { j["digests"][0]["size"] = 1; }),
                             "unknown field 'digests[0].size'");
    expect_manifest_rejected(with([](json &j) { j["digests"] = json::object(); }),
                             "digests must be an array, not object");
    expect_manifest_rejected(with([](json &j) { j["digests"][1]["digest"] = "zz"; }),
                             "digests[1].digest 'zz' is not lowercase hex");
    expect_manifest_rejected(
        with([](json &j) { j["digests"][1]["digest"] = std::string(62, 'b'); }),
        "has 31 bytes, but a sha256 digest has 32");
    expect_manifest_rejected(with([](json &j) { j["digests"][1]["digest"] = kDigestA; }),
                             "digests[1].digest " + kDigestA + " is listed twice");
    expect_manifest_rejected(with([](json &j) { j["digests"][1]["paths"] = json::array(); }),
                             "digests[1].paths is empty");
    expect_manifest_rejected(with([](json &j) { j["digests"][1]["paths"] = {"usr/x"}; }),
                             "is not an absolute path in the commit");
    expect_manifest_rejected(with([](json &j) { j["digests"][1]["paths"] = {"/usr/bin/a"}; }),
                             "'/usr/bin/a' is listed twice");
    // Another spelling of a path: each refused, naming the entry.
    for (const std::string path : {"/usr/bin/../b", "/usr/./bin/b", "/usr//bin/b", "/usr/bin/", "/",
                                   "/..", "/usr/bin/.", "//usr/bin/b"})
        expect_manifest_rejected(with([&](json &j) { j["digests"][1]["paths"] = {path}; }),
                                 "digests[1].paths[0] '" + path +
                                     "' has an empty, '.' or '..' component");
    // Names that only look like them are names.
    for (const std::string path : {"/usr/bin/..b", "/usr/.bin/b", "/usr/bin/b.", "/.../b"}) {
        json j = good_manifest();
        j["digests"][1]["paths"] = {path};
        BOOST_CHECK_NO_THROW((void)ostree_ima::parse_digest_manifest(j.dump(), "f.json"));
    }
    // -0 is the integer 0 in JSON: read as version 0, never "not 0" about it.
    {
        std::string text = good_manifest().dump();
        const std::string version = "\"version\":3";
        BOOST_REQUIRE(text.find(version) != std::string::npos);
        text.replace(text.find(version), version.size(), "\"version\":-0");
        expect_rejected(parse, text, "it is version 0, this ostree-ima reads versions 3 to 4");
    }
    expect_manifest_rejected(with([](json &j) { j["digests"][1]["paths"] = {5}; }),
                             "digests[1].paths[0] must be a string, not number");
    expect_manifest_rejected(
        with([](json &j) { j["digests"][1]["paths"] = {"/" + std::string(5000, 'p')}; }),
        "is longer than 4096 bytes");
    expect_manifest_rejected(with([](json &j) { j["selection"]["include"] = {"etc"}; }),
                             "selection: --include 'etc' must start with '/'");
    expect_manifest_rejected(with([](json &j) { j["selection"]["overwrite"] = 0; }),
                             "selection.overwrite must be true or false");
}

BOOST_AUTO_TEST_CASE(malformed_signature_files_are_refused_clearly)
{
    auto with = [](const std::function<void(json &)> &edit) {
        json j = good_signatures();
        edit(j);
        return j;
    };
    expect_signatures_rejected(with([](json &j) { j["version"] = 7; }), "it is version 7");
    expect_signatures_rejected(with([](json &j) { j["key_id"] = "0a0b0c"; }),
                               "key_id '0a0b0c' is not 8 lowercase hex digits");
    expect_signatures_rejected(with([](json &j) { j["key_id"] = "0A0B0C0D"; }),
                               "is not 8 lowercase hex digits");
    expect_signatures_rejected(with([](json &j) { j["manifest"]["sha256"] = "abc"; }),
                               "manifest.sha256 is not a SHA-256");
    expect_signatures_rejected(with([](json &j) { j["manifest"].erase("selection"); }),
                               "field 'manifest.selection' is missing");
    expect_signatures_rejected(with([](json &j) { j["certificate"] = "AAEC"; }),
                               "certificate: certificate in the file is not an X.509 certificate");
    expect_signatures_rejected(with([](json &j) { j["certificate"] = "!!!!"; }),
                               "certificate is not canonical base64");
    expect_signatures_rejected(with([](json &j) { j["signatures"][0]["signature"] = ""; }),
                               "signatures[0].signature is empty");
    expect_signatures_rejected(with([](json &j) { j["signatures"][0]["signature"] = "QR=="; }),
                               "is not canonical base64");
    expect_signatures_rejected(with([](json &j) { j["signatures"][0]["signature"] = "AAE"; }),
                               "is not canonical base64");
    expect_signatures_rejected(with([](json &j) {
                                   // Its base64 longer than the limit's (one byte
                                   // over: test_large_signatures).
                                   j["signatures"][0]["signature"] =
                                       ostree_ima::to_base64(std::vector<std::uint8_t>(
                                           ostree_ima::kMaxSignatureBytes + 3));
                               }),
                               "signatures[0].signature is longer than");
    expect_signatures_rejected(with([](json &j) { j["signatures"].push_back(j["signatures"][0]); }),
                               "signatures[1].digest " + kDigestA + " is listed twice");
    expect_signatures_rejected(
        with([](json &j) { j["signatures"][0]["digest"] = kDigestA + "00"; }),
        "has 33 bytes, but a sha256 digest has 32");
}

BOOST_AUTO_TEST_CASE(truncations_and_byte_flips_never_crash)
{
    // Every prefix of a real file, and every byte replaced by a few values:
    // each either parses or throws Error, nothing else.
    const std::string manifest = good_manifest().dump(1);
    const std::string signatures = good_signatures().dump(1);
    std::size_t rejected = 0;
    for (const std::string *text : {&manifest, &signatures}) {
        const bool is_manifest = text == &manifest;
        auto parse = [&](const std::string &t) {
            try {
                if (is_manifest)
                    (void)ostree_ima::parse_digest_manifest(t, "f");
                else
                    (void)ostree_ima::parse_signature_file(t, "f");
            } catch (const ostree_ima::Error &) {
                ++rejected;
            }
        };
        for (std::size_t n = 0; n < text->size(); ++n)
            parse(text->substr(0, n));
        for (std::size_t i = 0; i < text->size(); ++i) {
            for (const char c : {'\0', '"', '{', '9', 'z', '\xc3'}) {
                std::string t = *text;
                t[i] = c;
                parse(t);
            }
        }
    }
    BOOST_TEST(rejected > manifest.size() + signatures.size());
}

BOOST_AUTO_TEST_SUITE_END()
