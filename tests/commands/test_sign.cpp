// `ostree-ima sign` and `ima-sign` end to end on real repositories, checked
// with libostree, `ostree fsck` and `evmctl ima_verify`.
#define BOOST_TEST_MODULE sign
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "text_files.hpp"
#include "workspace.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/stat.h>

using namespace test_support;

namespace {

// Keys and the source tree are made once for the whole suite.
struct World : Workspace {
    std::string tree;
    World()
    {
        key("rsa2048", "rsa:2048");
        key("rsa4096", "rsa:4096");
        key("ec-p256", "ec:P-256");
        key("ec-p384", "ec:P-384");
        tree = standard_tree(key("other", "rsa:2048"));
    }
};

World &world()
{
    static World w;
    return w;
}

Result sign(const std::string &repo, const KeyPair &key, const std::vector<std::string> &extra,
            const std::string &src = "main", const std::string &target = "signed")
{
    std::vector<std::string> argv = {binary(), "sign", "--repo=" + repo, "--key=" + key.key_pem,
                                     "--cert=" + key.cert_der};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(src);
    if (!target.empty())
        argv.push_back(target);
    return run(argv);
}

// Everything but security.ima is unchanged, every regular file is signed.
void check_signed_commit(const std::string &repo, const std::string &src, const std::string &dst,
                         bool presigned_kept)
{
    const auto before = read_commit_files(repo, src);
    const auto after = read_commit_files(repo, dst);
    BOOST_REQUIRE_EQUAL(before.size(), after.size());
    for (const auto &[path, b] : before) {
        BOOST_TEST_CONTEXT("path " << path)
        {
            const auto it = after.find(path);
            BOOST_REQUIRE(it != after.end());
            const FileFacts &a = it->second;
            BOOST_TEST(a.regular == b.regular);
            BOOST_TEST(a.uid == b.uid);
            BOOST_TEST(a.gid == b.gid);
            BOOST_TEST(a.mode == b.mode);
            BOOST_TEST(a.size == b.size);
            BOOST_TEST(a.symlink_target == b.symlink_target);
            BOOST_TEST(a.other_xattrs == b.other_xattrs);
            if (!a.regular) {
                BOOST_TEST(!a.ima.has_value());
            } else {
                BOOST_REQUIRE(a.ima.has_value());
                if (path == "/usr/bin/presigned" && presigned_kept)
                    BOOST_TEST(*a.ima == *b.ima, boost::test_tools::per_element());
            }
        }
    }
    BOOST_TEST(before.at("/usr/lib/deep/deeper/with-xattr").other_xattrs.find("keep-me") !=
               std::string::npos);
    // Every commit field but the root is kept; the ref binding names the
    // target ref (`ostree commit -b main` bound the source to main).
    BOOST_TEST(commit_without_root_and_binding(repo, src) ==
               commit_without_root_and_binding(repo, dst));
    // The signed commit records its source (for the next --reuse), the
    // source none.
    BOOST_TEST(commit_signing_source(repo, dst).value_or("") == rev_parse(repo, src));
    BOOST_TEST(!commit_signing_source(repo, src).has_value());
    BOOST_TEST((commit_ref_binding(repo, src) == std::vector<std::string>{src}));
    BOOST_TEST((commit_ref_binding(repo, dst) == std::vector<std::string>{dst}));
    require_fsck(repo);
}

} // namespace

BOOST_AUTO_TEST_SUITE(modes)

