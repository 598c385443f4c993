// `ostree-ima verify` against `evmctl ima_verify`, file by file, on commits
// built with the ostree CLI from trees whose security.ima was set with evmctl
// and setfattr (valid, unsigned, tampered, foreign key, truncated, forged key
// id, digest-only); and selective `sign` (--include/--exclude/
// --executables-only) checked with verify, libostree and evmctl.
#define BOOST_TEST_MODULE verify
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "text_files.hpp"
#include "workspace.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

using namespace test_support;

namespace {

std::string last_line(const std::string &text)
{
    const std::string t = trimmed(text);
    const auto nl = t.rfind('\n');
    return nl == std::string::npos ? t : t.substr(nl + 1);
}

// A tree with one file per verdict. evmctl signs in place (security.ima);
// `ostree commit` run as root records it.
void make_mixed_tree(const std::string &dir, const KeyPair &rsa, const KeyPair &ec,
                     const KeyPair &other)
{
    const std::string d = quote(dir);
    auto sign = [](const KeyPair &k, const std::string &hash, const std::string &file) {
        return "; evmctl ima_sign --hashalgo " + hash + " --key " + quote(k.key_pem) + " " + file +
               " >/dev/null";
    };
    auto hex_of = [](const std::string &file) {
        return "$(getfattr -n security.ima -e hex " + file + " | sed -n 's/^security.ima=0x//p')";
    };
    sh_ok("set -e; mkdir -p " + d + "/etc " + d + "/usr/bin " + d + "/usr/lib; cd " + d +
          "; printf 'conf\\n' > etc/signed.conf" + sign(rsa, "sha256", "etc/signed.conf") +
          "; printf '#!/bin/sh\\n' > usr/bin/tool; chmod 0755 usr/bin/tool" +
          sign(rsa, "sha256", "usr/bin/tool") + "; ln -s tool usr/bin/tool-link" +
          "; : > usr/lib/empty" + sign(rsa, "sha256", "usr/lib/empty") +
          "; printf 'ec\\n' > usr/lib/ec-signed" + sign(ec, "sha384", "usr/lib/ec-signed") +
          "; printf 'sha1\\n' > usr/lib/sha1-signed" + sign(rsa, "sha1", "usr/lib/sha1-signed") +
          "; cp --preserve=xattr etc/signed.conf usr/lib/signed-copy" +
          "; printf 'none\\n' > usr/lib/unsigned" +
          // Signed, then changed: the signature no longer matches.
          "; printf 'tamper\\n' > usr/lib/tampered" + sign(rsa, "sha256", "usr/lib/tampered") +
          "; printf 'x' >> usr/lib/tampered" +
          // Signed with a key whose certificate is not given.
          "; printf 'foreign\\n' > usr/lib/foreign" + sign(other, "sha256", "usr/lib/foreign") +
          // Header says 256 signature bytes, 100 follow.
          "; printf 'trunc\\n' > usr/lib/truncated" + sign(rsa, "sha256", "usr/lib/truncated") +
          "; v=" + hex_of("usr/lib/truncated") +
          "; setfattr -n security.ima -v 0x$(echo $v | cut -c1-218) usr/lib/truncated" +
          // Another key's signature under our key id: known key, bad signature.
          "; printf 'forged\\n' > usr/lib/forged-keyid" +
          sign(other, "sha256", "usr/lib/forged-keyid") + "; id=$(echo " +
          hex_of("etc/signed.conf") + " | cut -c7-14); v=" + hex_of("usr/lib/forged-keyid") +
          "; setfattr -n security.ima -v 0x$(echo $v | cut -c1-6)$id$(echo $v | cut -c15-) "
          "usr/lib/forged-keyid" +
          // A digest (type 4), not a signature.
          "; printf 'digest\\n' > usr/lib/digest-only; setfattr -n security.ima -v "
          "0x0404$(sha256sum usr/lib/digest-only | cut -c1-64) usr/lib/digest-only");
}

const std::map<std::string, std::string> kExpectedProblems = {
    {"/usr/lib/unsigned", "unsigned"},          {"/usr/lib/tampered", "bad_signature"},
    {"/usr/lib/foreign", "unknown_key"},        {"/usr/lib/truncated", "malformed"},
    {"/usr/lib/forged-keyid", "bad_signature"}, {"/usr/lib/digest-only", "malformed"},
};

struct World : Workspace {
    const KeyPair &rsa = key("rsa"), &ec = key("ec", "ec:P-256"), &other = key("other");
    std::string mixed_tree, plain_tree;
    // Built once: verify only reads them; signing tests add refs of their own.
    std::string mixed_archive, mixed_bare, plain_repo;
    World()
    {
        mixed_tree = dir / "mixed";
        make_mixed_tree(mixed_tree, rsa, ec, other);
        // For selective signing: the same content at a selected and an
        // unselected path, executables and not, libraries at two depths.
        plain_tree =
            tree("plain",
                 "mkdir -p etc usr/bin usr/lib/sub"
                 "; printf 'hello\\n' > etc/hello.conf; cp etc/hello.conf usr/lib/hello-copy"
                 "; printf 'tool\\n' > usr/bin/tool; chmod 0755 usr/bin/tool"
                 "; printf 'data\\n' > usr/bin/data; chmod 0644 usr/bin/data"
                 "; printf 'foo\\n' > usr/lib/libfoo.so.1; printf 'bar\\n' > usr/lib/sub/libbar.so"
                 "; printf 'a\\n' > usr/lib/liba.a; ln -s tool usr/bin/tool-link");
        mixed_archive = repo("archive", mixed_tree);
        mixed_bare = repo("bare", mixed_tree);
        plain_repo = repo("archive", plain_tree);
    }
};

World &world()
{
    static World w;
    return w;
}

Result verify(const std::string &repo, const std::string &rev,
              const std::vector<std::string> &certs, const std::vector<std::string> &extra = {})
{
    std::vector<std::string> argv = {binary(), "verify", "--repo=" + repo};
    for (const auto &c : certs)
        argv.push_back("--cert=" + c);
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(rev);
    return run(argv);
}

// path -> problem name, from `verify --json`; every other checked path is valid.
std::map<std::string, std::string> problems_of(const Result &r)
{
    std::map<std::string, std::string> out;
    const auto j = nlohmann::json::parse(r.out);
    for (const auto &f : j["findings"])
        out[f["path"].get<std::string>()] = f["problem"].get<std::string>();
    return out;
}

// path (as in the commit) -> whether `evmctl ima_verify --key CERTS` accepts
// the checked-out file.
std::map<std::string, bool> evmctl_verdicts(const std::string &repo, const std::string &rev,
                                            const std::vector<std::string> &certs_der,
                                            const std::string &workdir)
{
    std::string keys;
    for (const auto &c : certs_der)
        keys += (keys.empty() ? "" : ",") + c;
    const std::string co = workdir + "/co-" + rev_parse(repo, rev).substr(0, 12);
    sh_ok("rm -rf " + quote(co) + " && ostree checkout --repo=" + quote(repo) + " " + quote(rev) +
          " " + quote(co));
    const std::string out =
        sh_ok("cd " + quote(co) +
              " && find . -type f | while IFS= read -r f; do "
              "if evmctl ima_verify --key " +
              quote(keys) +
              " \"$f\" >/dev/null 2>&1; then echo \"OK $f\"; else echo \"FAIL $f\"; fi; done");
    (void)sh("rm -rf " + quote(co));
    std::map<std::string, bool> verdicts;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        const bool ok = line.rfind("OK ./", 0) == 0;
        verdicts[line.substr(line.find("./") + 1)] = ok;
    }
    return verdicts;
}

