// Unit tests of src/ima/: the v2 and sigv3 codecs, existing signatures, key
// ids, the signature schemes, cache lines, EVM input shapes and fs-verity
// digests, against evmctl, openssl and the fsverity CLI.
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "formats/signature_cache.hpp"
#include "ima/evm_input_shape.hpp"
#include "ima/existing_signature.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "ima/signed_digest.hpp"
#include "ima/verity_digest.hpp"
#include "ima/verity_file_id.hpp"
#include "keys/key_file.hpp"
#include "ostree-ima/certificate.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_verity_xattr.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/key_options.hpp"
#include "text_files.hpp"

#include <fstream>
#include <iterator>
#include <openssl/evp.h>
#include <set>

BOOST_AUTO_TEST_SUITE(ima)

// ImaXattr codec, hash table and key id, checked against evmctl's output.
BOOST_AUTO_TEST_SUITE(ima_xattr)

using namespace ostree_ima;
using namespace test_support;
using Bytes = std::vector<std::uint8_t>;

namespace {
Bytes read_xattr(const std::string &file, const std::string &name = "security.ima")
{
    const std::string out = sh_ok("getfattr -e hex -n " + name + " " + quote(file) +
                                  " | sed -n 's/^" + name + "=0x//p'");
    std::string hex;
    for (char c : out)
        if (std::isxdigit(static_cast<unsigned char>(c)))
            hex += c;
    BOOST_REQUIRE_MESSAGE(!hex.empty(), "no " << name << " on " << file);
    return hex_bytes(hex);
}

Bytes file_digest(const std::string &file, const HashAlgo &algo)
{
    std::ifstream in(file, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Bytes out(algo.digest_size);
    unsigned len = 0;
    BOOST_REQUIRE(EVP_Digest(data.data(), data.size(), out.data(), &len,
                             EVP_get_digestbyname(std::string(algo.openssl_name).c_str()),
                             nullptr) == 1);
    return out;
}

void write_xattr(const std::string &file, const Bytes &value)
{
    std::string hex = "0x";
    char buf[3];
    for (auto b : value) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        hex += buf;
    }
    sh_ok("setfattr -n security.ima -v " + hex + " " + quote(file));
}
} // namespace

BOOST_AUTO_TEST_SUITE(codec)

