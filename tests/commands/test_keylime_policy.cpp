// Issue #22 part 1: `keylime-policy`, a Keylime runtime policy from a commit.
// The policy's digests against sha256sum/sha512sum of a checkout, path by
// path; its verification keys and keyring digests against what openssl
// prints for the certificate; its text against Python's json.dumps; the DSSE
// envelope checked by Python's cryptography as Keylime's verifier checks it
// (key file and SoftHSM2 token); --verity commits, non-UTF-8 paths and bad
// options refused. And tests/keylime/check-measurements.py, Keylime's rules
// on measurement lists built from the signed commit (template hashes as the
// kernel computes them): clean lists pass in both modes, a tampered file
// fails in both, two signed files swapped fail unless --trust-signatures.
#define BOOST_TEST_MODULE keylime_policy
#include <boost/test/unit_test.hpp>

#include "crafted_commit.hpp"
#include "fixtures.hpp"
#include "prerequisites.hpp"
#include "text_files.hpp"
#include "tokens.hpp"
#include "workspace.hpp"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <set>

using namespace test_support;

namespace {

// Debian's python3 with python3-cryptography: Keylime's own library.
constexpr const char *kPython = "/usr/bin/python3";

Needs suite_needs()
{
    Needs needs = softhsm_needs();
    needs.tools.emplace_back("sha256sum");
    needs.files.emplace_back(kPython);
    needs.files.emplace_back("/usr/lib/python3/dist-packages/cryptography/__init__.py");
    return needs;
}

Result tool(const std::vector<std::string> &args,
            const std::map<std::string, std::string> &env = {})
{
    std::vector<std::string> argv = {binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, env);
}

std::string checker()
{
    return source_dir() + "/tests/keylime/check-measurements.py";
}

std::string hex(const std::string &bytes)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : bytes) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    return out;
}

std::string digest_of(const char *md, const std::string &bytes)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    BOOST_REQUIRE(
        EVP_Digest(bytes.data(), bytes.size(), out, &len, EVP_get_digestbyname(md), nullptr) == 1);
    return {reinterpret_cast<const char *>(out), len};
}

// A template field: its length (32-bit little endian), then its bytes.
std::string field(const std::string &data)
{
    const auto n = static_cast<std::uint32_t>(data.size());
    std::string out(4, '\0');
    for (int i = 0; i < 4; ++i)
        out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return out + data;
}

// One line of ascii_runtime_measurements, template hash (SHA-1 over the
// fields: d-ng "algo:\0digest", n-ng "path\0", sig/buf) as the kernel logs it.
std::string measurement(const std::string &templ, const std::string &algo,
                        const std::string &digest, const std::string &name,
                        const std::string &extra)
{
    std::string data =
        field(algo + ":" + std::string(1, '\0') + digest) + field(name + std::string(1, '\0'));
    if (templ != "ima-ng")
        data += field(extra);
    std::string line = "10 " + hex(digest_of("sha1", data)) + " " + templ + " " + algo + ":" +
                       hex(digest) + " " + name;
    if (templ != "ima-ng")
        line += " " + hex(extra);
    return line + "\n";
}

// The content of each regular file of a checkout, by path ("/usr/bin/x").
std::map<std::string, std::string> checkout_contents(const std::string &repo,
                                                     const std::string &rev, const std::string &dir)
{
    sh_ok("rm -rf " + quote(dir) + " && ostree checkout --repo=" + quote(repo) + " " + quote(rev) +
          " " + quote(dir));
    std::map<std::string, std::string> out;
    const std::string list = sh_ok("cd " + quote(dir) + " && find . -type f | sort");
    std::size_t start = 0;
    while (start < list.size()) {
        const std::size_t end = list.find('\n', start);
        const std::string rel = list.substr(start + 1, end - start - 1); // drop "."
        out[rel] = read_text(dir + rel);
        start = end + 1;
    }
    return out;
}

// path -> hex digest as sha256sum/sha512sum print it for the checkout.
std::map<std::string, std::string> sum_checkout(const std::string &tool_name,
                                                const std::string &dir)
{
    std::map<std::string, std::string> out;
    const std::string list =
        sh_ok("cd " + quote(dir) + " && find . -type f -print0 | xargs -0 " + tool_name);
    std::size_t start = 0;
    while (start < list.size()) {
        const std::size_t end = list.find('\n', start);
        const std::string line = list.substr(start, end - start);
        out[line.substr(line.find("  ") + 3)] = line.substr(0, line.find(' ')); // "  ./x"
        start = end + 1;
    }
    return out;
}