std::set<std::string> signed_paths(const std::string &repo, const std::string &rev)
{
    std::set<std::string> out;
    for (const auto &[path, facts] : read_commit_files(repo, rev))
        if (facts.ima)
            out.insert(path);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(against_evmctl)

BOOST_AUTO_TEST_CASE(verdicts_agree_file_by_file)
{
    World &w = world();
    TempDir dir;
    for (const std::string &repo : {w.mixed_archive, w.mixed_bare}) {
        // evmctl counts only regular files; symlinks are not IMA-appraised.
        BOOST_TEST_CONTEXT(repo)
        {
            for (const bool with_other : {false, true}) {
                std::vector<std::string> certs = {w.rsa.cert_der, w.ec.cert_der};
                if (with_other)
                    certs.push_back(w.other.cert_der);
                const Result r = verify(repo, "main", certs, {"--json"});
                BOOST_REQUIRE_MESSAGE(r.exit_code == 1, r.err);
                const auto ours = problems_of(r);
                const auto theirs = evmctl_verdicts(repo, "main", certs, dir.path());
                BOOST_TEST(theirs.size() == 12u);
                BOOST_TEST(nlohmann::json::parse(r.out)["files_checked"].get<std::size_t>() ==
                           theirs.size());
                for (const auto &[path, evmctl_ok] : theirs) {
                    BOOST_TEST_CONTEXT(path << (with_other ? " (with other cert)" : ""))
                    {
                        const bool our_ok = ours.find(path) == ours.end();
                        BOOST_TEST(our_ok == evmctl_ok);
                    }
                }
                // And each for the right reason.
                auto expected = kExpectedProblems;
                if (with_other)
                    expected.erase("/usr/lib/foreign");
                BOOST_TEST(ours == expected);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(text_report_and_summary)
{
    World &w = world();
    const std::string &repo = w.mixed_archive;
    const Result r = verify(repo, "main", {w.rsa.cert_pem, w.ec.cert_der});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.empty(), r.err);
    BOOST_TEST(r.out.find("/usr/lib/tampered: bad_signature: signature (key id ") !=
               std::string::npos);
    BOOST_TEST(r.out.find("/usr/lib/foreign: unknown_key: key id ") != std::string::npos);
    BOOST_TEST(r.out.find("/usr/lib/truncated: malformed: security.ima: signature size field "
                          "says 256 bytes but 100 follow") != std::string::npos);
    // An unsigned file does not fail the run: counted, listed with -v.
    BOOST_TEST(r.out.find("/usr/lib/unsigned: unsigned") == std::string::npos);
    BOOST_TEST(r.out.find("not listed, as they do not fail the run: 1 unsigned (-v lists them)") !=
               std::string::npos);
    const Result verbose = verify(repo, "main", {w.rsa.cert_pem, w.ec.cert_der}, {"-v"});
    BOOST_TEST(verbose.out.find("/usr/lib/unsigned: unsigned") != std::string::npos);
    BOOST_TEST(last_line(r.out) ==
               "checked 12 files: 6 signed, 1 unsigned, 5 invalid; verification FAILED");
    const auto j = nlohmann::json::parse(
        verify(repo, "main", {w.rsa.cert_pem, w.ec.cert_der}, {"--json"}).out);
    BOOST_TEST(j["commit"].get<std::string>() == rev_parse(repo, "main"));
    BOOST_TEST(j["valid"].get<bool>() == false);
    BOOST_TEST(j["files_signed"].get<int>() == 6);
    BOOST_TEST(j["files_unsigned"].get<int>() == 1);
    BOOST_TEST(j["files_invalid"].get<int>() == 5);
    for (const auto &f : j["findings"]) {
        BOOST_TEST(f["object"].get<std::string>().size() == 64u);
        BOOST_TEST(f["fatal"].get<bool>() == (f["problem"] != "unsigned"));
    }
}

BOOST_AUTO_TEST_CASE(required_hash_algorithm)
{
    World &w = world();
    const std::string &repo = w.mixed_archive;
    const Result r =
        verify(repo, "main", {w.rsa.cert_der, w.ec.cert_der}, {"--json", "--hash=sha256"});
    const auto problems = problems_of(r);
    BOOST_TEST(problems.at("/usr/lib/sha1-signed") == "wrong_hash");
    BOOST_TEST(problems.at("/usr/lib/ec-signed") == "wrong_hash");
    BOOST_TEST(problems.count("/etc/signed.conf") == 0u);
    const Result only_sha1 =
        verify(repo, "main", {w.rsa.cert_der}, {"--hash=sha1", "--include=/usr/lib/sha1-signed"});
    BOOST_TEST(only_sha1.exit_code == 0, only_sha1.out);
    const Result bad = verify(repo, "main", {w.rsa.cert_der}, {"--hash=md5"});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(bad.err.find("unsupported hash algorithm 'md5'") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exit_codes)

BOOST_AUTO_TEST_CASE(unsigned_files_fail_only_with_require_all)
{
    World &w = world();
    const std::string &repo = w.plain_repo;
    const Result plain = verify(repo, "main", {w.rsa.cert_der});
    BOOST_TEST(plain.exit_code == 0, plain.out);
    BOOST_TEST(last_line(plain.out) == "checked 7 files: 0 signed, 7 unsigned, 0 invalid");
    const Result strict = verify(repo, "main", {w.rsa.cert_der}, {"--require-all"});
    BOOST_TEST(strict.exit_code == 1);
    BOOST_TEST(last_line(strict.out) == "checked 7 files: 0 signed, 7 unsigned (--require-all), "
                                        "0 invalid; verification FAILED");

    // A commit signed by `sign` verifies completely, in text and JSON.
    const Result s = run({binary(), "sign", "--repo=" + repo, "--key=" + w.ec.key_pem,
                          "--cert=" + w.ec.cert_der, "main", "signed"});
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    const Result ok = verify(repo, "signed", {w.ec.cert_pem}, {"--require-all"});
    BOOST_TEST(ok.exit_code == 0, ok.out);
    BOOST_TEST(trimmed(ok.out) == "checked 7 files: 7 signed, 0 unsigned, 0 invalid");
    const auto j = nlohmann::json::parse(
        verify(repo, "signed", {w.ec.cert_pem}, {"--require-all", "--json", "--jobs=1"}).out);
    BOOST_TEST(j["valid"].get<bool>());
    BOOST_TEST(j["findings"].empty());
    // With the wrong certificate, every file's key id is unknown.
    const Result wrong = verify(repo, "signed", {w.rsa.cert_pem});
    BOOST_TEST(wrong.exit_code == 1);
    BOOST_TEST(last_line(wrong.out) == "checked 7 files: 0 signed, 0 unsigned, 7 invalid; "
                                       "verification FAILED");
}

// The boundary of the exit code: one invalid file among valid ones fails
// the run, in text and in JSON, and the JSON names that one file.
BOOST_AUTO_TEST_CASE(one_invalid_file_among_valid_ones_fails)
{
    World &w = world();
    const std::string &repo = w.mixed_archive;
    const std::vector<std::string> certs = {w.rsa.cert_der, w.ec.cert_der};
    std::vector<std::string> only;
    for (const char *path :
         {"/etc/signed.conf", "/usr/bin/tool", "/usr/lib/empty", "/usr/lib/ec-signed",
          "/usr/lib/sha1-signed", "/usr/lib/signed-copy", "/usr/lib/tampered"})
        only.push_back(std::string("--include=") + path);
    const Result text = verify(repo, "main", certs, only);
    BOOST_TEST(text.exit_code == 1, text.out);
    BOOST_TEST(text.err.empty(), text.err);
    BOOST_TEST(last_line(text.out) ==
               "checked 7 files: 6 signed, 0 unsigned, 1 invalid; verification FAILED");

    std::vector<std::string> as_json = only;
    as_json.emplace_back("--json");
    const Result json = verify(repo, "main", certs, as_json);
    BOOST_TEST(json.exit_code == 1, json.out);
    const auto j = nlohmann::json::parse(json.out);
    BOOST_TEST(j["valid"].get<bool>() == false);
    BOOST_TEST(j["files_signed"].get<int>() == 6);
    BOOST_TEST(j["files_unsigned"].get<int>() == 0);
    BOOST_TEST(j["files_invalid"].get<int>() == 1);
    BOOST_REQUIRE_EQUAL(j["findings"].size(), 1u);
    const auto &finding = j["findings"][0];
    BOOST_TEST(finding["path"].get<std::string>() == "/usr/lib/tampered");
    BOOST_TEST(finding["problem"].get<std::string>() == "bad_signature");
    BOOST_TEST(finding["fatal"].get<bool>() == true);

    // Without the invalid file the same selection passes: the one file is
    // what fails it.
    only.pop_back();
    const Result valid = verify(repo, "main", certs, only);
    BOOST_TEST(valid.exit_code == 0, valid.out);
    BOOST_TEST(last_line(valid.out) == "checked 6 files: 6 signed, 0 unsigned, 0 invalid");
}

BOOST_AUTO_TEST_CASE(certificate_directory_is_a_keyring)
{
    World &w = world();
    TempDir dir;
    const std::string &repo = w.mixed_archive;
    const std::string ring = dir / "keyring";
    sh_ok("mkdir " + quote(ring) + " && cp " + quote(w.rsa.cert_der) + " " + quote(w.ec.cert_pem) +
          " " + quote(ring) + " && touch " + quote(ring + "/.hidden"));
    const Result by_dir = verify(repo, "main", {ring}, {"--json"});
    const Result by_files = verify(repo, "main", {w.rsa.cert_der, w.ec.cert_pem}, {"--json"});
    BOOST_TEST(problems_of(by_dir) == problems_of(by_files));
    sh_ok("echo 'not a certificate' > " + quote(ring + "/README"));
    const Result bad = verify(repo, "main", {ring});
    BOOST_TEST(bad.exit_code == 1);
    BOOST_TEST(bad.err.find(ring + "/README is not an X.509 certificate") != std::string::npos,
               bad.err);
    BOOST_TEST(bad.out.empty());
}

BOOST_AUTO_TEST_CASE(usage_and_input_errors)
{
    World &w = world();
    TempDir dir;
    const std::string &repo = w.plain_repo;
    const Result no_cert = run({binary(), "verify", "--repo=" + repo, "main"});
    BOOST_TEST(no_cert.exit_code == 2);
    BOOST_TEST(no_cert.err.find("--cert") != std::string::npos);
    const Result relative = verify(repo, "main", {w.rsa.cert_der}, {"--include=usr/*"});
    BOOST_TEST(relative.exit_code == 2);
    BOOST_TEST(relative.err.find("--include 'usr/*' must start with '/'") != std::string::npos);
    const Result unknown = verify(repo, "nope", {w.rsa.cert_der});
    BOOST_TEST(unknown.exit_code == 1);
    BOOST_TEST(unknown.err.find("unknown ref or commit 'nope'") != std::string::npos);
    const Result missing = verify(repo, "main", {dir / "none.pem"});
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.err.find("cannot read certificate") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(selective_sign)

BOOST_AUTO_TEST_CASE(include_exclude_and_executables_only)
{
    World &w = world();
    TempDir dir;
    const std::string &repo = w.plain_repo;
    auto sign = [&](const std::vector<std::string> &selectors, const std::string &ref) {
        std::vector<std::string> argv = {binary(),
                                         "sign",
                                         "--json",
                                         "--repo=" + repo,
                                         "--key=" + w.rsa.key_pem,
                                         "--cert=" + w.rsa.cert_der};
        argv.insert(argv.end(), selectors.begin(), selectors.end());
        argv.push_back("main");
        argv.push_back(ref);
        const Result r = run(argv);
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        return nlohmann::json::parse(r.out);
    };
    using Paths = std::set<std::string>;

    // hello.conf and hello-copy are one object: signed at /usr only.
    const auto usr = sign({"--include=/usr/**"}, "usr");
    BOOST_TEST(signed_paths(repo, "usr") ==
               Paths({"/usr/bin/tool", "/usr/bin/data", "/usr/lib/hello-copy",
                      "/usr/lib/libfoo.so.1", "/usr/lib/sub/libbar.so", "/usr/lib/liba.a"}));
    BOOST_TEST(usr["files_signed"].get<int>() == 6);
    const Result usr_ok =
        verify(repo, "usr", {w.rsa.cert_der}, {"--require-all", "--include=/usr/**"});
    BOOST_TEST(usr_ok.exit_code == 0, usr_ok.out);
    const Result usr_all = verify(repo, "usr", {w.rsa.cert_der}, {"--require-all", "--json"});
    BOOST_TEST(usr_all.exit_code == 1);
    BOOST_TEST(problems_of(usr_all) ==
               (std::map<std::string, std::string>{{"/etc/hello.conf", "unsigned"}}));
    // evmctl sees the same on a checkout.
    const auto theirs = evmctl_verdicts(repo, "usr", {w.rsa.cert_der}, dir.path());
    for (const auto &[path, ok] : theirs)
        BOOST_TEST(ok == (path != "/etc/hello.conf"), path);

    const auto ex = sign({"--exclude=/usr/lib/**", "--exclude=/etc/*"}, "no-lib");
    BOOST_TEST(signed_paths(repo, "no-lib") == Paths({"/usr/bin/tool", "/usr/bin/data"}));
    BOOST_TEST(ex["files_signed"].get<int>() == 2);

    // Exclude wins over include.
    sign({"--include=/usr/bin/*", "--exclude=/usr/bin/d*"}, "bin");
    BOOST_TEST(signed_paths(repo, "bin") == Paths({"/usr/bin/tool"}));

    sign({"--include=/usr/lib/**/*.so*"}, "libs");
    BOOST_TEST(signed_paths(repo, "libs") ==
               Paths({"/usr/lib/libfoo.so.1", "/usr/lib/sub/libbar.so"}));

    const auto x = sign({"--executables-only"}, "x");
    BOOST_TEST(signed_paths(repo, "x") == Paths({"/usr/bin/tool"}));
    BOOST_TEST(x["files_signed"].get<int>() == 1);
    const Result x_ok =
        verify(repo, "x", {w.rsa.cert_der}, {"--require-all", "--executables-only"});
    BOOST_TEST(x_ok.exit_code == 0, x_ok.out);
    BOOST_TEST(trimmed(x_ok.out) == "checked 1 file: 1 signed, 0 unsigned, 0 invalid");

    // Nothing selected: the same tree; only the ref binding names "none".
    const auto none = sign({"--include=/nothing/*"}, "none");
    BOOST_TEST(none["commit"] != none["source_commit"]);
    BOOST_TEST(commit_root_tree(repo, "none") == commit_root_tree(repo, "main"));
    BOOST_TEST(none["files_signed"].get<int>() == 0);
    // Signed in place (the target is the ref it is bound to): the source commit.
    const auto in_place = sign({"--include=/nothing/*"}, "main");
    BOOST_TEST(in_place["commit"] == in_place["source_commit"]);

    // Signing the rest afterwards equals signing everything at once: the
    // same tree and fields; only the record of the source differs, as each
    // names the commit it was made from (docs/format.md).
    const Result rest = run({binary(), "sign", "--repo=" + repo, "--key=" + w.rsa.key_pem,
                             "--cert=" + w.rsa.cert_der, "usr", "rest"});
    BOOST_REQUIRE_MESSAGE(rest.exit_code == 0, rest.err);
    const Result all = run({binary(), "sign", "--repo=" + repo, "--key=" + w.rsa.key_pem,
                            "--cert=" + w.rsa.cert_der, "main", "all"});
    BOOST_REQUIRE_MESSAGE(all.exit_code == 0, all.err);
    BOOST_TEST(commit_root_tree(repo, "rest") == commit_root_tree(repo, "all"));
    BOOST_TEST(commit_without_root_and_binding(repo, "rest") ==
               commit_without_root_and_binding(repo, "all"));
    BOOST_TEST(commit_signing_source(repo, "rest").value_or("") == rev_parse(repo, "usr"));
    BOOST_TEST(commit_signing_source(repo, "all").value_or("") == rev_parse(repo, "main"));
    require_fsck(repo);
}

BOOST_AUTO_TEST_SUITE_END()
