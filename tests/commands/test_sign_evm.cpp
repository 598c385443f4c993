// `sign --evm`: portable EVM signatures (security.evm, type 5) on real bare
// repositories, checked out as root (owner, mode and xattrs kept). Checked
// independently: RSA byte for byte against `evmctl sign --portable` on the
// checkout; EC and SoftHSM2 keys with `openssl dgst -verify` over the EVM
// message this test builds from the checkout's getfattr and stat (the
// kernel's order of security xattrs, then struct h_misc of x86_64).
// Runs as root (CI does): a checkout keeps owner and xattrs only then.
#define BOOST_TEST_MODULE sign_evm
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "prerequisites.hpp"
#include "text_files.hpp"
#include "tokens.hpp"
#include "workspace.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

using namespace test_support;
using Bytes = std::vector<std::uint8_t>;

OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {

struct World : Workspace {
    SoftHsmToken token;
    std::string tree, repo;
    World()
    {
        key("rsa2048", "rsa:2048");
        key("ec-p256", "ec:P-256");
        // EVM keys of their own: one key per format (docs/format.md).
        key("evm-rsa", "rsa:2048");
        key("evm-ec", "ec:P-256");
        tree = standard_tree(key("other", "rsa:2048"));
        // An owner, group and mode the EVM signature must cover.
        sh_ok("chown 1234:4321 " + quote(tree + "/etc/hello.conf") + " && chmod 0640 " +
              quote(tree + "/etc/hello.conf"));
        repo = Workspace::repo("bare", tree);
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

Result sign(std::vector<std::string> args, const std::map<std::string, std::string> &env = {})
{
    args.insert(args.begin(), "sign");
    return ostree_ima(args, env);
}

// An xattr of a file in hex, "" when absent.
std::string xattr_hex(const std::string &file, const std::string &name)
{
    const Result r = sh("getfattr --absolute-names -e hex -n " + name + " " + quote(file));
    const std::string prefix = name + "=0x";
    const auto at = r.out.find(prefix);
    if (r.exit_code != 0 || at == std::string::npos)
        return "";
    return trimmed(r.out.substr(at + prefix.size(), r.out.find('\n', at) - at - prefix.size()));
}

void write_bytes(const std::string &file, const Bytes &bytes)
{
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

// The checkout of `rev` (as root: owner, mode and xattrs kept), its regular
// files: hard links to the objects unless `copy` (for a checkout to change).
std::vector<std::string> checkout_files(const std::string &rev, const std::string &co,
                                        bool copy = false, std::string repo = {})
{
    if (repo.empty())
        repo = world().repo;
    sh_ok("rm -rf " + quote(co) + " && ostree checkout " + (copy ? "--force-copy " : "") +
          "--repo=" + quote(repo) + " " + quote(rev) + " " + quote(co));
    std::vector<std::string> files;
    std::istringstream lines(sh_ok("cd " + quote(co) + " && find . -type f | sort"));
    for (std::string line; std::getline(lines, line);)
        files.push_back(co + "/" + line.substr(2));
    BOOST_REQUIRE(files.size() > 3U);
    return files;
}

// The message EVM hashes for a portable signature, built from the file.
Bytes evm_message(const std::string &file)
{
    Bytes message;
    for (const char *name : {"security.selinux", "security.SMACK64", "security.SMACK64EXEC",
                             "security.SMACK64TRANSMUTE", "security.SMACK64MMAP",
                             "security.apparmor", "security.ima", "security.capability"}) {
        const Bytes value = hex_bytes(xattr_hex(file, name));
        message.insert(message.end(), value.begin(), value.end());
    }
    struct stat st {};
    BOOST_REQUIRE(stat(file.c_str(), &st) == 0);
    Bytes misc(24, 0); // ino, generation 0; uid@12 gid@16 mode@20 (LE), padding
    for (int i = 0; i < 4; ++i) {
        misc[12 + i] = static_cast<std::uint8_t>(st.st_uid >> (8 * i));
        misc[16 + i] = static_cast<std::uint8_t>(st.st_gid >> (8 * i));
    }
    misc[20] = static_cast<std::uint8_t>(st.st_mode & 0xff);
    misc[21] = static_cast<std::uint8_t>((st.st_mode >> 8) & 0xff);
    message.insert(message.end(), misc.begin(), misc.end());
    return message;
}

// Every regular file of `rev`'s checkout has a type 5 security.evm with the
// key id of `cert` that openssl accepts over the EVM message.
void check_evm_with_openssl(const std::string &rev, const std::string &cert,
                            const std::string &hash = "sha256", const std::string &repo = {})
{
    TempDir scratch;
    sh_ok("openssl x509 -inform DER -in " + quote(cert) + " -pubkey -noout > " +
          quote(scratch / "pub.pem"));
    const std::string skid =
        sh_ok("openssl x509 -inform DER -in " + quote(cert) +
              " -noout -ext subjectKeyIdentifier | tail -n1 | tr -d ' :\\n' | tr A-F a-f");
    for (const std::string &file : checkout_files(rev, scratch / "co", false, repo)) {
        BOOST_TEST_CONTEXT(rev << " " << file)
        {
            const Bytes x = hex_bytes(xattr_hex(file, "security.evm"));
            BOOST_REQUIRE(x.size() > 9);
            BOOST_TEST(x[0] == 0x05);
            BOOST_TEST(x[1] == 0x02);
            BOOST_TEST(xattr_hex(file, "security.evm").substr(6, 8) ==
                       skid.substr(skid.size() - 8));
            BOOST_TEST(((std::size_t{x[7]} << 8) | x[8]) == x.size() - 9);
            write_bytes(scratch / "message", evm_message(file));
            write_bytes(scratch / "sig", Bytes(x.begin() + 9, x.end()));
            const Result r =
                sh("openssl dgst -" + hash + " -verify " + quote(scratch / "pub.pem") +
                   " -signature " + quote(scratch / "sig") + " " + quote(scratch / "message"));
            BOOST_TEST(r.exit_code == 0, r.out << r.err);
        }
    }
}

std::string to_hex(const Bytes &bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const std::uint8_t b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

// --evm with `k` as the EVM key.
std::vector<std::string> evm_with(const KeyPair &k)
{
    return {"--evm", "--evm-key=" + k.key_pem, "--evm-cert=" + k.cert_der};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string> &b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

nlohmann::json sign_json(std::vector<std::string> args)
{
    args.push_back("--json");
    const Result r = sign(args);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return nlohmann::json::parse(r.out);
}
} // namespace

// RSA PKCS#1 v1.5 is deterministic: each security.evm must equal what evmctl
// writes for the same checked-out file (its security xattrs, owner and mode).
// Besides the plain tree, the same tree labelled: every file with its own
// security.selinux, a capability (setcap) on the tool, and one file with
// every xattr EVM protects, so that the order in which they are hashed is
// the kernel's (docs/format.md) or the signatures differ. evmctl hashes
// security.SMACK64EXEC, SMACK64TRANSMUTE and SMACK64MMAP only with --smack,
// which gives the kernel's whole list; without these xattrs it changes
// nothing.
BOOST_AUTO_TEST_CASE(rsa_evm_is_byte_identical_to_evmctl_portable)
{
    World &w = world();
    const KeyPair &k = w.key("rsa2048");
    const KeyPair &e = w.key("evm-rsa");
    const std::string labelled = w.dir / "tree-labelled";
    sh_ok("rm -rf " + quote(labelled) + " && cp -a " + quote(w.tree) + " " + quote(labelled));
    sh_ok("cd " + quote(labelled) +
          " && n=0 && find . -type f | sort | while read -r f; do n=$((n + 1)); setfattr -n "
          "security.selinux -v system_u:object_r:file${n}_t:s0 \"$f\"; done"
          " && setcap cap_net_raw,cap_net_bind_service+ep usr/bin/tool"
          " && f=usr/lib/deep/deeper/with-xattr && setcap cap_sys_admin+ep $f"
          " && setfattr -n security.SMACK64 -v smack-label $f"
          " && setfattr -n security.SMACK64EXEC -v smack-exec $f"
          " && setfattr -n security.SMACK64TRANSMUTE -v TRUE $f"
          " && setfattr -n security.SMACK64MMAP -v smack-mmap $f"
          " && setfattr -n security.apparmor -v unconfined $f");
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b labelled --tree=dir=" + quote(labelled) +
          " >/dev/null");
    for (const std::string source : {"main", "labelled"}) {
        for (const std::string hash : {"sha256", "sha512"}) {
            const std::string ref = "evm-rsa-" + source + "-" + hash;
            const nlohmann::json j =
                sign_json(std::vector<std::string>{"--key=" + k.key_pem, "--cert=" + k.cert_der,
                                                   "--hash=" + hash, source, ref} +
                          evm_with(e));
            BOOST_TEST(j["evm"]["made"].get<std::uint64_t>() ==
                       j["files_signed"].get<std::uint64_t>() +
                           j["files_kept"].get<std::uint64_t>());
            TempDir scratch;
            std::size_t compared = 0;
            for (const std::string &file : checkout_files(ref, scratch / "co")) {
                BOOST_TEST_CONTEXT(source << " " << hash << " " << file)
                {
                    const std::string ours = xattr_hex(file, "security.evm");
                    BOOST_REQUIRE(!ours.empty());
                    const std::string copy = scratch / "copy";
                    // cp leaves security.evm out (libattr's /etc/xattr.conf).
                    sh_ok("rm -f " + quote(copy) + " && cp -a " + quote(file) + " " + quote(copy));
                    BOOST_REQUIRE(xattr_hex(copy, "security.evm").empty());
                    sh_ok("evmctl sign --portable --smack --key " + quote(e.key_pem) + " -a " +
                          hash + " " + quote(copy));
                    BOOST_TEST(xattr_hex(copy, "security.evm") == ours);
                    ++compared;
                }
            }
            BOOST_TEST(compared > 3U);
            // The owner and mode are covered: the file with uid 1234 and 0640.
            BOOST_TEST(sh_ok("stat -c %u:%g:%a " + quote(scratch / "co/etc/hello.conf")) ==
                       "1234:4321:640\n");
            if (source == "labelled") {
                // The checkout carries what the labels were meant to put
                // beside security.ima.
                const std::string all = scratch / "co/usr/lib/deep/deeper/with-xattr";
                for (const char *name :
                     {"security.selinux", "security.SMACK64", "security.SMACK64EXEC",
                      "security.SMACK64TRANSMUTE", "security.SMACK64MMAP", "security.apparmor",
                      "security.ima", "security.capability"})
                    BOOST_TEST(!xattr_hex(all, name).empty(), name);
                BOOST_TEST(!xattr_hex(scratch / "co/usr/bin/tool", "security.capability").empty());
                BOOST_TEST(!xattr_hex(scratch / "co/etc/hello.conf", "security.selinux").empty());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(ec_and_token_keys_checked_by_openssl)
{
    World &w = world();
    const KeyPair &rsa = w.key("rsa2048");
    const KeyPair &ec = w.key("evm-ec");
    Result r = sign(std::vector<std::string>{"--key=" + rsa.key_pem, "--cert=" + rsa.cert_der,
                                             "main", "evm-ec"} +
                    evm_with(ec));
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    check_evm_with_openssl("evm-ec", ec.cert_der);

    r = sign({"--key=" + rsa.key_pem, "--cert=" + rsa.cert_der, "--pin-file=" + w.token.pin_file,
              "--evm", "--evm-key=" + SoftHsmToken::uri("ec-p256"), "main", "evm-hsm"},
             w.token.env);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    check_evm_with_openssl("evm-hsm", w.token.cert("ec-p256"));
}

BOOST_AUTO_TEST_CASE(evm_key_differs_from_the_ima_key)
{
    World &w = world();
    const KeyPair &rsa = w.key("rsa2048");
    const KeyPair &ec = w.key("ec-p256");
    const nlohmann::json j =
        sign_json({"--key=" + rsa.key_pem, "--cert=" + rsa.cert_der, "--evm",
                   "--evm-key=" + ec.key_pem, "--evm-cert=" + ec.cert_der, "main", "evm-split"});
    BOOST_TEST(j["evm_key_id"].get<std::string>() != j["key_id"].get<std::string>());
    check_evm_with_openssl("evm-split", ec.cert_der);
    // verify needs both certificates (and the pre-signed file's); with the
    // IMA ones only, security.evm is by an unknown key.
    const std::string other = "--cert=" + w.key("other").cert_der;
    Result v = ostree_ima({"verify", "--cert=" + rsa.cert_der, "--cert=" + ec.cert_der, other,
                           "--evm", "--require-all", "evm-split"});
    BOOST_TEST(v.exit_code == 0, v.out << v.err);
    v = ostree_ima({"verify", "--cert=" + rsa.cert_der, other, "evm-split"});
    BOOST_TEST(v.exit_code != 0);
    BOOST_TEST(v.out.find("matches no --cert") != std::string::npos, v.out);
    // --evm-key needs --evm.
    const Result bad = sign({"--key=" + rsa.key_pem, "--evm-key=" + ec.key_pem, "main", "x"});
    BOOST_TEST(bad.exit_code != 0);
}

// Issue #19 part 1: one key for IMA and EVM makes the v2 signature of
// chosen content a valid security.evm; sign refuses every way of asking
// for it, before any key is used (no ref, no object).
BOOST_AUTO_TEST_CASE(one_key_for_ima_and_evm_is_refused)
{
    World &w = world();
    const KeyPair &rsa = w.key("rsa2048");
    const std::vector<std::string> ima{"--key=" + rsa.key_pem, "--cert=" + rsa.cert_der};
    const auto refused = [&](const std::vector<std::string> &args, const std::string &says) {
        const Result r = sign(ima + args + std::vector<std::string>{"main", "one-key"});
        BOOST_TEST(r.exit_code == 2, r.err);
        BOOST_TEST(r.err.find(says) != std::string::npos, r.err);
        BOOST_TEST(r.err.find("one key per format") != std::string::npos, r.err);
        BOOST_TEST(sh("ostree rev-parse --repo=" + quote(w.repo) + " one-key").exit_code != 0);
    };
    // --evm alone used to take --key.
    refused({"--evm"}, "--evm needs --evm-key");
    // The same key file, with and without its certificate.
    refused({"--evm", "--evm-key=" + rsa.key_pem}, "the EVM key is the IMA signing key");
    refused({"--evm", "--evm-key=" + rsa.key_pem, "--evm-cert=" + rsa.cert_der},
            "the EVM key is the IMA signing key");
    // The same key under another certificate, so another key id.
    const std::string again = w.dir / "rsa2048-again.pem";
    sh_ok("openssl req -new -x509 -key " + quote(rsa.key_pem) +
          " -subj /CN=again -days 1 -addext subjectKeyIdentifier=0102030405060708 -out " +
          quote(again) + " 2>/dev/null");
    refused({"--evm", "--evm-key=" + rsa.key_pem, "--evm-cert=" + again},
            "the EVM key is the IMA signing key");
    // Another key under the IMA key's key id.
    const std::string skid = certificate_skid_hex(w.key("evm-rsa").cert_pem);
    refused({"--evm", "--evm-key=" + w.key("evm-rsa").key_pem,
             "--evm-cert=" + w.key("evm-rsa").cert_der, "--keyid=" + skid.substr(skid.size() - 8)},
            "has the IMA key's key id");
}

BOOST_AUTO_TEST_CASE(verify_checks_evm_and_strip_removes_it)
{
    World &w = world();
    const KeyPair &k = w.key("rsa2048");
    const KeyPair &e = w.key("evm-rsa");
    BOOST_REQUIRE(sign(std::vector<std::string>{"--key=" + k.key_pem, "--cert=" + k.cert_der,
                                                "main", "evm-v"} +
                       evm_with(e))
                      .exit_code == 0);
    BOOST_REQUIRE(
        sign({"--key=" + k.key_pem, "--cert=" + k.cert_der, "main", "ima-only"}).exit_code == 0);
    const std::string other = w.key("other").cert_der;
    Result v = ostree_ima({"verify", "--cert=" + k.cert_der, "--cert=" + e.cert_der,
                           "--cert=" + other, "--evm", "evm-v"});
    BOOST_TEST(v.exit_code == 0, v.out << v.err);
    v = ostree_ima({"verify", "--cert=" + k.cert_der, "--cert=" + other, "ima-only"});
    BOOST_TEST(v.exit_code == 0, v.out << v.err);
    v = ostree_ima(
        {"verify", "--cert=" + k.cert_der, "--cert=" + other, "--evm", "--json", "ima-only"});
    BOOST_TEST(v.exit_code != 0);
    BOOST_TEST(v.out.find("evm_missing") != std::string::npos, v.out);

    // A stale security.evm: the checkout's security.ima replaced by another
    // valid signature (the other key's, made by evmctl), committed again.
    TempDir scratch;
    const std::vector<std::string> files = checkout_files("evm-v", scratch / "co", true);
    const std::string target = scratch / "co/etc/hello.conf";
    const std::string copy = scratch / "copy";
    sh_ok("cp -a " + quote(target) + " " + quote(copy) + " && evmctl ima_sign --key " +
          quote(w.key("other").key_pem) + " -a sha256 " + quote(copy));
    const std::string resigned = xattr_hex(copy, "security.ima");
    BOOST_REQUIRE(resigned != xattr_hex(target, "security.ima"));
    sh_ok("setfattr -n security.ima -v 0x" + resigned + " " + quote(target));
    sh_ok("ostree commit --repo=" + quote(w.repo) +
          " -b stale --tree=dir=" + quote(scratch / "co"));
    v = ostree_ima({"verify", "--cert=" + k.cert_der, "--cert=" + e.cert_der, "--cert=" + other,
                    "--json", "stale"});
    BOOST_TEST(v.exit_code != 0);
    const nlohmann::json jv = nlohmann::json::parse(v.out);
    std::vector<std::string> bad;
    for (const auto &f : jv["findings"])
        bad.push_back(f["path"].get<std::string>() + " " + f["problem"].get<std::string>());
    BOOST_TEST(bad == std::vector<std::string>{"/etc/hello.conf bad_evm"}, v.out);

    // strip removes security.evm with security.ima: what strip makes of the
    // commit signed without --evm.
    for (const std::string ref : {"evm-v", "ima-only"}) {
        const Result s = ostree_ima({"strip", ref, ref + "-stripped"});
        BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    }
    BOOST_TEST(commit_root_tree(w.repo, "evm-v-stripped") ==
               commit_root_tree(w.repo, "ima-only-stripped"));
}

BOOST_AUTO_TEST_CASE(kept_when_valid_replaced_or_removed_when_stale)
{
    World &w = world();
    const KeyPair &k = w.key("rsa2048");
    const KeyPair &ec = w.key("ec-p256");
    const std::vector<std::string> rsa_evm = evm_with(w.key("evm-rsa"));
    BOOST_REQUIRE(sign(std::vector<std::string>{"--key=" + k.key_pem, "--cert=" + k.cert_der,
                                                "main", "evm-k"} +
                       rsa_evm)
                      .exit_code == 0);
    // Again: every security.ima and security.evm verifies, nothing changes.
    nlohmann::json j = sign_json(
        std::vector<std::string>{"--key=" + k.key_pem, "--cert=" + k.cert_der, "evm-k", "evm-k2"} +
        rsa_evm);
    BOOST_TEST(j["evm"]["made"].get<std::uint64_t>() == 0U);
    BOOST_TEST(j["evm"]["replaced"].get<std::uint64_t>() == 0U);
    const std::uint64_t files = j["evm"]["kept"].get<std::uint64_t>();
    BOOST_TEST(files > 3U);
    BOOST_TEST(commit_root_tree(w.repo, "evm-k2") == commit_root_tree(w.repo, "evm-k"));

    // --overwrite with other keys and --evm: every security.evm replaced.
    j = sign_json(std::vector<std::string>{"--key=" + ec.key_pem, "--cert=" + ec.cert_der,
                                           "--overwrite", "evm-k", "evm-k3"} +
                  evm_with(w.key("evm-ec")));
    BOOST_TEST(j["evm"]["replaced"].get<std::uint64_t>() == files);
    check_evm_with_openssl("evm-k3", w.key("evm-ec").cert_der);

    // Without --evm: the new security.ima makes each security.evm stale; it
    // is removed, and said so.
    const Result r =
        sign({"--key=" + ec.key_pem, "--cert=" + ec.cert_der, "--overwrite", "evm-k", "evm-gone"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("removed " + std::to_string(files) + " stale security.evm") !=
                   std::string::npos,
               r.err);
    TempDir scratch;
    for (const std::string &file : checkout_files("evm-gone", scratch / "co"))
        BOOST_TEST(xattr_hex(file, "security.evm").empty(), file);
    // Without --overwrite the RSA signatures are kept (another key's): their
    // security.evm stays, valid.
    j = sign_json({"--key=" + ec.key_pem, "--cert=" + ec.cert_der, "evm-k", "evm-stays"});
    BOOST_TEST(j["evm"]["removed_stale"].get<std::uint64_t>() == 0U);
    BOOST_TEST(commit_root_tree(w.repo, "evm-stays") == commit_root_tree(w.repo, "evm-k"));
}

// What deployment changes: an SELinux policy in a commit without labels is
// refused (deploy would label every file), /usr/etc is a warning.
BOOST_AUTO_TEST_CASE(deployment_risks_refused_or_warned)
{
    World &w = world();
    const KeyPair &k = w.key("rsa2048");
    const std::string os = w.dir / "os";
    sh_ok("mkdir -p " + quote(os + "/usr/bin") + " " + quote(os + "/usr/etc/selinux") +
          " && echo tool > " + quote(os + "/usr/bin/tool") + " && echo a=1 > " +
          quote(os + "/usr/etc/app.conf") + " && printf '# policy\\nSELINUX=enforcing\\n' > " +
          quote(os + "/usr/etc/selinux/config"));
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b os --tree=dir=" + quote(os));
    const std::string before = rev_parse(w.repo, "os");
    const std::vector<std::string> key{"--key=" + k.key_pem, "--cert=" + k.cert_der};
    const std::string evm_key = "--evm-key=" + w.key("evm-rsa").key_pem;

    const auto object_count = [&] {
        return sh_ok("find " + quote(w.repo + "/objects") + " -type f | wc -l");
    };
    const std::string objects_before = object_count();
    Result r = sign({key[0], key[1], "--evm", evm_key, "os", "os"});
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.err.find("--evm-ignore-selinux") != std::string::npos, r.err);
    BOOST_TEST(rev_parse(w.repo, "os") == before);
    // Refused before anything was signed: no new object left behind.
    BOOST_TEST(object_count() == objects_before);

    // Labelled in part (the config labelled, a file not): still refused,
    // once every object has been read.
    const std::string part = w.dir / "os-part";
    sh_ok("cp -a " + quote(os) + " " + quote(part) +
          " && setfattr -n security.selinux -v system_u:object_r:etc_t:s0 " +
          quote(part + "/usr/etc/selinux/config"));
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b os-part --tree=dir=" + quote(part));
    const std::string part_before = rev_parse(w.repo, "os-part");
    r = sign({key[0], key[1], "--evm", evm_key, "os-part", "os-part"});
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.err.find("--evm-ignore-selinux") != std::string::npos, r.err);
    // How many lack a label, not "no security.selinux" when some have one.
    BOOST_TEST(r.err.find("but 2 of its 3 signed files carry no security.selinux") !=
                   std::string::npos,
               r.err);
    BOOST_TEST(rev_parse(w.repo, "os-part") == part_before);

    // The config a symlink within the commit: followed as the deployed
    // system follows /etc/selinux/config (/etc is /usr/etc), inside the
    // commit only; refused as the file itself is.
    for (const std::string target :
         {"../../usr/share/selinux/config", "/usr/share/selinux/config",
          "../../../../../../../usr/share/selinux/config", "/etc/selinux/real"}) {
        BOOST_TEST_CONTEXT(target)
        {
            const std::string linked = w.dir / "os-link";
            sh_ok("rm -rf " + quote(linked) + " && cp -a " + quote(os) + " " + quote(linked) +
                  " && mkdir -p " + quote(linked + "/usr/share/selinux") + " && mv " +
                  quote(linked + "/usr/etc/selinux/config") + " " +
                  quote(linked + "/usr/share/selinux/config") + " && cp " +
                  quote(linked + "/usr/share/selinux/config") + " " +
                  quote(linked + "/usr/etc/selinux/real") + " && ln -s " + quote(target) + " " +
                  quote(linked + "/usr/etc/selinux/config"));
            sh_ok("ostree commit --repo=" + quote(w.repo) +
                  " -b os-link --tree=dir=" + quote(linked) + " >/dev/null");
            const std::string link_before = rev_parse(w.repo, "os-link");
            r = sign({key[0], key[1], "--evm", evm_key, "os-link", "os-link"});
            BOOST_TEST(r.exit_code == 1, r.err);
            BOOST_TEST(r.err.find("--evm-ignore-selinux") != std::string::npos, r.err);
            BOOST_TEST(rev_parse(w.repo, "os-link") == link_before);
        }
    }
    // A link that leaves the commit (the host's /etc/selinux/config is
    // never read) or loops names no config: nothing to refuse.
    for (const std::string target : {"/../../../etc/selinux/config", "config"}) {
        const std::string linked = w.dir / "os-away";
        sh_ok("rm -rf " + quote(linked) + " && cp -a " + quote(os) + " " + quote(linked) +
              " && rm " + quote(linked + "/usr/etc/selinux/config") + " && ln -s " + quote(target) +
              " " + quote(linked + "/usr/etc/selinux/config"));
        sh_ok("ostree commit --repo=" + quote(w.repo) + " -b os-away --tree=dir=" + quote(linked) +
              " >/dev/null");
        r = sign({key[0], key[1], "--evm", evm_key, "os-away", "os-away"});
        BOOST_TEST(r.exit_code == 0, target << ": " << r.err);
    }

    // Labelled whole: nothing to refuse.
    sh_ok("for f in usr/bin/tool usr/etc/app.conf; do setfattr -n security.selinux -v "
          "system_u:object_r:usr_t:s0 " +
          quote(part) + "/$f; done");
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b os-labelled --tree=dir=" + quote(part));
    r = sign({key[0], key[1], "--evm", evm_key, "os-labelled", "os-labelled"});
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("security.selinux") == std::string::npos, r.err);

    // Without --evm nothing is refused.
    r = sign({key[0], key[1], "os", "os-ima"});
    BOOST_TEST(r.exit_code == 0, r.err);

    r = sign({key[0], key[1], "--evm", evm_key, "--evm-ignore-selinux", "os", "os-evm"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("warning: signed 2 files under /usr/etc (first /usr/etc/app.conf): "
                          "deployment copies them to /etc, where an edit leaves a stale "
                          "signature (security.ima and security.evm)") != std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("warning: 3 EVM-signed files have no security.selinux") !=
                   std::string::npos,
               r.err);
    const nlohmann::json j =
        sign_json({key[0], key[1], "--evm", evm_key, "--evm-ignore-selinux", "os", "os-evm2"});
    BOOST_TEST(j["evm"]["under_usr_etc"].get<std::uint64_t>() == 2U);
    BOOST_TEST(j["evm"]["selinux_policy"].get<bool>());

    // A disabled policy is no risk: signed, /usr/etc still warned about.
    write_text(os + "/usr/etc/selinux/config", "SELINUX=disabled\n");
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b os-off --tree=dir=" + quote(os));
    r = sign({key[0], key[1], "--evm", evm_key, "os-off", "os-off"});
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("security.selinux") == std::string::npos, r.err);
    BOOST_TEST(r.err.find("under /usr/etc") != std::string::npos, r.err);
}

// EVM covers whichever security.ima: fs-verity ones too (the pre-signed
// file's v2 signature replaced), in an archive repository (each object
// rewritten behind a new header).
BOOST_AUTO_TEST_CASE(verity_signatures_in_an_archive_repository)
{
    World &w = world();
    const KeyPair &ec = w.key("ec-p256");
    TempDir dir;
    const std::string archive = make_repo(dir.path(), "archive", w.tree);
    const KeyPair &e = w.key("evm-rsa");
    const Result r = run({binary(), "sign", "--repo=" + archive, "--key=" + ec.key_pem,
                          "--cert=" + ec.cert_der, "--verity", "--evm", "--evm-key=" + e.key_pem,
                          "--evm-cert=" + e.cert_der, "main", "evm-verity"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    check_evm_with_openssl("evm-verity", e.cert_der, "sha256", archive);
    const Result v =
        run({binary(), "verify", "--repo=" + archive, "--cert=" + ec.cert_der,
             "--cert=" + e.cert_der, "--cert=" + w.key("other").cert_der, "--evm", "evm-verity"});
    BOOST_TEST(v.exit_code == 0, v.out << v.err);
    BOOST_TEST(sh_ok("ostree fsck --repo=" + quote(archive) + " 2>&1; echo rc=$?").find("rc=0") !=
               std::string::npos);
}

// Issue #19 part 1, end to end. A file whose content is another file's EVM
// message (its security.ima, then h_misc with uid 0, gid 0, mode 04755)
// gets a v2 signature that, re-typed 03 -> 05, is a valid security.evm
// for that file made setuid root, wherever one key is trusted for both.
// openssl shows the forgery valid; every way ostree-ima could make such a
// v2 signature refuses, naming the path; verify --evm rejects the forgery.
BOOST_AUTO_TEST_CASE(v2_signature_as_evm_forgery_is_refused_everywhere)
{
    World &w = world();
    const KeyPair &k = w.key("rsa2048");
    const std::vector<std::string> key{"--key=" + k.key_pem, "--cert=" + k.cert_der};
    TempDir scratch;
    BOOST_REQUIRE(sign(key + std::vector<std::string>{"main", "rel1"}).exit_code == 0);
    const std::string rel1 = scratch / "rel1";
    checkout_files("rel1", rel1, true);
    const std::string helper = rel1 + "/usr/bin/tool";
    const Bytes ima = hex_bytes(xattr_hex(helper, "security.ima"));
    BOOST_REQUIRE(!ima.empty());

    // The next build carries the helper's EVM message as a data file.
    Bytes message = ima;
    Bytes misc(24, 0);
    const unsigned mode = S_IFREG | 04755;
    misc[20] = static_cast<std::uint8_t>(mode & 0xff);
    misc[21] = static_cast<std::uint8_t>(mode >> 8);
    message.insert(message.end(), misc.begin(), misc.end());
    const std::string tree = scratch / "tree2";
    sh_ok("cp -a " + quote(w.tree) + " " + quote(tree) + " && mkdir -p " +
          quote(tree + "/usr/share"));
    const std::string data = tree + "/usr/share/data.bin";
    write_bytes(data, message);
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b forge-src --tree=dir=" + quote(tree));

    // The forgery is real: the v2 signature of that file by the key, re-typed,
    // verifies (openssl) over the message of the helper made setuid root.
    const std::string signed_copy = scratch / "signed-data";
    sh_ok("cp " + quote(data) + " " + quote(signed_copy) + " && evmctl ima_sign --key " +
          quote(k.key_pem) + " -a sha256 " + quote(signed_copy) + " >/dev/null");
    const Bytes v2 = hex_bytes(xattr_hex(signed_copy, "security.ima"));
    BOOST_REQUIRE(v2.size() > 9 && v2[0] == 0x03);
    sh_ok("chmod 4755 " + quote(helper));
    Bytes evm = v2;
    evm[0] = 0x05;
    sh_ok("setfattr -n security.evm -v 0x" + to_hex(evm) + " " + quote(helper));
    BOOST_REQUIRE(evm_message(helper) == message);
    sh_ok("openssl x509 -in " + quote(k.cert_pem) + " -pubkey -noout > " +
          quote(scratch / "pub.pem"));
    write_bytes(scratch / "sig", Bytes(v2.begin() + 9, v2.end()));
    write_bytes(scratch / "message", evm_message(helper));
    BOOST_TEST(sh("openssl dgst -sha256 -verify " + quote(scratch / "pub.pem") + " -signature " +
                  quote(scratch / "sig") + " " + quote(scratch / "message"))
                   .exit_code == 0);
    // verify --evm: a security.evm by the key of the file's security.ima.
    sh_ok("ostree commit --repo=" + quote(w.repo) + " -b forged --tree=dir=" + quote(rel1));
    const Result v = ostree_ima(
        {"verify", "--cert=" + k.cert_der, "--cert=" + w.key("other").cert_der, "--evm", "forged"});
    BOOST_TEST(v.exit_code == 1, v.out << v.err);
    BOOST_TEST(v.out.find("/usr/bin/tool") != std::string::npos, v.out);
    BOOST_TEST(v.out.find("by the key of its security.ima") != std::string::npos, v.out);

    const auto refused = [&](const Result &r, const std::string &what) {
        BOOST_TEST_CONTEXT(what)
        {
            BOOST_TEST(r.exit_code == 1, r.out << r.err);
            BOOST_TEST(r.err.find("/usr/share/data.bin (object ") != std::string::npos, r.err);
            BOOST_TEST(r.err.find("shaped like an EVM message") != std::string::npos, r.err);
            BOOST_TEST(r.err.find("--exclude") != std::string::npos, r.err);
        }
    };
    const auto no_ref = [&](const std::string &ref) {
        BOOST_TEST(sh("ostree rev-parse --repo=" + quote(w.repo) + " " + ref).exit_code != 0, ref);
    };
    // sign and digests.
    refused(sign(key + std::vector<std::string>{"forge-src", "forge-v2"}), "sign");
    no_ref("forge-v2");
    refused(ostree_ima({"digests", "--cert=" + k.cert_der, "-o", scratch / "m.json", "forge-src"}),
            "digests");
    // Behind labels that make it longer than the end the check keeps
    // (300,000 bytes, as if six large security.* values came first).
    const std::string long_tree = scratch / "tree-long";
    sh_ok("cp -a " + quote(tree) + " " + quote(long_tree) +
          " && { head -c 300000 /dev/zero | tr "
          "'\\0' x; cat " +
          quote(data) + "; } > " + quote(long_tree + "/usr/share/data.bin.new") + " && mv " +
          quote(long_tree + "/usr/share/data.bin.new") + " " +
          quote(long_tree + "/usr/share/data.bin"));
    sh_ok("ostree commit --repo=" + quote(w.repo) +
          " -b forge-long --tree=dir=" + quote(long_tree));
    refused(sign(key + std::vector<std::string>{"forge-long", "forge-long-signed"}), "labels");
    no_ref("forge-long-signed");
    BOOST_TEST(!std::filesystem::exists(scratch / "m.json"));

    // The signature already in the source, by the signing key, with the
    // signing algorithm and with another one: not kept.
    const auto commit_with_signature = [&](const std::string &ref, const std::string &algo) {
        const std::string t = scratch / ref;
        sh_ok("cp -a " + quote(tree) + " " + quote(t) + " && evmctl ima_sign --key " +
              quote(k.key_pem) + " -a " + algo + " " + quote(t + "/usr/share/data.bin") +
              " >/dev/null");
        sh_ok("ostree commit --repo=" + quote(w.repo) + " -b " + ref + " --tree=dir=" + quote(t));
    };
    commit_with_signature("forge-kept", "sha256");
    commit_with_signature("forge-kept512", "sha512");
    refused(sign(key + std::vector<std::string>{"forge-kept", "forge-kept-signed"}), "kept");
    no_ref("forge-kept-signed");
    refused(sign(key + std::vector<std::string>{"forge-kept512", "forge-kept512-signed"}),
            "kept sha512");
    no_ref("forge-kept512-signed");
    refused(
        ostree_ima({"digests", "--cert=" + k.cert_der, "-o", scratch / "m.json", "forge-kept512"}),
        "digests, kept sha512");

    // --reuse of a commit that holds the signature, and a cache line of it.
    refused(sign(key + std::vector<std::string>{"--reuse=forge-kept", "forge-src", "forge-reuse"}),
            "--reuse");
    no_ref("forge-reuse");
    const std::string cache = scratch / "cache";
    const std::string digest = sh_ok("sha256sum " + quote(data) + " | cut -c1-64 | tr -d '\\n'");
    write_text(cache, "# ostree-ima signature cache 1\nsha256 " + digest + " " +
                          to_hex(Bytes(v2.begin() + 3, v2.begin() + 7)) + " " +
                          sh_ok("base64 -w0 " + quote(scratch / "sig")) + "\n");
    refused(sign(key + std::vector<std::string>{"--signature-cache=" + cache, "forge-src",
                                                "forge-cache"}),
            "cache");
    no_ref("forge-cache");

    // apply: the signing room cannot see content and signs the digest of a
    // manifest that lists the file; apply recomputes it from the repository.
    const std::string manifest = scratch / "m.json";
    const Result d = ostree_ima({"digests", "--cert=" + k.cert_der, "--exclude=/usr/share/data.bin",
                                 "-o", manifest, "forge-src"});
    BOOST_REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    nlohmann::json m = nlohmann::json::parse(read_text(manifest));
    m["selection"]["exclude"] = nlohmann::json::array();
    m["digests"].push_back({{"digest", digest}, {"paths", {"/usr/share/data.bin"}}});
    write_text(manifest, m.dump(2) + "\n");
    const std::string signatures = scratch / "signatures.json";
    const Result room = run({binary(), "sign-digests", "--yes", "-o", signatures,
                             "--key=" + k.key_pem, "--cert=" + k.cert_der, manifest});
    BOOST_REQUIRE_MESSAGE(room.exit_code == 0, room.err);
    refused(ostree_ima({"apply", "--cert=" + k.cert_der, "--signatures=" + signatures, "forge-src",
                        "forge-applied"}),
            "apply");
    no_ref("forge-applied");
}

// The signing room makes no EVM signatures; `apply` replacing security.ima
// removes the security.evm that covered the old one, and says so.
BOOST_AUTO_TEST_CASE(apply_removes_stale_evm)
{
    World &w = world();
    const KeyPair &rsa = w.key("rsa2048");
    const KeyPair &ec = w.key("ec-p256");
    BOOST_REQUIRE(sign(std::vector<std::string>{"--key=" + rsa.key_pem, "--cert=" + rsa.cert_der,
                                                "main", "room-evm"} +
                       evm_with(w.key("evm-rsa")))
                      .exit_code == 0);
    TempDir dir;
    const std::string manifest = dir / "digests.json", signatures = dir / "signatures.json";
    Result r =
        ostree_ima({"digests", "--overwrite", "--cert=" + ec.cert_der, "-o", manifest, "room-evm"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    r = run({binary(), "sign-digests", "--yes", "-o", signatures, "--key=" + ec.key_pem,
             "--cert=" + ec.cert_der, manifest});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    r = ostree_ima({"apply", "--cert=" + ec.cert_der, "--signatures=" + signatures, "room-evm",
                    "room-applied"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("stale security.evm") != std::string::npos, r.err);
    TempDir scratch;
    for (const std::string &file : checkout_files("room-applied", scratch / "co")) {
        BOOST_TEST(xattr_hex(file, "security.evm").empty(), file);
        BOOST_TEST(!xattr_hex(file, "security.ima").empty(), file);
    }
    // No --evm option in the room.
    BOOST_TEST(ostree_ima({"digests", "--evm", "-o", dir / "x.json", "room-evm"}).exit_code != 0);
}
