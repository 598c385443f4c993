// A signer blesses nothing it cannot vouch for: signed refs that clients can
// pull (over HTTP, as clients meet them), damaged metadata, compressed
// streams and object types refused, and existing signatures kept only when
// they could be valid. Each case checks the exit code, the message, that no
// ref moved, and `ostree fsck`.
#define BOOST_TEST_MODULE trust
#include <boost/test/unit_test.hpp>

#include "crafted_commit.hpp"
#include "fixtures.hpp"
#include "text_files.hpp"
#include "workspace.hpp"

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

using namespace test_support;
using json = nlohmann::json;

namespace {

struct World : Workspace {
    const KeyPair &key = Workspace::key("rsa");     // the signing key
    const KeyPair &other = Workspace::key("other"); // another signer's key
    std::string tree = Workspace::tree(
        "tree", "mkdir -p usr/bin etc; printf 'hello\\n' > etc/hello.conf"
                "; printf '#!/bin/sh\\necho hi\\n' > usr/bin/tool; chmod 0755 usr/bin/tool"
                "; head -c 300000 /dev/urandom > usr/bin/blob; ln -s tool usr/bin/tool-link");
};

World &world()
{
    static World w;
    return w;
}

Result sign(const std::string &repo, const std::vector<std::string> &extra,
            const std::string &src = "main", const std::string &target = "signed",
            const KeyPair *key = nullptr)
{
    const KeyPair &k = key != nullptr ? *key : world().key;
    std::vector<std::string> argv = {binary(), "sign", "--repo=" + repo, "--key=" + k.key_pem,
                                     "--cert=" + k.cert_der};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(src);
    if (!target.empty())
        argv.push_back(target);
    return run(argv);
}

// `ostree ls -C -d`: {dirtree, dirmeta} of a directory of a commit.
std::pair<std::string, std::string> dir_objects(const std::string &repo, const std::string &rev,
                                                const std::string &path)
{
    std::istringstream line(
        sh_ok("ostree ls --repo=" + quote(repo) + " -C -d " + quote(rev) + " " + quote(path)));
    std::string mode, uid, gid, size, tree, meta;
    line >> mode >> uid >> gid >> size >> tree >> meta;
    return {tree, meta};
}

std::string content_checksum(const std::string &repo, const std::string &rev,
                             const std::string &path)
{
    std::istringstream line(
        sh_ok("ostree ls --repo=" + quote(repo) + " -C " + quote(rev) + " " + quote(path)));
    std::string mode, uid, gid, size, csum;
    line >> mode >> uid >> gid >> size >> csum;
    return csum;
}

std::string object_path(const std::string &repo, const std::string &checksum,
                        const std::string &ext)
{
    return repo + "/objects/" + checksum.substr(0, 2) + "/" + checksum.substr(2) + "." + ext;
}

// A python3 http.server on loopback serving `dir`; stopped when destroyed.
class HttpServer {
  public:
    explicit HttpServer(const std::string &dir) : log_(dir + "/../http-" + unique() + ".log")
    {
        pid_ = trimmed(sh_ok("cd " + quote(dir) + " && (python3 -u -m http.server 0 --bind " +
                             "127.0.0.1 >" + quote(log_) + " 2>&1 & echo $!)"));
        for (int i = 0; i < 100 && port_.empty(); ++i) {
            const std::string text = read_text(log_);
            if (const auto at = text.find(" port "); at != std::string::npos) {
                std::istringstream in(text.substr(at + 6));
                in >> port_;
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        BOOST_REQUIRE_MESSAGE(!port_.empty(), "http.server did not start: " << read_text(log_));
    }
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;
    ~HttpServer() { (void)sh("kill " + pid_ + " 2>/dev/null"); }
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + port_; }

  private:
    static std::string unique()
    {
        static int n = 0;
        return std::to_string(++n);
    }
    std::string log_;
    std::string pid_;
    std::string port_;
};

// A fresh client repository with `origin` at url (and its collection id).
std::string client_repo(const std::string &dir, const std::string &url,
                        const std::string &collection = "")
{
    const std::string repo = dir + "/client";
    sh_ok("rm -rf " + quote(repo) + " && ostree init --repo=" + quote(repo) +
          " --mode=archive && ostree remote add --repo=" + quote(repo) + " --no-gpg-verify " +
          (collection.empty() ? "" : "--collection-id=" + quote(collection) + " ") + "origin " +
          quote(url));
    return repo;
}

Result pull(const std::string &client, const std::string &ref)
{
    return sh("ostree pull --repo=" + quote(client) + " origin " + quote(ref));
}

// The target ref exists (pointing at main) before a run that must fail; it
// must point there after.
struct GuardedRef {
    std::string repo;
    std::string before;
    explicit GuardedRef(std::string r) : repo(std::move(r))
    {
        sh_ok("ostree refs --repo=" + quote(repo) + " --create=signed main");
        before = rev_parse(repo, "signed");
    }
    void check() const { BOOST_TEST(rev_parse(repo, "signed") == before); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(binding)

// The README's demo, as a client meets it: the signed ref is pulled over
// HTTP into a fresh repository and checked out.
BOOST_AUTO_TEST_CASE(signed_ref_pulls_over_http)
{
    World &w = world();
    for (const std::string mode : {"archive", "bare-user"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            TempDir dir;
            const std::string repo = make_repo(dir.path(), mode, w.tree, "demo/base");
            const Result s = sign(repo, {"--json"}, "demo/base", "demo/signed");
            BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
            const json report = json::parse(s.out);
            BOOST_TEST(report["ref_binding"]["source"] == json::array({"demo/base"}));
            BOOST_TEST(report["ref_binding"]["commit"] == json::array({"demo/signed"}));
            BOOST_TEST(report["collection_binding"]["commit"].is_null());
            const Result text = sign(repo, {}, "demo/base", "demo/text");
            BOOST_REQUIRE_MESSAGE(text.exit_code == 0, text.err);
            BOOST_TEST(text.err.find("ref binding 'demo/base' -> 'demo/text'") != std::string::npos,
                       text.err);
            const Result ext =
                run({binary(), "ima-sign", "--repo=" + repo, "--cert", w.key.cert_der, "demo/base",
                     "demo/ext", "sha256", w.key.key_pem});
            BOOST_REQUIRE_MESSAGE(ext.exit_code == 0, ext.err);
            // A control the harness must catch: main's commit published as
            // another ref is refused by every client.
            sh_ok("ostree refs --repo=" + quote(repo) + " --create=demo/wrong demo/base");
            require_fsck(repo);

            // bare-user repositories are not served over HTTP: publish into
            // an archive repository (pull-local checks the bindings too).
            std::string served = repo;
            if (mode != "archive") {
                served = dir / "published";
                sh_ok("ostree init --repo=" + quote(served) + " --mode=archive && ostree " +
                      "pull-local --repo=" + quote(served) + " " + quote(repo) +
                      " demo/signed demo/ext");
                const Result wrong = sh("ostree pull-local --repo=" + quote(served) + " " +
                                        quote(repo) + " demo/wrong");
                BOOST_TEST(wrong.exit_code != 0);
                BOOST_TEST(wrong.err.find("ref binding") != std::string::npos, wrong.err);
                sh_ok("ostree refs --repo=" + quote(served) + " --create=demo/wrong demo/signed");
            }
            const HttpServer http(served);
            const std::string client = client_repo(dir.path(), http.url());
            for (const std::string ref : {"demo/signed", "demo/ext"}) {
                const Result p = pull(client, ref);
                BOOST_TEST(p.exit_code == 0, ref << ": " << p.err);
            }
            const Result wrong = pull(client, "demo/wrong");
            BOOST_TEST(wrong.exit_code != 0);
            BOOST_TEST(wrong.err.find("ref binding") != std::string::npos, wrong.err);
            BOOST_TEST(rev_parse(client, "demo/signed") == rev_parse(repo, "demo/signed"));
            require_fsck(client);
            BOOST_TEST(
                evmctl_verify_checkout(client, "demo/signed", w.key.cert_der, dir.path()).empty());
        }
    }
}

// A commit bound to a collection stays pullable by clients that know the
// collection; one pulled from another collection is rebound to this
// repository's.
BOOST_AUTO_TEST_CASE(collection_bound_commits)
{
    World &w = world();
    TempDir dir;
    const std::string repo = dir / "repo";
    sh_ok("ostree init --repo=" + quote(repo) +
          " --mode=archive --collection-id=org.example.Os && ostree commit --repo=" + quote(repo) +
          " -b main --tree=dir=" + quote(w.tree) + " >/dev/null");
    const Result s = sign(repo, {"--json"});
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    const json report = json::parse(s.out);
    BOOST_TEST(report["collection_binding"]["source"] == "org.example.Os");
    BOOST_TEST(report["collection_binding"]["commit"] == "org.example.Os");
    BOOST_TEST(report["ref_binding"]["commit"] == json::array({"signed"}));

    // Published by a repository of another collection.
    const std::string other = dir / "other";
    sh_ok("ostree init --repo=" + quote(other) +
          " --mode=archive --collection-id=org.example.Mirror && ostree pull-local --repo=" +
          quote(other) + " " + quote(repo) + " main");
    const Result m = sign(other, {"--json"}, "main", "signed");
    BOOST_REQUIRE_MESSAGE(m.exit_code == 0, m.err);
    const json mirrored = json::parse(m.out);
    BOOST_TEST(mirrored["collection_binding"]["source"] == "org.example.Os");
    BOOST_TEST(mirrored["collection_binding"]["commit"] == "org.example.Mirror");
    require_fsck(repo);
    require_fsck(other);

    for (const auto &[served, collection] :
         {std::pair{repo, "org.example.Os"}, std::pair{other, "org.example.Mirror"}}) {
        BOOST_TEST_CONTEXT(collection)
        {
            const HttpServer http(served);
            const std::string client = client_repo(dir.path(), http.url(), collection);
            const Result p = pull(client, "signed");
            BOOST_TEST(p.exit_code == 0, p.err);
            // The unsigned commit of the mirror still names the first
            // collection: the control that shows the client checks it.
            if (served == other) {
                const Result wrong = pull(client, "main");
                BOOST_TEST(wrong.exit_code != 0);
                BOOST_TEST(wrong.err.find("collection") != std::string::npos, wrong.err);
            }
            BOOST_TEST(
                evmctl_verify_checkout(client, "signed", w.key.cert_der, dir.path()).empty());
        }
    }
}

// Without a target ref the binding stays, and the user is told what to do.
BOOST_AUTO_TEST_CASE(no_target_ref_says_what_to_do)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const Result s = sign(repo, {}, "main", "");
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    BOOST_TEST(s.err.find("is bound to 'main' (ostree.ref-binding)") != std::string::npos, s.err);
    BOOST_TEST(s.err.find("give that ref as TARGET_REF") != std::string::npos, s.err);
    BOOST_TEST((commit_ref_binding(repo, trimmed(s.out)) == std::vector<std::string>{"main"}));
    // Signed in place: the binding already names the ref, nothing to say.
    const Result in_place = sign(repo, {}, "main", "main");
    BOOST_REQUIRE_MESSAGE(in_place.exit_code == 0, in_place.err);
    BOOST_TEST(in_place.err.find("binding") == std::string::npos, in_place.err);
    BOOST_TEST(trimmed(in_place.out) == trimmed(s.out));
    require_fsck(repo);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(damage)

// One byte of a file name in a dirtree, of the commit subject, of a dirmeta:
// every job that reads them refuses, naming the object and the path.
BOOST_AUTO_TEST_CASE(damaged_metadata_is_refused)
{
    World &w = world();
    for (const std::string mode : {"archive", "bare-user"}) {
        TempDir dir;
        const std::string repo = make_repo(dir.path(), mode, w.tree);
        const GuardedRef guard(repo);
        const auto [bin_tree, bin_meta] = dir_objects(repo, "main", "/usr/bin");
        struct Case {
            std::string name;
            std::string file;
            std::string needle; // bytes to damage
            std::string message;
        };
        const std::vector<Case> cases = {
            {"file name in a dirtree", object_path(repo, bin_tree, "dirtree"), "tool",
             "dirtree " + bin_tree + " (objects/" + bin_tree.substr(0, 2) + "/" +
                 bin_tree.substr(2) + ".dirtree) of /usr/bin is corrupted"},
            {"commit subject", object_path(repo, rev_parse(repo, "main"), "commit"), "release",
             "commit " + rev_parse(repo, "main") + " (objects/"},
            {"dirmeta", object_path(repo, bin_meta, "dirmeta"), "", "dirmeta " + bin_meta},
        };
        for (const Case &c : cases) {
            BOOST_TEST_CONTEXT(mode << ": " << c.name)
            {
                const std::string good = read_text(c.file);
                std::string bad = good;
                const std::size_t at = c.needle.empty() ? bad.size() - 1 : bad.find(c.needle);
                BOOST_REQUIRE(at != std::string::npos);
                bad[at] = static_cast<char>(bad[at] ^ 0x01);
                write_text(c.file, bad);
                const Result s = sign(repo, {});
                BOOST_TEST(s.exit_code == 1);
                BOOST_TEST(s.err.find(c.message) != std::string::npos, s.err);
                BOOST_TEST(s.err.find("run 'ostree fsck'") != std::string::npos, s.err);
                BOOST_TEST(std::count(s.err.begin(), s.err.end(), '\n') == 1, s.err);
                guard.check();
                for (const std::string job : {"strip", "digests", "verify"}) {
                    std::vector<std::string> argv = {binary(), job, "--repo=" + repo};
                    if (job == "verify")
                        argv.push_back("--cert=" + w.key.cert_der);
                    argv.push_back("main");
                    if (job == "strip")
                        argv.push_back("signed");
                    const Result r = run(argv);
                    BOOST_TEST(r.exit_code == 1, job);
                    BOOST_TEST(r.err.find(c.message) != std::string::npos, job << ": " << r.err);
                }
                guard.check();
                write_text(c.file, good);
                require_fsck(repo); // nothing else was written broken
            }
        }
    }
}

// A raw deflate body whose final-block bit is cleared inflates to the whole
// content (so it hashes right) but never ends: reusing it would break every
// reader of the new object. Bytes after a complete stream are left out.
BOOST_AUTO_TEST_CASE(broken_compressed_stream)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const Result first = sign(repo, {}, "main", "all-signed");
    BOOST_REQUIRE_MESSAGE(first.exit_code == 0, first.err);
    const GuardedRef guard(repo);
    // The first block's BFINAL bit of a raw deflate body.
    auto damage = [](const std::string &bytes) {
        const auto header = static_cast<std::size_t>((static_cast<unsigned char>(bytes[0]) << 24) |
                                                     (static_cast<unsigned char>(bytes[1]) << 16) |
                                                     (static_cast<unsigned char>(bytes[2]) << 8) |
                                                     static_cast<unsigned char>(bytes[3]));
        std::string bad = bytes;
        bad[8 + header] = static_cast<char>(bad[8 + header] & ~1);
        return bad;
    };
    const std::string csum = content_checksum(repo, "main", "/etc/hello.conf");
    const std::string file = object_path(repo, csum, "filez");
    const std::string good = read_text(file);
    const std::string signed_csum = content_checksum(repo, "all-signed", "/etc/hello.conf");
    const std::string signed_file = object_path(repo, signed_csum, "filez");
    const std::string signed_good = read_text(signed_file);
    write_text(file, damage(good));
    write_text(signed_file, damage(signed_good));
    for (const std::string job : {"sign", "strip"}) {
        BOOST_TEST_CONTEXT(job)
        {
            const Result r =
                job == "sign" ? sign(repo, {"--overwrite"})
                              : run({binary(), "strip", "--repo=" + repo, "all-signed", "signed"});
            BOOST_TEST(r.exit_code == 1);
            BOOST_TEST(r.err.find("content object " + (job == "sign" ? csum : signed_csum)) !=
                           std::string::npos,
                       r.err);
            BOOST_TEST(r.err.find("ends before the end of the deflate stream") != std::string::npos,
                       r.err);
            guard.check();
        }
    }
    write_text(signed_file, signed_good);
    write_text(file, good);
    require_fsck(repo);

    // Trailing bytes: libostree ignores them, so do we, without copying them.
    write_text(file, good + "trailing");
    const Result s = sign(repo, {}, "main", "signed");
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    BOOST_TEST(commit_root_tree(repo, "signed") == commit_root_tree(repo, "all-signed"));
    BOOST_TEST(read_text(signed_file).find("trailing") == std::string::npos);
    write_text(file, good);
    require_fsck(repo);
    sh_ok("cd " + quote(dir.path()) + " && ostree checkout --repo=" + quote(repo) +
          " signed co && cmp co/etc/hello.conf " + quote(w.tree + "/etc/hello.conf"));
}

// The dirtree cannot say an object's type; its name can. A bare object
// replaced by a symlink, or an archive object whose mode lost its type bits,
// is corruption: sign refuses, verify --require-all fails.
BOOST_AUTO_TEST_CASE(objects_of_the_wrong_type)
{
    World &w = world();
    for (const std::string mode : {"bare", "archive"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            TempDir dir;
            const std::string repo = make_repo(dir.path(), mode, w.tree);
            const std::string csum = content_checksum(repo, "main", "/usr/bin/tool");
            const std::string file = object_path(repo, csum, mode == "archive" ? "filez" : "file");
            const Result signed_ok = sign(repo, {}, "main", "all-signed");
            BOOST_REQUIRE_MESSAGE(signed_ok.exit_code == 0, signed_ok.err);
            const GuardedRef guard(repo);
            const std::string good = read_text(file);
            if (mode == "bare") {
                sh_ok("mv " + quote(file) + " " + quote(file + ".aside") + " && ln -s hello.conf " +
                      quote(file));
            } else {
                std::string bad = good;
                // The header (tuuuusa(ayay)) starts at 8; mode is its third
                // u, big-endian: S_IFMT is the high nibble of its third byte.
                bad[8 + 16 + 2] = static_cast<char>(bad[8 + 16 + 2] & 0x0f);
                write_text(file, bad);
            }
            const Result s = sign(repo, {});
            BOOST_TEST(s.exit_code == 1);
            BOOST_TEST(s.err.find("content object " + csum) != std::string::npos, s.err);
            BOOST_TEST(s.err.find(mode == "bare" ? "hashes to" : "neither a regular file") !=
                           std::string::npos,
                       s.err);
            guard.check();
            // main's other files carry no signature; all-signed's do, but
            // tool's object is damaged in both.
            const Result v = run({binary(), "verify", "--repo=" + repo, "--cert=" + w.key.cert_der,
                                  "--require-all", "--json", "main"});
            BOOST_TEST(v.exit_code == 1);
            const json report = json::parse(v.out);
            bool found = false;
            for (const auto &f : report["findings"])
                found = found || (f["path"] == "/usr/bin/tool" && f["problem"] == "corrupted" &&
                                  f["fatal"] == true);
            BOOST_TEST(found, v.out);
            // Not only --require-all: a file that could not be checked fails.
            const Result plain =
                run({binary(), "verify", "--repo=" + repo, "--cert=" + w.key.cert_der, "main"});
            BOOST_TEST(plain.exit_code == 1, plain.out);
            if (mode == "bare")
                sh_ok("mv " + quote(file + ".aside") + " " + quote(file));
            else
                write_text(file, good);
            require_fsck(repo);
        }
    }
}

// A symlink object is its header alone, so no content read catches damage
// to it: its target changed in place (same length, so the object still
// parses) must be refused, never carried into a new commit that fails
// `ostree fsck` with the ref moved to it. Archive: the target in the
// .filez header; bare: the object is a symlink, replaced by another;
// bare-user: the target is the object file's content.
BOOST_AUTO_TEST_CASE(damaged_symlink_objects_are_refused)
{
    World &w = world();
    for (const std::string mode : {"archive", "bare", "bare-user"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            TempDir dir;
            const std::string repo = make_repo(dir.path(), mode, w.tree);
            const std::string csum = content_checksum(repo, "main", "/usr/bin/tool-link");
            const std::string file = object_path(repo, csum, mode == "archive" ? "filez" : "file");
            const GuardedRef guard(repo);
            if (mode == "bare") {
                BOOST_REQUIRE(sh_ok("readlink " + quote(file)) == "tool\n");
                sh_ok("ln -sfn toox " + quote(file));
            } else {
                std::string bad = read_text(file);
                // Archive: the header starts at 8, (tuuuus...): the target at
                // 8 + 8 + 16. Bare-user: the whole file.
                const std::size_t at = mode == "archive" ? 32 : 0;
                const std::string target =
                    mode == "archive" ? std::string("tool\0", 5) : std::string("tool");
                BOOST_REQUIRE(bad.compare(at, target.size(), target) == 0);
                bad[at + 3] = 'x';
                write_text(file, bad);
            }
            // libostree reads the damaged target, unchecked.
            BOOST_TEST(sh_ok("ostree ls --repo=" + quote(repo) + " main /usr/bin/tool-link")
                           .find("-> toox") != std::string::npos);
            // fsck sees the damage (so the checks below mean something).
            BOOST_TEST(sh("ostree fsck --repo=" + quote(repo) + " >/dev/null 2>&1").exit_code != 0);
            const Result s = sign(repo, {});
            BOOST_TEST(s.exit_code == 1, s.err);
            BOOST_TEST(s.err.find("content object " + csum) != std::string::npos, s.err);
            BOOST_TEST(s.err.find("is corrupted: its content hashes to") != std::string::npos,
                       s.err);
            BOOST_TEST(line_count(s.err) == 1U, s.err);
            BOOST_TEST(s.out.empty(), s.out);
            guard.check();
            // Without a target ref (the commit alone): refused all the same.
            const Result alone = sign(repo, {}, "main", "");
            BOOST_TEST(alone.exit_code == 1, alone.err);
            BOOST_TEST(alone.out.empty(), alone.out);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(existing_signatures)

namespace {
// security.ima values made by evmctl (user.ima, so no root or kernel
// policy is involved) for a file with `content`.
std::vector<std::uint8_t> evmctl_signature(const std::string &dir, const KeyPair &key,
                                           const std::string &content,
                                           const std::string &hash = "sha256")
{
    const std::string f = dir + "/evmctl-input";
    write_text(f, content);
    sh_ok("evmctl ima_sign --xattr-user --hashalgo " + hash + " --key " + quote(key.key_pem) + " " +
          quote(f) + " >/dev/null");
    sh_ok("getfattr --only-values -n user.ima " + quote(f) + " > " + quote(f + ".ima"));
    const std::string raw = read_text(f + ".ima");
    std::vector<std::uint8_t> out(raw.begin(), raw.end());
    return out;
}

std::string key_id_of(const std::vector<std::uint8_t> &sig)
{
    char buf[9];
    std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x", sig[3], sig[4], sig[5], sig[6]);
    return buf;
}
} // namespace

// Garbage, truncated, over-long, wrong header fields, a hash-only value and
// a stale signature by the signing key are replaced; a valid signature by
// the signing key and a well-formed one by another key are kept, the latter
// reported with its key id. The same rules in ima-sign, digests and apply.
BOOST_AUTO_TEST_CASE(only_what_could_be_valid_is_kept)
{
    World &w = world();
    TempDir dir;
    const std::string tree = dir / "tree";
    std::map<std::string, std::string> content;
    for (const char *name :
         {"garbage", "one-byte", "truncated", "over-long", "version-1", "hash-only",
          "size-little-endian", "stale", "other-key", "own-valid", "own-valid-sha512", "unsigned"})
        content[std::string("/usr/bin/") + name] = std::string("content of ") + name + "\n";
    sh_ok("mkdir -p " + quote(tree + "/usr/bin"));
    for (const auto &[path, text] : content)
        write_text(tree + path, text);

    auto own = [&](const std::string &path, const std::string &hash = "sha256") {
        return evmctl_signature(dir.path(), w.key, content.at(path), hash);
    };
    std::map<std::string, std::vector<std::uint8_t>> ima;
    ima["/usr/bin/garbage"] = {0xde, 0xad, 0xbe, 0xef};
    ima["/usr/bin/one-byte"] = {0x03};
    auto truncated = own("/usr/bin/truncated");
    truncated.pop_back();
    ima["/usr/bin/truncated"] = truncated;
    auto over_long = own("/usr/bin/over-long");
    over_long.push_back(0);
    ima["/usr/bin/over-long"] = over_long;
    auto version_1 = own("/usr/bin/version-1");
    version_1[1] = 1;
    ima["/usr/bin/version-1"] = version_1;
    std::vector<std::uint8_t> hash_only = {0x04, 0x04};
    hash_only.resize(34, 0xaa);
    ima["/usr/bin/hash-only"] = hash_only;
    auto little = own("/usr/bin/size-little-endian");
    std::swap(little[7], little[8]);
    ima["/usr/bin/size-little-endian"] = little;
    ima["/usr/bin/stale"] = evmctl_signature(dir.path(), w.key, "the content before an edit\n");
    ima["/usr/bin/other-key"] =
        evmctl_signature(dir.path(), w.other, content["/usr/bin/other-key"]);
    ima["/usr/bin/own-valid"] = own("/usr/bin/own-valid");
    ima["/usr/bin/own-valid-sha512"] = own("/usr/bin/own-valid-sha512", "sha512");
    const std::string other_id = key_id_of(ima["/usr/bin/other-key"]);

    for (const std::string mode : {"archive", "bare-user"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            const std::string repo = dir / ("repo-" + mode);
            sh_ok("ostree init --repo=" + quote(repo) + " --mode=" + mode);
            (void)commit_with_ima_values(repo, tree, "main", ima);

            const Result s = sign(repo, {"--json"});
            BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
            const json r = json::parse(s.out);
            BOOST_TEST(r["files_signed"] == 9);
            BOOST_TEST(r["files_replaced"]["malformed"] == 7);
            BOOST_TEST(r["files_replaced"]["not_verifying"] == 1);
            BOOST_TEST(r["files_replaced"]["overwritten"] == 0);
            BOOST_TEST(r["files_kept"] == 3);
            BOOST_TEST(r["files_kept_other_keys"] == 1);
            BOOST_TEST(r["other_key_ids"] == json({{other_id, 1}}));
            const std::string commit = r["commit"];

            const auto after = read_commit_files(repo, commit);
            for (const char *kept :
                 {"/usr/bin/other-key", "/usr/bin/own-valid", "/usr/bin/own-valid-sha512"})
                BOOST_TEST((after.at(kept).ima == ima.at(kept)), kept);
            BOOST_TEST(!(after.at("/usr/bin/stale").ima == ima.at("/usr/bin/stale")));
            const Result v = run({binary(), "verify", "--repo=" + repo, "--cert=" + w.key.cert_der,
                                  "--cert=" + w.other.cert_der, "--require-all", commit});
            BOOST_TEST(v.exit_code == 0, v.out);
            const auto failures = evmctl_verify_checkout(repo, commit, w.key.cert_der, dir.path());
            BOOST_REQUIRE_EQUAL(failures.size(), 1u);
            BOOST_TEST(failures[0].find("./usr/bin/other-key") == 0u, failures[0]);
            require_fsck(repo);

            // The text report names the other key; ima-sign says it on stderr.
            const Result text = sign(repo, {}, "main", "signed");
            BOOST_TEST(text.exit_code == 0);
            BOOST_TEST(text.err.find("kept 3 existing signatures (1 by other keys, key id and "
                                     "files: " +
                                     other_id + " 1), replaced 8 invalid signatures") !=
                           std::string::npos,
                       text.err);
            const Result ext = run({binary(), "ima-sign", "--repo=" + repo, "--cert",
                                    w.key.cert_der, "main", "signed", "sha256", w.key.key_pem});
            BOOST_TEST(ext.exit_code == 0, ext.err);
            BOOST_TEST(trimmed(ext.out) == "signed => " + commit);
            BOOST_TEST(ext.err.find("by other keys") != std::string::npos, ext.err);

            // --overwrite replaces all eleven.
            const Result over = sign(repo, {"--json", "--overwrite"}, "main", "over");
            BOOST_REQUIRE_MESSAGE(over.exit_code == 0, over.err);
            BOOST_TEST(json::parse(over.out)["files_replaced"]["overwritten"] == 11);
            BOOST_TEST(evmctl_verify_checkout(repo, "over", w.key.cert_der, dir.path()).empty());

            // The signing room: with --cert, exactly what sign signs; without,
            // every signed file too; apply writes sign's commit either way.
            for (const bool with_cert : {true, false}) {
                BOOST_TEST_CONTEXT("digests " << (with_cert ? "with" : "without") << " --cert")
                {
                    const std::string manifest = dir / "digests.json";
                    const std::string sigs = dir / "signatures.json";
                    std::vector<std::string> argv = {binary(), "digests", "--repo=" + repo, "-o",
                                                     manifest};
                    if (with_cert)
                        argv.push_back("--cert=" + w.key.cert_der);
                    argv.push_back("main");
                    const Result d = run(argv);
                    BOOST_REQUIRE_MESSAGE(d.exit_code == 0, d.err);
                    const json m = json::parse(read_text(manifest));
                    std::size_t files = 0;
                    for (const auto &e : m["digests"])
                        files += e["paths"].size();
                    BOOST_TEST(files == (with_cert ? 9u : 12u));
                    const Result sd =
                        run({binary(), "sign-digests", "--yes", "--key=" + w.key.key_pem,
                             "--cert=" + w.key.cert_der, "-o", sigs, manifest});
                    BOOST_REQUIRE_MESSAGE(sd.exit_code == 0, sd.err);
                    const Result a =
                        run({binary(), "apply", "--repo=" + repo, "--cert=" + w.key.cert_der,
                             "--signatures=" + sigs, "main", "signed"});
                    BOOST_REQUIRE_MESSAGE(a.exit_code == 0, a.err);
                    BOOST_TEST(trimmed(a.out) == commit);
                }
            }
            // A manifest made for another key is refused before signing.
            const std::string manifest = dir / "for-other.json";
            BOOST_REQUIRE(run({binary(), "digests", "--repo=" + repo, "-o", manifest,
                               "--cert=" + w.other.cert_der, "main"})
                              .exit_code == 0);
            const Result wrong_key =
                run({binary(), "sign-digests", "--yes", "--key=" + w.key.key_pem,
                     "--cert=" + w.key.cert_der, "-o", dir / "x.json", manifest});
            BOOST_TEST(wrong_key.exit_code == 1);
            BOOST_TEST(wrong_key.err.find("the manifest was made for the key with IMA key id " +
                                          other_id) != std::string::npos,
                       wrong_key.err);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