struct World : Workspace {
    const KeyPair &rsa = key("rsa"), &other = key("other"), &ec = key("ec", "ec:P-256");
    KeyPair numbered;
    SoftHsmToken token;
    std::string tree, repo;
    World()
    {
        // A CA that numbers its keys: the SKID is not the key's SHA-1, so the
        // key id must come from the certificate, as Keylime takes it.
        numbered = make_key_with_skid(dir.path(), "numbered", "rsa:2048", "00112233445566778899");
        tree = dir / "tree";
        const std::string d = quote(tree);
        // Two programs, a library, one content at two paths (an object two
        // dirtree entries share) and a hard link (the same again), a
        // symlink, /usr/etc files, an empty file and a non-ASCII name.
        sh_ok("set -e; mkdir -p " + d + "/usr/bin " + d + "/usr/lib " + d + "/usr/share/doc " + d +
              "/usr/etc/sub; cd " + d +
              "; printf '#!/bin/sh\\necho hello\\n' > usr/bin/hello; chmod 0755 usr/bin/hello"
              "; printf '#!/bin/sh\\necho other\\n' > usr/bin/other; chmod 0755 usr/bin/other"
              "; printf 'lib\\n' > usr/lib/libx.so.1"
              "; printf 'shared\\n' > usr/lib/shared; cp usr/lib/shared usr/share/doc/shared"
              "; ln usr/lib/libx.so.1 usr/lib/libx-hardlink.so"
              "; ln -s hello usr/bin/hello-link"
              "; printf 'key=value\\n' > usr/etc/some.conf; printf 'deep\\n' > "
              "usr/etc/sub/deep.conf"
              "; : > usr/share/empty; printf 'caf\\n' > usr/share/doc/caf\xc3\xa9");
        repo = Workspace::repo("bare", tree, "os");
        sh_ok(quote(binary()) + " sign -q --repo=" + quote(repo) + " --key " + quote(rsa.key_pem) +
              " --cert " + quote(rsa.cert_pem) + " os os");
    }
};

World &world()
{
    static World w;
    return w;
}

nlohmann::json read_json(const std::string &path)
{
    return nlohmann::json::parse(read_text(path));
}

// The policy `keylime-policy` writes for `args` (exit 0 required).
nlohmann::json make_policy(const std::string &name, const std::vector<std::string> &args)
{
    World &w = world();
    std::vector<std::string> argv = {"keylime-policy", "-q", "--repo=" + w.repo, "-o",
                                     w.dir / name};
    argv.insert(argv.end(), args.begin(), args.end());
    const Result r = tool(argv);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return read_json(w.dir / name);
}

Result check(const std::string &policy, const std::string &list_name, const std::string &lines)
{
    const std::string list = world().dir / list_name;
    write_text(list, lines);
    return run({kPython, checker(), policy, list});
}

} // namespace

OSTREE_IMA_SUITE_NEEDS(suite_needs());

BOOST_AUTO_TEST_CASE(digests_are_the_checkouts_path_by_path)
{
    World &w = world();
    const nlohmann::json policy = make_policy("default.json", {"os"});
    checkout_contents(w.repo, "os", w.dir / "co");
    const auto sums = sum_checkout("sha256sum", w.dir / "co");
    BOOST_REQUIRE_EQUAL(sums.size(), 10U); // every regular file, both links, é
    BOOST_TEST(policy["digests"].size() == sums.size());
    for (const auto &[path, sum] : sums)
        BOOST_TEST(policy["digests"][path] == nlohmann::json::array({sum}), path);
    // The symlink is left out: the kernel logs the file it resolves to.
    BOOST_TEST(!policy["digests"].contains("/usr/bin/hello-link"));

    BOOST_TEST(policy["meta"] == nlohmann::json({{"version", 1}, {"generator", 3}}));
    BOOST_TEST(policy["release"] == 0);
    BOOST_TEST(policy["excludes"] ==
               nlohmann::json::array({"^/etc/", "^/var/", "^/tmp/", "^/run/"}));
    // Paths bound: no key Keylime could learn or trust.
    BOOST_TEST(policy["verification-keys"] == "");
    BOOST_TEST(policy["keyrings"] == nlohmann::json::object());
    BOOST_TEST(policy["ima"] == nlohmann::json({{"ignored_keyrings", {"_ima"}},
                                                {"log_hash_alg", "sha1"},
                                                {"dm_policy", nullptr}}));
    BOOST_TEST(policy["ima-buf"] == nlohmann::json::object());

    // The bytes are Python's json.dumps of the same document (what
    // keylime-policy writes), and the format round-trips through it.
    const std::string text = read_text(w.dir / "default.json");
    const std::string dumped =
        sh_ok(std::string(kPython) +
              " -c 'import json,sys; "
              "sys.stdout.write(json.dumps(json.load(open(sys.argv[1]))))' " +
              quote(w.dir / "default.json"));
    BOOST_TEST(dumped + "\n" == text);
}