BOOST_AUTO_TEST_CASE(sign_in_every_mode_that_holds_xattrs)
{
    World &w = world();
    const KeyPair &key = w.key("rsa2048");
    std::set<std::string> commits;
    for (const std::string mode : {"archive", "bare", "bare-user"}) {
        BOOST_TEST_CONTEXT("mode " << mode)
        {
            TempDir dir;
            const std::string repo = make_repo(dir.path(), mode, w.tree);
            const Result r = sign(repo, key, {"--jobs=2"});
            BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
            const std::string commit = trimmed(r.out);
            BOOST_TEST(commit.size() == 64u);
            BOOST_TEST(rev_parse(repo, "signed") == commit);
            check_signed_commit(repo, "main", "signed", true);
            commits.insert(commit);

            // A checkout is byte-identical to the unsigned one (archive: the
            // compressed body is reused as it is).
            sh_ok("cd " + quote(dir.path()) + " && ostree checkout --repo=" + quote(repo) +
                  " main co-main && ostree checkout --repo=" + quote(repo) +
                  " signed co-signed && diff -r --no-dereference co-main co-signed");

            // evmctl accepts every file but the one pre-signed with another key.
            const auto failures = evmctl_verify_checkout(repo, "signed", key.cert_der, dir.path());
            BOOST_REQUIRE_EQUAL(failures.size(), 1u);
            BOOST_TEST(failures[0].find("./usr/bin/presigned") == 0u);
            const auto other =
                evmctl_verify_checkout(repo, "signed", w.key("other").cert_der, dir.path());
            BOOST_TEST(other.size() > 5u); // only the pre-signed file verifies with it

            // Idempotent: signing the signed commit again gives the same commit.
            const Result again = sign(repo, key, {"--jobs=1"}, "signed", "");
            BOOST_REQUIRE_MESSAGE(again.exit_code == 0, again.err);
            BOOST_TEST(trimmed(again.out) == commit);

            // Deterministic RSA: one thread gives the same commit as two
            // (for the same target ref: the ref binding names it).
            const Result one = sign(repo, key, {"--jobs=1"}, "main", "signed");
            BOOST_REQUIRE_MESSAGE(one.exit_code == 0, one.err);
            BOOST_TEST(trimmed(one.out) == commit);

            // ima-sign, the ostree-ext-cli drop-in, gives the same result.
            const Result ext = run({binary(), "ima-sign", "--repo=" + repo, "--cert", key.cert_der,
                                    "main", "signed", "sha256", key.key_pem});
            BOOST_REQUIRE_MESSAGE(ext.exit_code == 0, ext.err);
            BOOST_TEST(trimmed(ext.out) == "signed => " + commit);
            BOOST_TEST(rev_parse(repo, "signed") == commit);

            // --overwrite replaces the pre-signed file's signature.
            const Result over = sign(repo, key, {"--overwrite"}, "main", "over");
            BOOST_REQUIRE_MESSAGE(over.exit_code == 0, over.err);
            check_signed_commit(repo, "main", "over", false);
            BOOST_TEST(evmctl_verify_checkout(repo, "over", key.cert_der, dir.path()).empty());
        }
    }
    // Content checksums do not depend on the mode: the archive fast path and
    // libostree's writer (bare, bare-user) must agree to the byte.
    BOOST_TEST(commits.size() == 1u);
}

// Signed bare and bare-user objects sit on disk as libostree's own writer
// lays them out: the owner and mode of the unsigned object (which `ostree
// commit` wrote), and in bare mode its xattrs plus security.ima. A file over
// the 16 MiB kept in memory takes the path that reads the content again.
BOOST_AUTO_TEST_CASE(bare_objects_are_laid_out_as_libostree_lays_them_out)
{
    World &w = world();
    const KeyPair &key = w.key("rsa2048");
    for (const std::string mode : {"bare", "bare-user"}) {
        BOOST_TEST_CONTEXT("mode " << mode)
        {
            TempDir dir;
            const std::string tree = dir / "tree";
            sh_ok("cp -a " + quote(w.tree) + " " + quote(tree) + " && head -c 17000000 " +
                  "/dev/urandom > " + quote(tree + "/usr/lib/big.bin"));
            const std::string repo = make_repo(dir.path(), mode, tree);
            const Result r = sign(repo, key, {"--jobs=2"});
            BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
            check_signed_commit(repo, "main", "signed", true);
            const std::string xattrs_too = mode == "bare" ? "1" : "0";
            sh_ok("cd " + quote(repo) +
                  " && ostree ls --repo=. -R -C main | awk '$1 ~ /^-/ {print $5}' > ../old"
                  " && ostree ls --repo=. -R -C signed | awk '$1 ~ /^-/ {print $5}' > ../new"
                  " && test -s ../old && paste ../old ../new | while read o n; do"
                  "  of=objects/$(echo $o | cut -c1-2)/$(echo $o | cut -c3-).file;"
                  "  nf=objects/$(echo $n | cut -c1-2)/$(echo $n | cut -c3-).file;"
                  "  test \"$(stat -c '%a %u %g' $of)\" = \"$(stat -c '%a %u %g' $nf)\" ||"
                  "    { echo \"$nf: owner or mode differs from $of\" >&2; exit 1; };"
                  "  if [ " +
                  xattrs_too +
                  " = 1 ]; then"
                  "    getfattr -d -m - -e hex $nf | grep -q '^security.ima=' ||"
                  "      { echo \"$nf: no security.ima\" >&2; exit 1; };"
                  "    test \"$(getfattr -d -m - -e hex $of | grep -v '^security.ima=' | tail -n "
                  "+2)\""
                  "      = \"$(getfattr -d -m - -e hex $nf | grep -v '^security.ima=' | tail -n "
                  "+2)\" ||"
                  "      { echo \"$nf: xattrs differ from $of\" >&2; exit 1; };"
                  "  fi;"
                  " done");
            const auto failures = evmctl_verify_checkout(repo, "signed", key.cert_der, dir.path());
            BOOST_REQUIRE_EQUAL(failures.size(), 1u); // the file pre-signed with another key
            BOOST_TEST(failures[0].find("./usr/bin/presigned") == 0u);
        }
    }
}

