// security.ima as the kernel reads it, checked without evmctl's help.
//
// The kernel looks the verifying key up in its .ima keyring by the last 4
// bytes of the certificate's subjectKeyIdentifier, and parses the v2
// header's signature size as big-endian. Every other test key has SKID =
// SHA-1 of the key, which is also evmctl's key id from the public key, so
// a key id that ignored the SKID passed them; and Debian's evmctl 1.4
// ignores the size field. So: certificates whose SKID is any other value
// (and one without a SKID), key ids compared with what `openssl x509 -ext
// subjectKeyIdentifier` prints, and every header of a signed commit decoded
// here byte by byte.
#define BOOST_TEST_MODULE kernel_view
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "text_files.hpp"
#include "workspace.hpp"

#include <nlohmann/json.hpp>

using namespace test_support;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Not the SHA-1 of any key: a CA's own numbering. Its last 4 bytes are the
// key id the kernel looks for.
const std::string kSkid = "00112233445566778899aabbccddeeffc0ffee42";

struct World : Workspace {
    std::string tree = standard_tree(key("other"));
    std::string repo = Workspace::repo("archive", tree);
};

World &world()
{
    static World w;
    return w;
}

std::string hex(const Bytes &bytes)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    return out;
}

// `sign --json` into `target`; the parsed report (the run must succeed).
nlohmann::json sign_json(std::vector<std::string> extra, const std::string &target,
                         std::string *err = nullptr)
{
    World &w = world();
    std::vector<std::string> argv = {binary(), "sign", "--json", "--overwrite", "--repo=" + w.repo};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("main");
    argv.push_back(target);
    const Result r = run(argv);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "sign failed (" << r.exit_code << "): " << r.err);
    if (err != nullptr)
        *err = r.err;
    return nlohmann::json::parse(r.out);
}

// Every security.ima of `rev`, decoded as the kernel's
// asymmetric_verify/ima_appraise read a v2 signature: type 3, version 2,
// the hash algorithm's kernel id, the 4-byte key id, a big-endian size
// equal to the rest. Returns how many files carry one.
std::size_t check_headers(const std::string &repo, const std::string &rev,
                          const std::string &key_id_hex, int kernel_hash_id)
{
    std::size_t signed_files = 0;
    for (const auto &[path, facts] : read_commit_files(repo, rev)) {
        if (!facts.regular || !facts.ima || path == "/usr/bin/presigned")
            continue; // presigned: evmctl's own header, kept as it was
        BOOST_TEST_CONTEXT(rev << ":" << path)
        {
            const Bytes &x = *facts.ima;
            BOOST_TEST_REQUIRE(x.size() > 9u);
            BOOST_TEST(x[0] == 0x03);
            BOOST_TEST(x[1] == 0x02);
            BOOST_TEST(x[2] == kernel_hash_id);
            BOOST_TEST(hex(Bytes(x.begin() + 3, x.begin() + 7)) == key_id_hex);
            const std::size_t size = (std::size_t{x[7]} << 8) | x[8];
            BOOST_TEST(size == x.size() - 9, "size field " << size << " (bytes " << int(x[7]) << " "
                                                           << int(x[8]) << "), " << x.size() - 9
                                                           << " bytes follow");
            ++signed_files;
        }
    }
    return signed_files;
}

// The key id evmctl writes for `key` (SHA-1 of the public key, as
// calc_keyid_v2), read back from a file it signs.
std::string evmctl_key_id(const std::string &key)
{
    World &w = world();
    const std::string file = w.dir / "evmctl-key-id";
    sh_ok("printf 'x' > " + quote(file) + " && evmctl ima_sign --hashalgo sha256 --key " +
          quote(key) + " " + quote(file) + " >/dev/null");
    const std::string value =
        trimmed(sh_ok("getfattr --only-values -n security.ima -e hex " + quote(file) +
                      " 2>/dev/null | od -An -tx1 -v | tr -d ' \\n'"));
    BOOST_REQUIRE_MESSAGE(value.size() > 14, "no security.ima from evmctl: " << value);
    return value.substr(6, 8);
}

} // namespace