BOOST_AUTO_TEST_CASE(hash_and_selectors)
{
    World &w = world();
    checkout_contents(w.repo, "os", w.dir / "co512");
    const auto sums = sum_checkout("sha512sum", w.dir / "co512");
    const auto sums256 = sum_checkout("sha256sum", w.dir / "co512");
    // The files carry sha256 signatures: the kernel measures a signed file
    // with its signature's hash, so both digests are listed, and said so.
    const Result r = tool({"keylime-policy", "--repo=" + w.repo, "--hash=sha512", "--release=7",
                           "-o", w.dir / "sha512.json", "os"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("carry a security.ima with sha256, not sha512") != std::string::npos,
               r.err);
    const nlohmann::json policy = read_json(w.dir / "sha512.json");
    BOOST_TEST(policy["release"] == 7);
    for (const auto &[path, sum] : sums) {
        std::set<std::string> expected = {sum, sums256.at(path)};
        BOOST_TEST(policy["digests"][path].get<std::set<std::string>>() == expected, path);
    }

    // A hash-only security.ima (type 4, sha512) makes the kernel measure
    // with sha512 too (ima_get_hash_algo), signature or not.
    const std::string tree = w.dir / "hash-only";
    sh_ok("mkdir -p " + quote(tree) + "/usr/bin && printf 'data\\n' > " + quote(tree) +
          "/usr/bin/x");
    const std::string sha512 = digest_of("sha512", "data\n");
    std::vector<std::uint8_t> value = {0x04, 6};
    value.insert(value.end(), sha512.begin(), sha512.end());
    commit_with_ima_values(w.repo, tree, "hash-only", {{"/usr/bin/x", value}});
    const Result hash_only =
        tool({"keylime-policy", "--repo=" + w.repo, "-o", w.dir / "hash-only.json", "hash-only"});
    BOOST_REQUIRE_MESSAGE(hash_only.exit_code == 0, hash_only.err);
    BOOST_TEST(hash_only.err.find("1 files carry a security.ima with sha512") != std::string::npos,
               hash_only.err);
    BOOST_TEST(
        read_json(w.dir / "hash-only.json")["digests"]["/usr/bin/x"].get<std::set<std::string>>() ==
        std::set<std::string>({hex(sha512), hex(digest_of("sha256", "data\n"))}));

    const nlohmann::json bin = make_policy("bin.json", {"--include=/usr/bin/*", "os"});
    BOOST_TEST(bin["digests"].size() == 2U);
    BOOST_TEST(bin["digests"].contains("/usr/bin/hello"));
    const nlohmann::json exec = make_policy("exec.json", {"--executables-only", "os"});
    BOOST_TEST(exec["digests"] == bin["digests"]);
    const nlohmann::json no_etc =
        make_policy("no-etc.json", {"--exclude=/usr/etc/**", "--exclude-regex=^/opt/",
                                    "--no-default-excludes", "os"});
    BOOST_TEST(no_etc["digests"].size() == 8U);
    BOOST_TEST(!no_etc["digests"].contains("/usr/etc/some.conf"));
    BOOST_TEST(no_etc["excludes"] == nlohmann::json::array({"^/opt/"}));
}

BOOST_AUTO_TEST_CASE(trusted_keys_are_what_openssl_prints)
{
    World &w = world();
    const nlohmann::json policy =
        make_policy("trust.json", {"--trust-signatures", "--cert", w.rsa.cert_pem, "--cert",
                                   w.ec.cert_der, "--cert", w.numbered.cert_pem, "os"});
    const nlohmann::json keys =
        nlohmann::json::parse(policy["verification-keys"].get<std::string>());
    BOOST_REQUIRE_EQUAL(keys["pubkeys"].size(), 3U);
    const std::string key_pem = w.dir / "rsa-pub.der";
    sh_ok("openssl x509 -in " + quote(w.rsa.cert_pem) +
          " -pubkey -noout | openssl pkey -pubin -outform DER -out " + quote(key_pem));
    BOOST_TEST(keys["pubkeys"][0] == trimmed(sh_ok("base64 -w0 " + quote(key_pem))));
    const std::string skid = certificate_skid_hex(w.rsa.cert_pem);
    BOOST_TEST(keys["keyids"][0] == std::stoul(skid.substr(skid.size() - 8), nullptr, 16));
    const std::string ec_skid = certificate_skid_hex(w.ec.cert_pem);
    BOOST_TEST(keys["keyids"][1] == std::stoul(ec_skid.substr(ec_skid.size() - 8), nullptr, 16));
    BOOST_TEST(keys["keyids"][2] == 0x66778899U);
    // The key measurement: the DER certificate keyctl padd loads, sha256.
    std::set<std::string> certs = {
        trimmed(sh_ok("openssl x509 -in " + quote(w.rsa.cert_pem) +
                      " -outform DER | sha256sum | cut -d' ' -f1")),
        trimmed(sh_ok("sha256sum " + quote(w.ec.cert_der) + " | cut -d' ' -f1")),
        trimmed(sh_ok("sha256sum " + quote(w.numbered.cert_der) + " | cut -d' ' -f1"))};
    BOOST_TEST(policy["keyrings"]["_ima"].get<std::set<std::string>>() == certs);
    BOOST_TEST(policy["ima"]["ignored_keyrings"] == nlohmann::json::array());
}

BOOST_AUTO_TEST_CASE(checker_applies_keylimes_rules)
{
    World &w = world();
    make_policy("bound.json", {"os"});
    make_policy("trusting.json", {"--trust-signatures", "--cert", w.rsa.cert_pem, "os"});
    const auto contents = checkout_contents(w.repo, "os", w.dir / "co-list");
    const auto facts = read_commit_files(w.repo, "os");
    auto sig_of = [&](const std::string &path) {
        const auto &ima = facts.at(path).ima;
        BOOST_REQUIRE(ima.has_value());
        return std::string(ima->begin(), ima->end());
    };
    // What a kernel with an ima-sig measure rule logs for the checkout: the
    // boot aggregate, the key loaded into _ima, every file, a file in /var.
    const std::string cert_bytes = read_text(w.rsa.cert_der);
    auto sig_line = [&](const std::string &path, const std::string &content,
                        const std::string &sig) {
        return measurement("ima-sig", "sha256", digest_of("sha256", content), path, sig);
    };
    std::string clean =
        measurement("ima-ng", "sha256", std::string(32, '\x11'), "boot_aggregate", "") +
        measurement("ima-buf", "sha256", digest_of("sha256", cert_bytes), "_ima", cert_bytes);
    for (const auto &[path, content] : contents)
        clean += sig_line(path, content, sig_of(path));
    clean += measurement("ima-ng", "sha256", digest_of("sha256", "log"), "/var/log/x.log", "");
    const std::string bound = w.dir / "bound.json";
    const std::string trusting = w.dir / "trusting.json";
    for (const auto &policy : {bound, trusting}) {
        const Result r = check(policy, "clean.list", clean);
        BOOST_TEST(r.exit_code == 0, policy << ": " << r.out << r.err);
    }

    // A file changed after signing: the kernel measures the new content; the
    // signature no longer verifies, and the digest is not listed.
    const std::string tampered =
        clean + sig_line("/usr/lib/libx.so.1", "evil\n", sig_of("/usr/lib/libx.so.1"));
    for (const auto &policy : {bound, trusting}) {
        const Result r = check(policy, "tampered.list", tampered);
        BOOST_TEST(r.exit_code == 1, policy << ": " << r.out << r.err);
        BOOST_TEST(r.out.find("/usr/lib/libx.so.1: digest") != std::string::npos, r.out);
    }

    // Two signed programs swapped: each path measures the other's content,
    // with the other's valid signature.
    const std::string swapped =
        clean +
        sig_line("/usr/bin/hello", contents.at("/usr/bin/other"), sig_of("/usr/bin/other")) +
        sig_line("/usr/bin/other", contents.at("/usr/bin/hello"), sig_of("/usr/bin/hello"));
    const Result bound_swap = check(bound, "swapped.list", swapped);
    BOOST_TEST(bound_swap.exit_code == 1, bound_swap.out << bound_swap.err);
    BOOST_TEST(bound_swap.out.find("/usr/bin/hello: digest") != std::string::npos);
    const Result trusting_swap = check(trusting, "swapped.list", swapped);
    BOOST_TEST(trusting_swap.exit_code == 0, trusting_swap.out << trusting_swap.err);

    // A signature by a key the policy does not trust is checked by digest.
    const std::string unknown_key =
        measurement("ima-sig", "sha256", digest_of("sha256", "x"), "/usr/bin/x",
                    std::string("\x03\x02\x04\x01\x02\x03\x04\x00\x01\x00", 10));
    BOOST_TEST(check(trusting, "unknown.list", clean + unknown_key).exit_code == 1);
    // The template hash is checked (all zeros: a ToMToU violation fails).
    std::string zeroed =
        sig_line("/usr/bin/hello", contents.at("/usr/bin/hello"), sig_of("/usr/bin/hello"));
    zeroed.replace(3, 40, std::string(40, '0'));
    BOOST_TEST(check(bound, "zeroed.list", clean + zeroed).exit_code == 1);
    std::string forged = zeroed;
    forged.replace(3, 40, std::string(40, 'a'));
    BOOST_TEST(check(bound, "forged.list", clean + forged).exit_code == 1);
    // A key measured into _ima that the policy does not list fails unless the
    // keyring is ignored (the default policy ignores it, learning nothing).
    const std::string other_bytes = read_text(w.other.cert_der);
    const std::string rogue_key =
        measurement("ima-buf", "sha256", digest_of("sha256", other_bytes), "_ima", other_bytes);
    BOOST_TEST(check(trusting, "rogue.list", clean + rogue_key).exit_code == 1);
    BOOST_TEST(check(bound, "rogue.list", clean + rogue_key).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(dsse_envelope_verifies_as_keylime_checks_it)
{
    World &w = world();
    const std::string verify = w.dir / "verify-dsse.py";
    // keylime/signing.py verify_dsse_envelope + keylime/dsse: PAE, ECDSA
    // with SHA-256 under the given public key; the payload is the policy.
    write_text(verify, "import base64, json, sys\n"
                       "from cryptography import x509\n"
                       "from cryptography.hazmat.primitives import hashes\n"
                       "from cryptography.hazmat.primitives.asymmetric import ec\n"
                       "env = json.load(open(sys.argv[1]))\n"
                       "cert = x509.load_pem_x509_certificate(open(sys.argv[2], 'rb').read())\n"
                       "payload = base64.b64decode(env['payload'])\n"
                       "t = env['payloadType']\n"
                       "assert t == 'application/vnd.keylime+json', t\n"
                       "pae = b'DSSEv1 %d %b %d %b' % (len(t), t.encode(), len(payload), payload)\n"
                       "sig = base64.b64decode(env['signatures'][0]['sig'])\n"
                       "cert.public_key().verify(sig, pae, ec.ECDSA(hashes.SHA256()))\n"
                       "sys.stdout.write(payload.decode() + '\\n')\n"
                       "sys.stderr.write(env['signatures'][0]['keyid'])\n");
    const std::string unsigned_policy = w.dir / "unsigned.json";
    make_policy("unsigned.json", {"os"});

    // A key file, with its certificate: keyid as Keylime's x509 backend.
    const Result file_signed =
        tool({"keylime-policy", "-q", "--repo=" + w.repo, "--sign-key", w.ec.key_pem, "--sign-cert",
              w.ec.cert_pem, "-o", w.dir / "signed-file.json", "os"});
    BOOST_REQUIRE_MESSAGE(file_signed.exit_code == 0, file_signed.err);
    const Result v1 = run({kPython, verify, w.dir / "signed-file.json", w.ec.cert_pem});
    BOOST_REQUIRE_MESSAGE(v1.exit_code == 0, v1.err);
    BOOST_TEST(v1.out == read_text(unsigned_policy));
    BOOST_TEST(v1.err == trimmed(sh_ok("base64 -w0 " + quote(w.ec.cert_pem))));
    // The envelope is json.dumps' too.
    const std::string dumped =
        sh_ok(std::string(kPython) +
              " -c 'import json,sys; "
              "sys.stdout.write(json.dumps(json.load(open(sys.argv[1]))))' " +
              quote(w.dir / "signed-file.json"));
    BOOST_TEST(dumped + "\n" == read_text(w.dir / "signed-file.json"));
    // The checker reads the envelope's policy.
    BOOST_TEST(check(w.dir / "signed-file.json", "empty.list", "").exit_code == 0);

    // Without --sign-cert: keyid as Keylime's ecdsa backend (hex SHA-256 of
    // the public key's PEM).
    const Result bare = tool({"keylime-policy", "-q", "--repo=" + w.repo, "--sign-key",
                              w.ec.key_pem, "-o", w.dir / "signed-bare.json", "os"});
    BOOST_REQUIRE_MESSAGE(bare.exit_code == 0, bare.err);
    const Result v2 = run({kPython, verify, w.dir / "signed-bare.json", w.ec.cert_pem});
    BOOST_REQUIRE_MESSAGE(v2.exit_code == 0, v2.err);
    BOOST_TEST(v2.err == trimmed(sh_ok("openssl x509 -in " + quote(w.ec.cert_pem) +
                                       " -pubkey -noout | sha256sum | cut -d' ' -f1")));

    // A SoftHSM2 token key: Keylime's own signer takes key files only.
    const std::string token_cert = w.dir / "token-ec.pem";
    sh_ok("openssl x509 -inform DER -in " + quote(w.token.cert("ec-p256")) + " -out " +
          quote(token_cert));
    const Result token_signed =
        tool({"keylime-policy", "-q", "--repo=" + w.repo, "--sign-key",
              SoftHsmToken::uri("ec-p256"), "--pin-file", w.token.pin_file, "--sign-cert",
              w.token.cert("ec-p256"), "-o", w.dir / "signed-token.json", "os"},
             w.token.env);
    BOOST_REQUIRE_MESSAGE(token_signed.exit_code == 0, token_signed.err);
    const Result v3 = run({kPython, verify, w.dir / "signed-token.json", token_cert});
    BOOST_TEST(v3.exit_code == 0, v3.err);
    BOOST_TEST(v3.out == read_text(unsigned_policy));
    // ... and not under another key.
    BOOST_TEST(run({kPython, verify, w.dir / "signed-token.json", w.ec.cert_pem}).exit_code != 0);
}

BOOST_AUTO_TEST_CASE(refusals)
{
    World &w = world();
    auto refused = [&](const std::vector<std::string> &args, int code, const std::string &words) {
        std::vector<std::string> argv = {"keylime-policy", "--repo=" + w.repo, "-o",
                                         w.dir / "refused.json"};
        argv.insert(argv.end(), args.begin(), args.end());
        const Result r = tool(argv);
        BOOST_TEST(r.exit_code == code, r.err);
        BOOST_TEST(line_count(r.err) == 1U, r.err);
        BOOST_TEST(r.err.find(words) != std::string::npos, r.err);
        BOOST_TEST(!std::filesystem::exists(w.dir / "refused.json"));
    };
    refused({"--trust-signatures", "os"}, 2, "--trust-signatures needs --cert");
    refused({"--cert", w.rsa.cert_pem, "os"}, 2, "--cert goes with --trust-signatures");
    refused({"--sign-cert", w.ec.cert_pem, "os"}, 2, "--sign-cert goes with --sign-key");
    refused({"--sign-key", w.rsa.key_pem, "os"}, 2, "Keylime verifies a signed runtime policy");
    refused({"--sign-key", w.ec.key_pem, "--sign-cert", w.rsa.cert_pem, "os"}, 1,
            "is not the certificate of");
    refused({"--hash=md4", "os"}, 2, "md4");
    refused({"--exclude-regex=", "os"}, 2, "--exclude-regex: empty value");
    refused({"no-such-ref"}, 1, "no-such-ref");

    // -o goes through the one output writer: a link planted there is
    // replaced, its target untouched.
    const std::string victim = w.dir / "victim";
    write_text(victim, "keep\n");
    sh_ok("ln -sf " + quote(victim) + " " + quote(w.dir / "planted.json"));
    make_policy("planted.json", {"os"});
    BOOST_TEST(read_text(victim) == "keep\n");
    BOOST_TEST(!std::filesystem::is_symlink(w.dir / "planted.json"));

    // fs-verity signatures: Keylime cannot parse what the kernel logs.
    sh_ok(quote(binary()) + " sign -q --repo=" + quote(w.repo) + " --verity --key " +
          quote(w.rsa.key_pem) + " os os-verity");
    refused({"os-verity"}, 1, "Keylime does not parse");
    // Paths that are not UTF-8 never reach the policy: OSTree refuses them
    // (ostree commit: "Invalid UTF-8 in filename"; libostree's dirtree
    // check on read), so keylime_policy_text's refusal is a guard only.
}