// New dirtrees are linked into objects/ by our own writer: they must sit
// there as libostree's own do: mode 0644 whatever the umask, and the
// variant's bytes (fsck checks each against its name).
BOOST_AUTO_TEST_CASE(dirtrees_are_laid_out_as_libostree_lays_them_out)
{
    World &w = world();
    for (const std::string mode : {"archive", "bare-user"}) {
        BOOST_TEST_CONTEXT("mode " << mode)
        {
            TempDir dir;
            const std::string repo = make_repo(dir.path(), mode, w.tree);
            const mode_t old_umask = ::umask(077);
            const Result r = sign(repo, w.key("rsa2048"), {"--jobs=2"});
            ::umask(old_umask);
            BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
            require_fsck(repo);
            // Every dirtree of the signed commit is new (its files changed).
            const std::string listed =
                sh_ok("cd " + quote(repo) +
                      " && ostree ls --repo=. -R -C signed | awk '$1 ~ /^d/ {print $5}' | sort -u |"
                      " while read t; do stat -c '%a' objects/$(echo $t | cut -c1-2)/$(echo $t | "
                      "cut -c3-).dirtree 2>&1; done | sort -u");
            BOOST_TEST(listed == "644\n");
        }
    }
}

BOOST_AUTO_TEST_CASE(bare_user_only_is_refused_and_ref_not_written)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "bare-user-only", w.tree);
    const Result r = sign(repo, w.key("rsa2048"), {});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("bare-user-only") != std::string::npos);
    BOOST_TEST(r.err.find("cannot hold security.ima") != std::string::npos);
    BOOST_TEST(!ref_exists(repo, "signed"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(keys_and_hashes)

BOOST_AUTO_TEST_CASE(every_key_type_and_hash_verifies_with_evmctl)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    for (const std::string name : {"rsa2048", "rsa4096", "ec-p256", "ec-p384"}) {
        for (const std::string hash : {"sha256", "sha512", "sha384"}) {
            BOOST_TEST_CONTEXT(name << " " << hash)
            {
                const KeyPair &key = w.key(name);
                const std::string ref = name + "-" + hash;
                const Result r = sign(repo, key, {"--overwrite", "--hash=" + hash}, "main", ref);
                BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
                const auto failures = evmctl_verify_checkout(repo, ref, key.cert_der, dir.path());
                BOOST_TEST(failures.empty(),
                           "evmctl rejected: " << (failures.empty() ? "" : failures[0]));
                // The hash id in the xattr is the one asked for.
                const auto files = read_commit_files(repo, ref);
                const auto &ima = *files.at("/etc/hello.conf").ima;
                const std::uint8_t want = hash == "sha256" ? 4 : hash == "sha512" ? 6 : 5;
                BOOST_TEST(ima[2] == want);
            }
        }
    }
    require_fsck(repo);
}

BOOST_AUTO_TEST_CASE(json_report_counts_files_and_unique_objects)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const Result r = sign(repo, w.key("ec-p256"), {"--json"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto j = nlohmann::json::parse(r.out);
    BOOST_TEST(j["source_commit"].get<std::string>() == rev_parse(repo, "main"));
    BOOST_TEST(j["commit"].get<std::string>() == rev_parse(repo, "signed"));
    BOOST_TEST(j["ref"].get<std::string>() == "signed");
    // 9 regular files: hello.conf appears at 3 paths (one object), presigned is kept.
    BOOST_TEST(j["files_signed"].get<int>() == 8);
    BOOST_TEST(j["files_kept"].get<int>() == 1);
    BOOST_TEST(j["unique_objects_signed"].get<int>() == 6);
    BOOST_TEST(j["bytes_hashed"].get<std::uint64_t>() > 6000000u);
    BOOST_TEST(j["key_id"].get<std::string>().size() == 8u);
    BOOST_TEST(j.contains("seconds"));
}

BOOST_AUTO_TEST_CASE(encrypted_and_der_keys)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const KeyPair &key = w.key("rsa2048");
    const std::string enc = dir / "enc.pem";
    const std::string der = dir / "key.der";
    const std::string pass = dir / "pass";
    sh_ok("printf 'correct horse\\n' > " + quote(pass) + " && chmod 600 " + quote(pass));
    sh_ok("openssl pkey -in " + quote(key.key_pem) + " -aes256 -passout file:" + quote(pass) +
          " -out " + quote(enc));
    sh_ok("openssl pkey -in " + quote(key.key_pem) + " -outform DER -out " + quote(der));
    const Result first = sign(repo, key, {}, "main", "");
    BOOST_REQUIRE_MESSAGE(first.exit_code == 0, first.err);
    const std::string expected = trimmed(first.out);
    BOOST_REQUIRE_EQUAL(expected.size(), 64u);

    auto with_key = [&](const std::string &k, const std::vector<std::string> &extra,
                        const std::map<std::string, std::string> &env = {}) {
        std::vector<std::string> argv = {binary(), "sign", "--repo=" + repo, "--key=" + k,
                                         "--cert=" + key.cert_der};
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.push_back("main");
        return run(argv, env);
    };
    const Result by_der = with_key(der, {});
    BOOST_TEST(by_der.exit_code == 0, by_der.err);
    BOOST_TEST(trimmed(by_der.out) == expected);
    const Result by_file = with_key(enc, {"--pin-file=" + pass});
    BOOST_TEST(by_file.exit_code == 0, by_file.err);
    BOOST_TEST(trimmed(by_file.out) == expected, by_file.err);
    const Result by_env = with_key(enc, {}, {{"OSTREE_IMA_PIN", "correct horse"}});
    BOOST_TEST(by_env.exit_code == 0, by_env.err);
    BOOST_TEST(trimmed(by_env.out) == expected, by_env.err);
    // Neither the passphrase nor a hint of it leaks into messages.
    BOOST_TEST(by_env.err.find("correct horse") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(key_id_from_public_key_and_override)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const KeyPair &key = w.key("ec-p384");
    const Result no_cert =
        run({binary(), "sign", "--json", "--repo=" + repo, "--key=" + key.key_pem, "main"});
    BOOST_REQUIRE_MESSAGE(no_cert.exit_code == 0, no_cert.err);
    BOOST_TEST(no_cert.err.find("derived from the public key") != std::string::npos);
    const Result with_cert = sign(repo, key, {"--json"}, "main", "");
    const auto a = nlohmann::json::parse(no_cert.out);
    const auto b = nlohmann::json::parse(with_cert.out);
    // Test certificates use SKID method 1, so both ways agree.
    BOOST_TEST(a["key_id"] == b["key_id"]);
    const Result forced = sign(repo, key, {"--json", "--keyid=0a0b0c0d"}, "main", "forced");
    BOOST_REQUIRE_MESSAGE(forced.exit_code == 0, forced.err);
    BOOST_TEST(nlohmann::json::parse(forced.out)["key_id"] == "0a0b0c0d");
    const auto files = read_commit_files(repo, "forced");
    const auto &ima = *files.at("/usr/bin/tool").ima;
    BOOST_TEST((ima[3] == 0x0a && ima[4] == 0x0b && ima[5] == 0x0c && ima[6] == 0x0d));
}

BOOST_AUTO_TEST_SUITE_END()
