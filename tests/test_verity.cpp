// fs-verity signatures (sigv3): the fs-verity digest against the fsverity
// CLI, the xattr bytes, and signatures over the file id checked by the
// openssl CLI (evmctl 1.4 cannot check sigv3; the kernel suite does).
#define BOOST_TEST_MODULE verity
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "ima/verity_digest.hpp"
#include "ima/verity_file_id.hpp"
#include "keys/key_file.hpp"
#include "ostree-ima/certificate.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_verity_xattr.hpp"
#include "ostree-ima/key_options.hpp"
#include "text_files.hpp"

#include <fstream>
#include <iterator>

using namespace ostree_ima;
using namespace test_support;
using Bytes = std::vector<std::uint8_t>;

namespace {
Bytes read_bytes(const std::string &file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string &file, const Bytes &bytes)
{
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

// `fsverity digest FILE` prints "sha256:<hex> FILE" with the kernel's defaults.
Bytes fsverity_cli_digest(const std::string &file)
{
    const std::string out = sh_ok("fsverity digest " + quote(file));
    BOOST_REQUIRE_MESSAGE(out.rfind("sha256:", 0) == 0, "unexpected fsverity output: " << out);
    return hex_bytes(out.substr(7, 64));
}

// Our digest, fed in uneven pieces as the object readers hand them over.
Bytes our_digest(const Bytes &content)
{
    VerityDigest digest;
    std::size_t at = 0;
    for (std::size_t piece = 1; at < content.size(); piece = piece * 3 + 7) {
        const std::size_t n = std::min(piece, content.size() - at);
        digest.update(std::span(content).subspan(at, n));
        at += n;
    }
    return digest.finish();
}
} // namespace

BOOST_AUTO_TEST_CASE(digest_matches_the_fsverity_cli)
{
    TempDir dir;
    // Every tree shape: empty, one block, two, a full hash block (128 data
    // blocks) and one more, a second level full (128 * 128 blocks) and one
    // byte more (three levels).
    for (const std::size_t size : {0UL, 1UL, 4096UL, 4097UL, (1UL << 20) + 3, 128UL * 4096,
                                   128UL * 4096 + 1, 128UL * 128 * 4096, 128UL * 128 * 4096 + 1}) {
        const std::string file = dir / ("f" + std::to_string(size));
        sh_ok("head -c " + std::to_string(size) + " /dev/urandom > " + quote(file));
        const Bytes expected = fsverity_cli_digest(file);
        const Bytes ours = our_digest(read_bytes(file));
        BOOST_TEST_CONTEXT("size " << size)
        {
            BOOST_TEST(ours == expected, boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(header_layout_is_type_6_version_3)
{
    const HashAlgo &sha256 = hash_algo_by_name("sha256");
    const KeyId id{0xde, 0xad, 0xbe, 0xef};
    const Bytes sig(300, 0x5a);
    const Bytes x = encode_ima_verity_signature(sha256, id, sig);
    const Bytes header{0x06, 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x2c};
    BOOST_TEST(Bytes(x.begin(), x.begin() + 9) == header, boost::test_tools::per_element());
    BOOST_TEST(Bytes(x.begin() + 9, x.end()) == sig, boost::test_tools::per_element());

    const auto decoded = decode_ima_verity_signature(x);
    BOOST_REQUIRE_MESSAGE(decoded.ok, decoded.problem);
    BOOST_TEST(decoded.value.algo == &sha256);
    BOOST_TEST(decoded.value.key_id == id);
    BOOST_TEST(decoded.value.signature == sig, boost::test_tools::per_element());
    BOOST_TEST(is_ima_verity_xattr(x));

    // A v2 signature is not a verity one, nor a type 6 value of another version.
    const Bytes v2 = encode_ima_signature(sha256, id, sig);
    BOOST_TEST(!decode_ima_verity_signature(v2).ok);
    BOOST_TEST(!is_ima_verity_xattr(v2));
    Bytes v2_header = x;
    v2_header[1] = 2;
    BOOST_TEST(!decode_ima_verity_signature(v2_header).ok);
    BOOST_TEST(!decode_ima_verity_signature(Bytes(x.begin(), x.end() - 1)).ok);
}

BOOST_AUTO_TEST_CASE(file_id_is_type_algo_and_digest)
{
    const HashAlgo &sha256 = hash_algo_by_name("sha256");
    Bytes digest(32);
    for (std::size_t i = 0; i < digest.size(); ++i)
        digest[i] = static_cast<std::uint8_t>(i);
    Bytes expected = digest;
    expected.insert(expected.begin(), {0x06, 0x04});
    BOOST_TEST(verity_file_id(sha256, digest) == expected, boost::test_tools::per_element());
    BOOST_CHECK_THROW((void)verity_file_id(sha256, Bytes(20)), std::exception);
}

// The signature a key file makes over our file-id digest verifies with the
// openssl CLI over a file id built here from the fsverity CLI's digest, and
// fails when one byte of that file id changes.
BOOST_AUTO_TEST_CASE(signature_over_the_file_id_verifies_with_openssl)
{
    TempDir dir;
    const HashAlgo &sha256 = hash_algo_by_name("sha256");
    const std::string content = dir / "content";
    sh_ok("head -c 10000 /dev/urandom > " + quote(content));
    Bytes file_id = fsverity_cli_digest(content);
    file_id.insert(file_id.begin(), {0x06, 0x04});
    write_bytes(dir / "file_id", file_id);
    Bytes changed = file_id;
    changed.back() ^= 1;
    write_bytes(dir / "changed", changed);

    for (const std::string spec : {"rsa:2048", "ec:P-256"}) {
        const KeyPair k = make_key(dir.path(), "k" + spec.substr(0, 2), spec);
        sh_ok("openssl x509 -in " + quote(k.cert_pem) + " -pubkey -noout > " +
              quote(dir / "pub.pem"));
        KeyOptions options;
        options.key = k.key_pem;
        auto backend = open_key_file(options);
        const Bytes x = encode_ima_verity_signature(
            sha256, Certificate::load(k.cert_der).ima_key_id(),
            backend->sign(sha256, verity_file_id_digest(sha256, our_digest(read_bytes(content)))));
        const auto decoded = decode_ima_verity_signature(x);
        BOOST_REQUIRE_MESSAGE(decoded.ok, decoded.problem);
        write_bytes(dir / "sig", decoded.value.signature);
        const std::string check = "openssl dgst -sha256 -verify " + quote(dir / "pub.pem") +
                                  " -signature " + quote(dir / "sig") + " ";
        BOOST_TEST(sh(check + quote(dir / "file_id")).exit_code == 0, spec);
        BOOST_TEST(sh(check + quote(dir / "changed")).exit_code != 0, spec);
    }
}