BOOST_AUTO_TEST_CASE(header_layout_matches_the_documented_v2_format)
{
    // ima-evm-utils' own test vector: RSA-2048, sha256, key id aabbccdd.
    const Bytes sig(256, 0x5a);
    const Bytes x =
        encode_ima_signature(hash_algo_by_name("sha256"), parse_key_id("aabbccdd"), sig);
    BOOST_TEST(x.size() == 9u + 256u);
    const Bytes header(x.begin(), x.begin() + 9);
    BOOST_TEST(header == hex_bytes("030204aabbccdd0100"), boost::test_tools::per_element());
    const Bytes x1 = encode_ima_signature(hash_algo_by_name("sha1"), parse_key_id("aabbccdd"), sig);
    BOOST_TEST(Bytes(x1.begin(), x1.begin() + 9) == hex_bytes("030202aabbccdd0100"),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(decode_round_trips)
{
    const Bytes sig = {1, 2, 3, 4, 5};
    const Bytes x =
        encode_ima_signature(hash_algo_by_name("sha512"), parse_key_id("0x01020304"), sig);
    const auto r = decode_ima_signature(x);
    BOOST_REQUIRE(r.ok);
    BOOST_TEST(r.value.algo->name == "sha512");
    BOOST_TEST(key_id_hex(r.value.key_id) == "01020304");
    BOOST_TEST(r.value.signature == sig, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(decode_rejects_malformed_values)
{
    const Bytes good =
        encode_ima_signature(hash_algo_by_name("sha256"), parse_key_id("aabbccdd"), Bytes(64, 7));
    BOOST_TEST(!decode_ima_signature({}).ok);
    Bytes wrong_type = good;
    wrong_type[0] = 0x04;
    BOOST_TEST(!decode_ima_signature(wrong_type).ok);
    Bytes v1 = good;
    v1[1] = 1;
    BOOST_TEST(!decode_ima_signature(v1).ok);
    BOOST_TEST(!decode_ima_signature(Bytes(good.begin(), good.begin() + 8)).ok);
    BOOST_TEST(!decode_ima_signature(Bytes(good.begin(), good.end() - 1)).ok);
    Bytes longer = good;
    longer.push_back(0);
    BOOST_TEST(!decode_ima_signature(longer).ok);
    Bytes unknown_algo = good;
    unknown_algo[2] = 0x63;
    const auto r = decode_ima_signature(unknown_algo);
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.problem.find("unknown hash algorithm") != std::string::npos);
    Bytes zero_size = hex_bytes("030204aabbccdd0000");
    BOOST_TEST(!decode_ima_signature(zero_size).ok);
}

BOOST_AUTO_TEST_CASE(hash_table_uses_kernel_ids)
{
    BOOST_TEST(hash_algo_by_name("sha1").kernel_id == 2);
    BOOST_TEST(hash_algo_by_name("sha256").kernel_id == 4);
    BOOST_TEST(hash_algo_by_name("sha384").kernel_id == 5);
    BOOST_TEST(hash_algo_by_name("sha512").kernel_id == 6);
    BOOST_TEST(hash_algo_by_name("sha224").kernel_id == 7);
    BOOST_TEST(hash_algo_by_kernel_id(17)->name == "sm3");
    BOOST_TEST(hash_algo_by_kernel_id(19)->name == "streebog512");
    BOOST_TEST(hash_algo_by_kernel_id(1) == nullptr);
    try {
        (void)hash_algo_by_name("md5");
        BOOST_FAIL("md5 accepted");
    } catch (const UsageError &e) {
        BOOST_TEST(std::string(e.what()).find("sha256") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(key_id_parsing)
{
    BOOST_TEST(key_id_hex(parse_key_id("DEADbeef")) == "deadbeef");
    BOOST_CHECK_THROW(parse_key_id("deadbee"), UsageError);
    BOOST_CHECK_THROW(parse_key_id("deadbeeg"), UsageError);
    BOOST_CHECK_THROW(parse_key_id(""), UsageError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(against_evmctl)

// For RSA, PKCS#1 v1.5 is deterministic: our whole xattr must equal evmctl's.
BOOST_AUTO_TEST_CASE(rsa_xattr_is_byte_identical_to_evmctl)
{
    TempDir dir;
    for (const std::string spec : {"rsa:2048", "rsa:4096"}) {
        const KeyPair k = make_key(dir.path(), "k" + spec.substr(4), spec);
        KeyOptions options;
        options.key = k.key_pem;
        auto backend = open_key_file(options);
        for (const std::string hash : {"sha1", "sha256", "sha384", "sha512"}) {
            const std::string file = dir / ("f-" + hash);
            sh_ok("head -c 1000 /dev/urandom > " + quote(file));
            sh_ok("evmctl ima_sign --hashalgo " + hash + " --key " + quote(k.key_pem) + " " +
                  quote(file) + " >/dev/null");
            const Bytes evm = read_xattr(file);
            const HashAlgo &algo = hash_algo_by_name(hash);
            const auto decoded = decode_ima_signature(evm);
            BOOST_REQUIRE_MESSAGE(decoded.ok, decoded.problem);
            BOOST_TEST(decoded.value.algo->name == hash);
            // evmctl derives the key id from the public key, as we do without --cert.
            const KeyId ours = key_id_from_public_key(backend->public_key());
            BOOST_TEST(key_id_hex(decoded.value.key_id) == key_id_hex(ours));
            // And the test certificate's SKID (method 1) gives the same id.
            BOOST_TEST(key_id_hex(Certificate::load(k.cert_der).ima_key_id()) == key_id_hex(ours));
            const Bytes mine =
                encode_ima_signature(algo, ours, backend->sign(algo, file_digest(file, algo)));
            BOOST_TEST(mine == evm, boost::test_tools::per_element());
        }
    }
}

// ECDSA is randomised: evmctl must accept ours, and our header must match.
BOOST_AUTO_TEST_CASE(ec_signatures_are_accepted_by_evmctl)
{
    TempDir dir;
    for (const std::string curve : {"P-256", "P-384"}) {
        const KeyPair k = make_key(dir.path(), "ec" + curve, "ec:" + curve);
        KeyOptions options;
        options.key = k.key_pem;
        auto backend = open_key_file(options);
        const KeyId id = Certificate::load(k.cert_der).ima_key_id();
        for (const std::string hash : {"sha256", "sha512"}) {
            const std::string file = dir / ("g-" + curve + hash);
            sh_ok("head -c 5000 /dev/urandom > " + quote(file));
            const HashAlgo &algo = hash_algo_by_name(hash);
            const Bytes mine =
                encode_ima_signature(algo, id, backend->sign(algo, file_digest(file, algo)));
            write_xattr(file, mine);
            const Result r = run({"evmctl", "ima_verify", "--key", k.cert_der, file});
            BOOST_TEST(r.exit_code == 0, curve << " " << hash << ": " << r.out << r.err);
            // evmctl's own signature has the same header up to the size field.
            sh_ok("evmctl ima_sign --hashalgo " + hash + " --key " + quote(k.key_pem) + " " +
                  quote(file) + " >/dev/null");
            const Bytes evm = read_xattr(file);
            BOOST_TEST(Bytes(evm.begin(), evm.begin() + 7) == Bytes(mine.begin(), mine.begin() + 7),
                       boost::test_tools::per_element());
            // A flipped byte must make evmctl reject ours (the check can fail).
            Bytes bad = mine;
            bad.back() ^= 0x01;
            write_xattr(file, bad);
            BOOST_TEST(run({"evmctl", "ima_verify", "--key", k.cert_der, file}).exit_code != 0);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// What sign keeps of an existing security.ima (no I/O; the signature check
// of the signing key's own values is in test_trust).
BOOST_AUTO_TEST_SUITE(existing_signature)

BOOST_AUTO_TEST_CASE(only_well_formed_v2_signatures_can_be_kept)
{
    using Kind = ExistingSignature::Kind;
    const KeyId own{1, 2, 3, 4};
    const KeyId other{9, 9, 9, 9};
    const Bytes sig(256, 0x5a);
    const Bytes by_own = encode_ima_signature(hash_algo_by_name("sha256"), own, sig);
    const Bytes by_other = encode_ima_signature(hash_algo_by_name("sha512"), other, sig);
    BOOST_TEST((classify_existing_signature(std::nullopt, own).kind == Kind::None));
    BOOST_TEST((classify_existing_signature(by_own, own).kind == Kind::OwnKey));
    const ExistingSignature o = classify_existing_signature(by_other, own);
    BOOST_TEST((o.kind == Kind::OtherKey));
    BOOST_TEST((o.value.key_id == other));

    auto malformed = [&](Bytes value, const std::string &why) {
        const ExistingSignature e = classify_existing_signature(value, own);
        BOOST_TEST((e.kind == Kind::Malformed), why);
        BOOST_TEST(!e.problem.empty(), why);
    };
    malformed({0xde, 0xad, 0xbe, 0xef}, "garbage");
    malformed({0x03}, "one byte");
    malformed({}, "empty");
    malformed(Bytes(by_own.begin(), by_own.end() - 1), "truncated");
    Bytes longer = by_own;
    longer.push_back(0);
    malformed(longer, "over-long");
    Bytes v1 = by_own;
    v1[1] = 1;
    malformed(v1, "version 1");
    // Made at full size: GCC 12 at -O3 (CI's Release build) warns falsely
    // about resize() of a two-byte vector (-Warray-bounds).
    Bytes hash_only(34, 0xaa);
    hash_only[0] = 0x04;
    hash_only[1] = 0x04;
    malformed(hash_only, "a hash, not a signature");
    Bytes little = by_own;
    std::swap(little[7], little[8]);
    malformed(little, "size field little-endian");
    Bytes unknown_algo = by_own;
    unknown_algo[2] = 0x7f;
    malformed(unknown_algo, "unknown hash algorithm");
    Bytes no_signature = Bytes(by_own.begin(), by_own.begin() + 9);
    no_signature[7] = 0;
    no_signature[8] = 0;
    malformed(no_signature, "empty signature");
}

// A well-formed signature of the other format is a format change, not a
// malformed value, both ways; a broken one of either format stays malformed.
BOOST_AUTO_TEST_CASE(the_other_format_is_a_format_change)
{
    using Kind = ExistingSignature::Kind;
    const KeyId own{1, 2, 3, 4};
    const HashAlgo &sha256 = hash_algo_by_name("sha256");
    const Bytes sig(256, 0x5a);
    const Bytes v2 = encode_ima_signature(sha256, own, sig);
    const Bytes v3 = encode_ima_verity_signature(sha256, own, sig);
    BOOST_TEST(
        (classify_existing_signature(v2, own, ima_verity_scheme()).kind == Kind::OtherFormat));
    BOOST_TEST((classify_existing_signature(v3, own, ima_v2_scheme()).kind == Kind::OtherFormat));
    BOOST_TEST((classify_existing_signature(v3, own, ima_verity_scheme()).kind == Kind::OwnKey));
    const Bytes cut(v3.begin(), v3.end() - 1);
    BOOST_TEST((classify_existing_signature(cut, own, ima_v2_scheme()).kind == Kind::Malformed));
    BOOST_TEST(
        (classify_existing_signature(cut, own, ima_verity_scheme()).kind == Kind::Malformed));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(key_ids)

// The one rule for every key id (sign, verify, the keyring, the token
// listing): the last 4 bytes of the subjectKeyIdentifier, else of SHA-1 over
// the subjectPublicKey bits (equal for SKID = hash, method 1).
BOOST_AUTO_TEST_CASE(key_id_is_the_end_of_the_skid)
{
    TempDir dir;
    const KeyPair key = make_key(dir.path(), "k", "ec:P-256");
    const std::string skid = sh_ok("openssl x509 -in " + quote(key.cert_pem) +
                                   " -noout -ext subjectKeyIdentifier | tail -n1 | tr -d ' :\\n' "
                                   "| tr A-F a-f");
    const Certificate cert = Certificate::load(key.cert_der);
    BOOST_TEST(key_id_hex(cert.ima_key_id()) == skid.substr(skid.size() - 8));
    BOOST_TEST(key_id_hex(key_id_from_public_key(cert.public_key())) ==
               key_id_hex(cert.ima_key_id()));
}

BOOST_AUTO_TEST_SUITE_END()

// The signature cache's lines: v2 and fs-verity signatures of one digest are
// two entries that never read as each other.
BOOST_AUTO_TEST_SUITE(signature_scheme_registry)

// Every scheme is found by its name and by the values it writes; the
// names, cache prefixes and policy conditions tell them apart.
BOOST_AUTO_TEST_CASE(each_scheme_is_found_by_name_and_by_its_values)
{
    const KeyId id{1, 2, 3, 4};
    const HashAlgo &sha256 = hash_algo_by_name("sha256");
    const Bytes sig(64, 0x5a);
    BOOST_TEST(signature_schemes().size() == 2U);
    BOOST_TEST((signature_schemes().front() == &ima_v2_scheme()));
    std::set<std::string> names, prefixes, conditions;
    for (const SignatureScheme *scheme : signature_schemes()) {
        BOOST_TEST_CONTEXT(scheme->name())
        {
            BOOST_TEST((find_signature_scheme(scheme->name()) == scheme));
            BOOST_TEST(signature_scheme_name(*scheme) == scheme->name());
            const Bytes value = scheme->encode(sha256, id, sig);
            BOOST_TEST((&scheme_claimed_by(value) == scheme));
            BOOST_TEST(scheme->claims(value));
            BOOST_TEST(scheme->decode(value).ok);
            BOOST_TEST(!well_formed_in_other_scheme(*scheme, value));
            // Only the default keeps the manifest versions before schemes.
            BOOST_TEST(scheme->named_in_manifests() == (scheme != &ima_v2_scheme()));
            names.insert(std::string(scheme->name()));
            prefixes.insert(std::string(scheme->cache_prefix()));
            conditions.insert(std::string(scheme->appraise_condition()));
            for (const SignatureScheme *other : signature_schemes())
                if (other != scheme) {
                    BOOST_TEST(!other->claims(value));
                    BOOST_TEST(!other->decode(value).ok);
                    BOOST_TEST(well_formed_in_other_scheme(*other, value));
                }
        }
    }
    BOOST_TEST(names.size() == signature_schemes().size());
    BOOST_TEST(prefixes.size() == signature_schemes().size());
    BOOST_TEST(conditions.size() == signature_schemes().size());
    BOOST_TEST((find_signature_scheme("v3") == nullptr));
    BOOST_TEST((find_signature_scheme("") == nullptr));
    // Garbage claims no scheme: the default judges it (malformed).
    BOOST_TEST((&scheme_claimed_by(Bytes{0x07, 0x02}) == &ima_v2_scheme()));
    BOOST_TEST((&scheme_claimed_by(Bytes{}) == &ima_v2_scheme()));
}

// What each scheme signs: v2 the file digest, fs-verity the hash of the
// file id, and with sha256 only.
BOOST_AUTO_TEST_CASE(each_scheme_signs_its_own_digest)
{
    const HashAlgo &sha256 = hash_algo_by_name("sha256");
    const HashAlgo &sha512 = hash_algo_by_name("sha512");
    const Bytes content(5000, 0x42);
    const auto sha256_of = [](const Bytes &data) {
        Bytes out(32);
        BOOST_REQUIRE(
            EVP_Digest(data.data(), data.size(), out.data(), nullptr, EVP_sha256(), nullptr) == 1);
        return out;
    };
    const auto digest_of = [&](const SignatureScheme &scheme, const HashAlgo &algo) {
        SignedDigest d(scheme, algo);
        d.update(content);
        return d.finish();
    };
    BOOST_TEST(digest_of(ima_v2_scheme(), sha256) == sha256_of(content));
    BOOST_TEST(digest_of(ima_v2_scheme(), sha512).size() == 64U);
    BOOST_TEST(ima_v2_scheme().accepts(sha512));
    BOOST_TEST(!ima_verity_scheme().accepts(sha512));
    BOOST_CHECK_THROW((void)digest_of(ima_verity_scheme(), sha512), UsageError);
    const Bytes verity = digest_of(ima_verity_scheme(), sha256);
    BOOST_TEST(verity.size() == 32U);
    BOOST_TEST(verity != sha256_of(content));
    BOOST_TEST(ima_verity_scheme().signs_fs_verity_digest());
    BOOST_TEST(!ima_v2_scheme().signs_fs_verity_digest());
    // v2 signs a hash of the raw content: a file id as content is refused
    // there, and only there (a sigv3 signature signs no content as such).
    Bytes file_id{0x06, 0x04};
    file_id.resize(34, 0x11);
    BOOST_TEST(ima_v2_scheme().collision_tail_size(file_id.size()) == file_id.size());
    BOOST_TEST(ima_v2_scheme().collision(file_id, file_id.size()).has_value());
    BOOST_TEST(!ima_v2_scheme().collision(content, content.size()).has_value());
    BOOST_TEST(ima_verity_scheme().collision_tail_size(file_id.size()) == 0U);
    BOOST_TEST(!ima_verity_scheme().collision(file_id, file_id.size()).has_value());
    BOOST_TEST(ima_v2_scheme().collision_tail_size(std::uint64_t{1} << 40) == 0U);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signature_cache_lines)

BOOST_AUTO_TEST_CASE(each_line_says_its_format)
{
    const std::string digest(64, 'a');
    const std::string rest = " " + digest + " 01020304 AAEC";
    const auto v2 = parse_cache_line("sha256" + rest);
    const auto verity = parse_cache_line("verity-sha256" + rest);
    BOOST_REQUIRE(v2.has_value());
    BOOST_REQUIRE(verity.has_value());
    BOOST_TEST((v2->scheme == &ima_v2_scheme()));
    BOOST_TEST((verity->scheme == &ima_verity_scheme()));
    BOOST_TEST((v2->digest == verity->digest));
    BOOST_TEST(format_cache_line(*v2) == "sha256" + rest + "\n");
    BOOST_TEST(format_cache_line(*verity) == "verity-sha256" + rest + "\n");
    // fs-verity signatures are sha256 only; the prefix is exact.
    BOOST_TEST(!parse_cache_line("verity-sha512 " + std::string(128, 'a') + " 01020304 AAEC"));
    for (const std::string bad : {"verity-", "Verity-sha256", "verity_sha256", "verity-sha256-"})
        BOOST_TEST(!parse_cache_line(bad + rest), bad);
}

BOOST_AUTO_TEST_SUITE_END()

// Issue #19 part 1: content that a v2 signature would turn into a portable
// EVM signature (a security.ima value, optionally security.capability,
// then h_misc), in every shape the kernel hashes, and near misses.
BOOST_AUTO_TEST_SUITE(evm_input_shape)

Bytes misc64(std::uint32_t uid, std::uint32_t gid, std::uint16_t mode)
{
    Bytes m(24, 0);
    for (int i = 0; i < 4; ++i) {
        m[12 + i] = static_cast<std::uint8_t>(uid >> (8 * i));
        m[16 + i] = static_cast<std::uint8_t>(gid >> (8 * i));
    }
    m[20] = static_cast<std::uint8_t>(mode & 0xff);
    m[21] = static_cast<std::uint8_t>(mode >> 8);
    return m;
}

Bytes misc32(std::uint16_t mode)
{
    Bytes m(20, 0);
    m[16] = static_cast<std::uint8_t>(mode & 0xff);
    m[17] = static_cast<std::uint8_t>(mode >> 8);
    return m;
}

Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes &p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

bool shaped(const Bytes &content)
{
    const std::size_t keep = std::min(content.size(), kEvmInputTailSize);
    return looks_like_evm_input(std::span(content).subspan(content.size() - keep), content.size());
}

const Bytes kV2Signature = [] {
    Bytes v = {0x03, 0x02, 0x04, 0xaa, 0xbb, 0xcc, 0xdd, 0x01, 0x00};
    v.resize(9 + 256, 0x5a);
    return v;
}();
const Bytes kDigestNg = [] {
    Bytes v = {0x04, 0x04};
    v.resize(2 + 32, 0x11);
    return v;
}();
const Bytes kCapabilityV2 = {0x01, 0, 0, 0x02, 1,  2,  3,  4,  5,  6,
                             7,    8, 9, 10,   11, 12, 13, 14, 15, 16};
constexpr std::uint16_t kSetuidRoot = 0104755;

BOOST_AUTO_TEST_CASE(every_message_shape_is_recognised)
{
    BOOST_TEST(shaped(cat({kV2Signature, misc64(0, 0, kSetuidRoot)})));
    BOOST_TEST(shaped(cat({kV2Signature, misc32(kSetuidRoot)})));
    BOOST_TEST(shaped(cat({kDigestNg, misc64(1000, 1000, 0100644)})));
    BOOST_TEST(shaped(cat({kV2Signature, kCapabilityV2, misc64(0, 0, 0100755)})));
    // An SELinux label (any bytes) before security.ima.
    const std::string label = "system_u:object_r:bin_t:s0";
    BOOST_TEST(shaped(cat({Bytes(label.c_str(), label.c_str() + label.size() + 1), kV2Signature,
                           misc64(0, 0, kSetuidRoot)})));
    // An fs-verity signature as the file's security.ima.
    Bytes sigv3 = kV2Signature;
    sigv3[0] = 0x06;
    sigv3[1] = 0x03;
    BOOST_TEST(shaped(cat({sigv3, misc64(0, 0, 0100755)})));
    // The largest message: six labels of 64 KiB before it.
    BOOST_TEST(
        shaped(cat({Bytes(6 * kMaxXattrValueSize, 'x'), kV2Signature, misc64(0, 0, kSetuidRoot)})));
}

BOOST_AUTO_TEST_CASE(near_misses_are_ordinary_content)
{
    const Bytes good = cat({kV2Signature, misc64(0, 0, kSetuidRoot)});
    BOOST_REQUIRE(shaped(good));
    Bytes longer = good;
    longer.push_back(0);
    BOOST_TEST(!shaped(longer));
    Bytes cut(good.begin() + 1, good.end()); // the value's type byte gone
    BOOST_TEST(!shaped(cut));
    Bytes no_type = good;
    no_type[no_type.size() - 3] = 0; // mode without file type bits
    no_type[no_type.size() - 4] = 0;
    BOOST_TEST(!shaped(no_type));
    Bytes inode = good;
    inode[kV2Signature.size()] = 1; // ino is 0 in a portable message
    BOOST_TEST(!shaped(inode));
    Bytes size = good;
    size[8] = 0x01; // the signature size no longer matches
    BOOST_TEST(!shaped(size));
    BOOST_TEST(!shaped(Bytes(24, 0)));
    BOOST_TEST(!shaped(Bytes{}));
    // Larger than any message: not looked at.
    BOOST_TEST(!shaped(cat({Bytes(kMaxEvmInputSize, 'x'), good})));
    // Files of zeros, of random bytes: ordinary.
    BOOST_TEST(!shaped(Bytes(4096, 0)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END() // ima_xattr

// fs-verity signatures (sigv3): the fs-verity digest against the fsverity
// CLI, the xattr bytes, and signatures over the file id checked by the
// openssl CLI (evmctl 1.4 cannot check sigv3; the kernel suite does).
BOOST_AUTO_TEST_SUITE(verity)

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

BOOST_AUTO_TEST_SUITE_END() // verity

BOOST_AUTO_TEST_SUITE_END() // ima