BOOST_AUTO_TEST_CASE(key_id_is_the_end_of_the_subject_key_identifier)
{
    World &w = world();
    for (const std::string spec : {"rsa:2048", "ec:P-256"}) {
        BOOST_TEST_CONTEXT(spec)
        {
            const std::string name = spec == "rsa:2048" ? "skid-rsa" : "skid-ec";
            const KeyPair k = make_key_with_skid(w.dir.path(), name, spec, kSkid);
            // What the kernel will look for, as openssl prints it.
            const std::string skid = certificate_skid_hex(k.cert_der);
            BOOST_REQUIRE_EQUAL(skid, kSkid);
            const std::string expected = skid.substr(skid.size() - 8);
            // The two rules differ for this certificate, so the test tells
            // them apart.
            const auto from_key = sign_json({"--key=" + k.key_pem}, name + "-by-key");
            BOOST_TEST(from_key["key_id"] != expected);
            BOOST_TEST(from_key["key_id"] == evmctl_key_id(k.key_pem));

            for (const auto &cert : {k.cert_pem, k.cert_der}) {
                const auto j = sign_json({"--key=" + k.key_pem, "--cert=" + cert}, name);
                BOOST_TEST(j["key_id"] == expected);
                BOOST_TEST(j["key_id_source"] == "certificate " + cert);
                BOOST_TEST(check_headers(w.repo, name, expected, 4) > 5u);
            }
            // verify finds the key by the same id.
            const Result v = run({binary(), "verify", "--repo=" + w.repo, "--cert=" + k.cert_der,
                                  "--require-all", name});
            BOOST_TEST(v.exit_code == 0, v.out << v.err);
        }
    }
}

BOOST_AUTO_TEST_CASE(certificate_without_subject_key_identifier)
{
    World &w = world();
    const KeyPair k = make_key_with_skid(w.dir.path(), "no-skid", "rsa:2048", "");
    BOOST_REQUIRE_EQUAL(certificate_skid_hex(k.cert_der), "");
    std::string err;
    const auto j = sign_json({"--key=" + k.key_pem, "--cert=" + k.cert_der}, "no-skid", &err);
    // The key id falls back to the public key, as evmctl computes it, and
    // says so.
    BOOST_TEST(err.find("certificate " + k.cert_der +
                        " has no subjectKeyIdentifier; key id derived from its public key") !=
                   std::string::npos,
               err);
    const std::string expected = evmctl_key_id(k.key_pem);
    BOOST_TEST(j["key_id"] == expected);
    BOOST_TEST(check_headers(w.repo, "no-skid", expected, 4) > 5u);
    const Result v = run({binary(), "verify", "--repo=" + w.repo, "--cert=" + k.cert_der,
                          "--require-all", "no-skid"});
    BOOST_TEST(v.exit_code == 0, v.out << v.err);
}

BOOST_AUTO_TEST_CASE(signing_room_key_id_is_the_subject_key_identifier)
{
    World &w = world();
    const KeyPair k = make_key_with_skid(w.dir.path(), "room", "ec:P-384", kSkid);
    const std::string expected = certificate_skid_hex(k.cert_der).substr(kSkid.size() - 8);
    const std::string manifest = w.dir / "room-digests.json";
    const std::string sigs = w.dir / "room-signatures.json";
    const Result d = run({binary(), "digests", "--repo=" + w.repo, "main", "-o", manifest});
    BOOST_REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    const Result s = run({binary(), "sign-digests", "--yes", "--key=" + k.key_pem,
                          "--cert=" + k.cert_der, manifest, "-o", sigs});
    BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    BOOST_TEST(nlohmann::json::parse(sh_ok("cat " + quote(sigs)))["key_id"] == expected);
    const Result a = run({binary(), "apply", "--repo=" + w.repo, "--cert=" + k.cert_der,
                          "--signatures=" + sigs, "main", "room"});
    BOOST_REQUIRE_MESSAGE(a.exit_code == 0, a.err);
    BOOST_TEST(check_headers(w.repo, "room", expected, 4) > 5u);
}

// Every key shape and hash: RSA signatures have the modulus's size (256 or
// 512 bytes: 0x0100 and 0x0200 big-endian), ECDSA ones vary (70 to 104).
BOOST_AUTO_TEST_CASE(every_header_has_a_big_endian_size)
{
    World &w = world();
    const std::vector<std::tuple<std::string, std::string, int>> cases = {
        {"rsa:2048", "sha256", 4},
        {"rsa:4096", "sha512", 6},
        {"ec:P-256", "sha1", 2},
        {"ec:P-384", "sha384", 5},
        {"rsa:2048", "sha224", 7}};
    int n = 0;
    for (const auto &[spec, hash, kernel_id] : cases) {
        BOOST_TEST_CONTEXT(spec << " " << hash)
        {
            const std::string name = "size-" + std::to_string(n++);
            const KeyPair k = make_key(w.dir.path(), name, spec);
            const auto j =
                sign_json({"--key=" + k.key_pem, "--cert=" + k.cert_der, "--hash=" + hash}, name);
            BOOST_TEST(check_headers(w.repo, name, j["key_id"].get<std::string>(), kernel_id) > 5u);
        }
    }
}
