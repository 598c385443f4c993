// Room for post-quantum signatures (issue #21): every path that carries a
// signature takes the largest one the tool carries (kMaxSignatureBytes:
// ML-DSA-87's 4,627 bytes and more) and refuses one byte over it; an
// RSA-16384 key's 2,048-byte signatures go through sign, the signature
// cache, --reuse, the signing room's signatures file and verify --json; the
// ext4 xattr room is computed as a real ext4 lays it out, and sign refuses a
// file that new signatures push over it unless --allow-large-xattrs.
//
// RSA-16384 takes minutes to generate, so the key is a committed test
// fixture (tests/data/rsa16384-test.key.pem, a key for nothing else). The
// CLI's key routes refuse it (the kernel verifies RSA-2048/3072/4096 only):
// it signs through the library's KeyBackend seam, as a build tool's own key
// would. evmctl 1.4 cannot check it (its buffers stop at 1,024 bytes): the
// signatures are checked with the openssl CLI.
#define BOOST_TEST_MODULE large_signatures
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "formats/signature_cache.hpp"
#include "ima/evm_xattr.hpp"
#include "ima/existing_signature.hpp"
#include "ima/signature_size.hpp"
#include "objects/ext4_xattr_room.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/certificate.hpp"
#include "ostree-ima/commit_signer.hpp"
#include "ostree-ima/digest_manifest.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_verity_xattr.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/manifest_signer.hpp"
#include "ostree-ima/signature_file.hpp"
#include "text_files.hpp"
#include "util/openssl_ptr.hpp"
#include "workspace.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/mount.h>
#include <sys/xattr.h>

using namespace ostree_ima;
using namespace test_support;
using Bytes = std::vector<std::uint8_t>;
using json = nlohmann::json;

namespace {

// ML-DSA-44/65/87 (FIPS 204), RSA-16384, and the limit itself.
const std::vector<std::size_t> kLargeSizes = {2420, 3309, 4627, 2048, kMaxSignatureBytes};

Bytes pattern(std::size_t size)
{
    Bytes b(size);
    for (std::size_t i = 0; i < size; ++i)
        b[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return b;
}

// An RSA key through the public KeyBackend seam: what a build tool with its
// own key would write. It signs as EvpKeyBackend does (PKCS#1 v1.5 over the
// DigestInfo) without the CLI routes' key-size rule.
class RsaKeyBackend final : public KeyBackend {
  public:
    explicit RsaKeyBackend(const std::string &pem)
    {
        std::FILE *f = std::fopen(pem.c_str(), "r");
        BOOST_REQUIRE_MESSAGE(f != nullptr, "cannot open " << pem);
        key_.reset(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
        std::fclose(f);
        BOOST_REQUIRE(key_);
    }
    [[nodiscard]] const EVP_PKEY *public_key() const override { return key_.get(); }
    [[nodiscard]] std::string description() const override { return "the RSA-16384 test key"; }
    [[nodiscard]] unsigned max_parallel() const override { return 2; }
    std::vector<std::uint8_t> sign(const HashAlgo &algo,
                                   std::span<const std::uint8_t> digest) override
    {
        ++signatures_;
        EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key_.get(), nullptr));
        std::vector<std::uint8_t> out(static_cast<std::size_t>(EVP_PKEY_get_size(key_.get())));
        std::size_t len = out.size();
        if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
            EVP_PKEY_CTX_set_signature_md(
                ctx.get(), EVP_get_digestbyname(std::string(algo.openssl_name).c_str())) != 1 ||
            EVP_PKEY_sign(ctx.get(), out.data(), &len, digest.data(), digest.size()) != 1)
            throw Error("the RSA-16384 test key failed to sign");
        out.resize(len);
        return out;
    }
    [[nodiscard]] unsigned signatures() const { return signatures_.load(); }

  private:
    EvpPkeyPtr key_;
    std::atomic<unsigned> signatures_{0};
};

GVariantPtr xattr_list(const std::vector<std::pair<std::string, std::size_t>> &entries)
{
    GVariantPtr list = take_variant(g_variant_new_array(G_VARIANT_TYPE("(ayay)"), nullptr, 0));
    for (const auto &[name, size] : entries)
        list = xattr_set(list.get(), name, Bytes(size, 'v'));
    return list;
}

} // namespace

// --- every codec and file takes the largest signature, and no byte more ---

BOOST_AUTO_TEST_SUITE(codecs)

BOOST_AUTO_TEST_CASE(xattr_codecs_carry_the_largest_signatures) // v2, sigv3, EVM
{
    const HashAlgo &sha256 = hash_algo_by_name("sha256");
    const KeyId id = parse_key_id("0a0b0c0d");
    for (const std::size_t size : kLargeSizes) {
        BOOST_TEST_CONTEXT(size << " bytes")
        {
            const Bytes sig = pattern(size);
            const Bytes v2 = encode_ima_signature(sha256, id, sig);
            BOOST_TEST(v2.size() == kImaSigHeaderSize + size);
            BOOST_TEST(((std::size_t{v2[7]} << 8) | v2[8]) == size);
            const ImaDecodeResult d = decode_ima_signature(v2);
            BOOST_REQUIRE(d.ok);
            BOOST_TEST(d.value.signature == sig);
            const ImaDecodeResult dv =
                decode_ima_verity_signature(encode_ima_verity_signature(sha256, id, sig));
            BOOST_REQUIRE(dv.ok);
            BOOST_TEST(dv.value.signature == sig);
            const ImaDecodeResult de =
                decode_evm_portable_signature(encode_evm_portable_signature(sha256, id, sig));
            BOOST_REQUIRE(de.ok);
            BOOST_TEST(de.value.signature == sig);
            // What sign and --reuse do with an existing value: well-formed.
            const ExistingSignature e = classify_existing_signature(v2, parse_key_id("01020304"));
            BOOST_TEST(static_cast<int>(e.kind) ==
                       static_cast<int>(ExistingSignature::Kind::OtherKey));
        }
    }
    // The codec's own bound is the header's 16-bit size field.
    BOOST_CHECK_NO_THROW((void)encode_ima_signature(sha256, id, Bytes(0xffff, 1)));
    BOOST_CHECK_THROW((void)encode_ima_signature(sha256, id, Bytes(0x10000, 1)), Error);
}

BOOST_AUTO_TEST_CASE(cache_lines_carry_up_to_the_limit)
{
    for (const std::string algo : {"sha256", "sha512"}) {
        for (const bool verity : {false, true}) {
            if (verity && algo != "sha256")
                continue;
            for (const std::size_t size :
                 {std::size_t{4627}, kMaxSignatureBytes, kMaxSignatureBytes + 1}) {
                BOOST_TEST_CONTEXT(algo << (verity ? " verity " : " ") << size << " bytes")
                {
                    CachedSignature entry;
                    entry.scheme = verity ? &ima_verity_scheme() : &ima_v2_scheme();
                    entry.algo = &hash_algo_by_name(algo);
                    entry.digest = Bytes(entry.algo->digest_size, 0x11);
                    entry.key_id = parse_key_id("0a0b0c0d");
                    entry.signature = pattern(size);
                    std::string line = format_cache_line(entry);
                    line.pop_back();
                    const auto parsed = parse_cache_line(line);
                    BOOST_TEST(parsed.has_value() == (size <= kMaxSignatureBytes));
                    if (parsed)
                        BOOST_TEST(parsed->signature == entry.signature);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(signatures_file_carries_up_to_the_limit)
{
    const auto file_with = [](const std::vector<std::size_t> &sizes) {
        SignatureFile f;
        f.manifest.commit = std::string(64, 'a');
        f.manifest.algo = &hash_algo_by_name("sha256");
        f.manifest.manifest_sha256 = std::string(64, 'b');
        f.key_id = parse_key_id("0a0b0c0d");
        for (std::size_t i = 0; i < sizes.size(); ++i)
            f.signatures.push_back(
                {Bytes(32, static_cast<std::uint8_t>(i + 1)), pattern(sizes[i])});
        return serialize_signature_file(f);
    };
    const std::string text = file_with({2048, 4627, kMaxSignatureBytes});
    const SignatureFile f = parse_signature_file(text, "f.json");
    BOOST_REQUIRE(f.signatures.size() == 3u);
    BOOST_TEST(f.signatures[1].signature == pattern(4627));
    BOOST_TEST(f.signatures[2].signature == pattern(kMaxSignatureBytes));
    BOOST_TEST(serialize_signature_file(f) == text);
    // One byte over: its base64 is as long as the limit's (base64 counts in
    // threes), so the decoded size must decide.
    try {
        (void)parse_signature_file(file_with({4627, kMaxSignatureBytes + 1}), "f.json");
        BOOST_ERROR("a signature one byte over the limit was taken");
    } catch (const Error &e) {
        BOOST_TEST(std::string(e.what()).find(
                       "signatures[1].signature holds " + std::to_string(kMaxSignatureBytes + 1) +
                       " bytes, more than " + std::to_string(kMaxSignatureBytes)) !=
                       std::string::npos,
                   e.what());
    }
    BOOST_CHECK_THROW((void)parse_signature_file(file_with({kMaxSignatureBytes + 3}), "f.json"),
                      Error);
}

BOOST_AUTO_TEST_SUITE_END()
// --- what one ext4 xattr block holds ---

BOOST_AUTO_TEST_SUITE(ext4_room)

BOOST_AUTO_TEST_CASE(block_bytes_follow_the_ext4_layout)
{
    BOOST_TEST(ext4_xattr_block_bytes(nullptr) == 0u);
    BOOST_TEST(ext4_xattr_block_bytes(xattr_list({}).get()) == 0u);
    // Header 32, end mark 4, entry 16 + "ima" rounded to 20, the value rounded to 4.
    BOOST_TEST(ext4_xattr_block_bytes(xattr_list({{"security.ima", 4040}}).get()) == 4096u);
    BOOST_TEST(fits_ext4_xattr_block(xattr_list({{"security.ima", 4040}}).get()));
    BOOST_TEST(ext4_xattr_block_bytes(xattr_list({{"security.ima", 4041}}).get()) == 4100u);
    BOOST_TEST(!fits_ext4_xattr_block(xattr_list({{"security.ima", 4041}}).get()));
    // Names that are all prefix store none of it.
    BOOST_TEST(ext4_xattr_block_bytes(xattr_list({{"system.posix_acl_access", 28}}).get()) ==
               32u + 4 + 16 + 28);
    BOOST_TEST(ext4_xattr_block_bytes(xattr_list({{"user.attr10", 8}}).get()) == 32u + 4 + 24 + 8);
}

// Each list set in order on a new file of a real ext4 (4 KiB blocks, 256-byte
// inodes, no ea_inode): where every value is too large for the inode's 88
// bytes, the prediction is exactly what ext4 does; with a small label first
// (which the inode takes), a list predicted to fit fits.
BOOST_AUTO_TEST_CASE(predictions_are_what_a_real_ext4_does)
{
    TempDir dir;
    const std::string image = dir / "ext4.img", mnt = dir / "mnt";
    sh_ok("truncate -s 16M " + quote(image) + " && mkfs.ext4 -q -F -b 4096 -I 256 -O ^ea_inode " +
          quote(image) + " && mkdir " + quote(mnt));
    BOOST_REQUIRE_MESSAGE(sh("mount -o loop " + quote(image) + " " + quote(mnt)).exit_code == 0,
                          "cannot loop-mount an ext4 image (root needed)");
    struct Case {
        std::vector<std::pair<std::string, std::size_t>> xattrs;
        bool exact; // no value small enough for the inode
    };
    // user.evm stands for security.evm (the same stored name length), which
    // the host's EVM may refuse to set.
    const std::vector<Case> cases = {
        {{{"security.ima", 4040}}, true},
        {{{"security.ima", 4041}}, true},
        {{{"security.ima", 9 + 4627}}, true},                         // ML-DSA-87
        {{{"security.ima", 9 + 2420}, {"user.evm", 9 + 2420}}, true}, // ML-DSA-44 twice
        {{{"security.ima", 9 + 3309}, {"user.evm", 9 + 256}}, true},
        {{{"security.ima", 9 + 3309}, {"user.x", 700}}, true}, // 4,096 exactly
        {{{"security.ima", 9 + 3309}, {"user.x", 701}}, true},
        {{{"security.ima", 9 + 2048}, {"user.evm", 9 + 2048}}, true}, // RSA-16384 twice
        {{{"security.selinux", 28}, {"security.ima", 9 + 2048}, {"user.evm", 9 + 512}}, false},
        {{{"security.selinux", 28}, {"security.ima", 4000}}, false},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        BOOST_TEST_CONTEXT("case " << i)
        {
            const std::string file = mnt + "/f" + std::to_string(i);
            sh_ok("touch " + quote(file));
            bool real_fits = true;
            for (const auto &[name, size] : cases[i].xattrs) {
                const Bytes value(size, 'v');
                if (::setxattr(file.c_str(), name.c_str(), value.data(), value.size(), 0) != 0) {
                    BOOST_TEST_REQUIRE(errno == ENOSPC);
                    real_fits = false;
                }
            }
            const bool predicted = fits_ext4_xattr_block(xattr_list(cases[i].xattrs).get());
            if (cases[i].exact)
                BOOST_TEST(predicted == real_fits);
            else
                BOOST_TEST((!predicted || real_fits));
        }
    }
    (void)sh("umount " + quote(mnt));
}

BOOST_AUTO_TEST_SUITE_END()

// --- an RSA-16384 key's 2,048-byte signatures, end to end ---

namespace {

struct World : Workspace {
    std::string key = source_dir() + "/tests/data/rsa16384-test.key.pem";
    std::string cert = dir / "rsa16384.cert.pem";
    std::string repo;
    KeyId key_id{};
    RsaKeyBackend backend{key};
    World()
    {
        sh_ok("openssl req -new -x509 -key " + quote(key) +
              " -subj '/CN=ostree-ima RSA-16384 test' -addext subjectKeyIdentifier=hash "
              "-days 30 -out " +
              quote(cert) + " 2>&1");
        key_id = Certificate::load(cert).ima_key_id();
        repo = Workspace::repo(
            "archive", Workspace::tree("tree", "mkdir -p usr/bin; printf 'one' > usr/bin/one"
                                               "; printf 'two' > usr/bin/two"
                                               "; cp usr/bin/one usr/bin/one-again"));
    }
    // A ref whose one file, /big, carries a user.big of `size` bytes.
    std::string commit_big(const std::string &ref, std::size_t size)
    {
        const std::string tree = dir / ("tree-" + ref);
        sh_ok("mkdir -p " + quote(tree) + " && printf 'big' > " + quote(tree + "/big"));
        const Bytes value(size, 'b');
        BOOST_REQUIRE(
            ::setxattr((tree + "/big").c_str(), "user.big", value.data(), value.size(), 0) == 0);
        sh_ok("ostree commit --repo=" + quote(repo) + " -b " + quote(ref) +
              " --tree=dir=" + quote(tree) + " 2>&1");
        return ref;
    }
    [[nodiscard]] SignRequest request(const std::string &source, const std::string &target) const
    {
        SignRequest r;
        r.repo_path = repo;
        r.source_rev = source;
        r.target_ref = target;
        r.algo = &hash_algo_by_name("sha256");
        r.key_id = key_id;
        r.jobs = 2;
        return r;
    }
};

World &world()
{
    static World w;
    return w;
}

// Every regular file of rev carries a v2 sha256 signature of 2,048 bytes
// under the key id that `openssl dgst -verify` accepts for the content:
// checked without ostree-ima (evmctl 1.4 reads at most 1,024 bytes).
void check_with_openssl(const std::string &rev)
{
    World &w = world();
    TempDir scratch;
    const std::string co = scratch / "co", pub = scratch / "pub.pem", sig = scratch / "sig";
    sh_ok("ostree checkout -U --repo=" + quote(w.repo) + " " + quote(rev) + " " + quote(co) +
          " && openssl x509 -in " + quote(w.cert) + " -pubkey -noout > " + quote(pub));
    std::size_t regular = 0;
    for (const auto &[path, facts] : read_commit_files(w.repo, rev)) {
        if (!facts.regular)
            continue;
        ++regular;
        BOOST_TEST_CONTEXT(path)
        {
            BOOST_REQUIRE(facts.ima.has_value());
            const Bytes &x = *facts.ima;
            BOOST_REQUIRE(x.size() == 9u + 2048u);
            BOOST_TEST(Bytes(x.begin(), x.begin() + 3) == Bytes({0x03, 0x02, 0x04}));
            BOOST_TEST(Bytes(x.begin() + 3, x.begin() + 7) ==
                       Bytes(w.key_id.begin(), w.key_id.end()));
            BOOST_TEST(Bytes(x.begin() + 7, x.begin() + 9) == Bytes({0x08, 0x00}));
            write_text(sig, std::string(x.begin() + 9, x.end()));
            const Result r = sh("openssl dgst -sha256 -verify " + quote(pub) + " -signature " +
                                quote(sig) + " " + quote(co + path) + " 2>&1");
            BOOST_TEST(r.exit_code == 0, r.out);
        }
    }
    BOOST_TEST(regular == 3u);
}

} // namespace

BOOST_AUTO_TEST_SUITE(rsa16384)

BOOST_AUTO_TEST_CASE(sign_cache_reuse_verify_and_the_signing_room)
{
    World &w = world();
    const std::string cache = w.dir / "signature.cache";
    SignRequest first = w.request("main", "signed");
    first.signature_cache = cache;
    const SignReport signed1 = sign_commit(first, w.backend);
    BOOST_TEST(signed1.signatures.made == 2u); // one, two (one-again shares one's object)
    BOOST_TEST(w.backend.signatures() == 2u);
    check_with_openssl("signed");
    require_fsck(w.repo);

    // The cache holds them, and a rerun takes them (no key operation, same commit).
    const std::string text = read_text(cache);
    BOOST_TEST(line_count(text) == 3u); // the header, two lines
    SignRequest again = w.request("main", "signed");
    again.signature_cache = cache;
    const SignReport signed2 = sign_commit(again, w.backend);
    BOOST_TEST(signed2.signatures.from_cache == 2u);
    BOOST_TEST(w.backend.signatures() == 2u);
    BOOST_TEST(signed2.new_commit == signed1.new_commit);

    // --reuse recovers the digests from the 2,048-byte signatures themselves,
    // and by the commit's record takes the signed files, each verified.
    SignRequest reuse = w.request("main", "signed");
    reuse.reuse = {"signed"};
    reuse.reuse_reads_all = true;
    const SignReport signed3 = sign_commit(reuse, w.backend);
    BOOST_TEST(signed3.signatures.from_commit == 2u);
    BOOST_TEST(w.backend.signatures() == 2u);
    BOOST_TEST(signed3.new_commit == signed1.new_commit);
    reuse.reuse_reads_all = false;
    const SignReport signed4 = sign_commit(reuse, w.backend);
    BOOST_TEST(signed4.signatures.from_record == 2u);
    BOOST_TEST(signed4.bytes_hashed == 0u);
    BOOST_TEST(w.backend.signatures() == 2u);
    BOOST_TEST(signed4.new_commit == signed1.new_commit);

    // verify and its JSON report.
    const Result v = run({binary(), "verify", "--repo=" + w.repo, "--cert=" + w.cert, "--json",
                          "--require-all", "signed"});
    BOOST_TEST_REQUIRE(v.exit_code == 0, v.err);
    const json report = json::parse(v.out);
    BOOST_TEST(report["valid"] == true);
    BOOST_TEST(report["files_signed"] == 3);
    BOOST_TEST(report["files_invalid"] == 0);

    // The signing room: digests, the key signing the manifest (from the
    // cache), the signatures file written and read back.
    const std::string manifest_path = w.dir / "digests.json";
    const Result d = run({binary(), "digests", "--repo=" + w.repo, "-o", manifest_path, "main"});
    BOOST_TEST_REQUIRE(d.exit_code == 0, d.err);
    const std::string manifest_text = read_text(manifest_path);
    const DigestManifest manifest = parse_digest_manifest(manifest_text, manifest_path);
    ManifestSignRequest room;
    room.manifest = &manifest;
    room.manifest_sha256 = sha256_hex(manifest_text);
    room.key_id = w.key_id;
    room.signature_cache = cache;
    const SignedManifest made = sign_manifest(room, w.backend);
    BOOST_TEST(made.signatures.from_cache == 2u);
    const std::string signatures_text = serialize_signature_file(made.file);
    const SignatureFile back = parse_signature_file(signatures_text, "signatures.json");
    BOOST_REQUIRE(back.signatures.size() == 2u);
    for (const DigestSignature &s : back.signatures)
        BOOST_TEST(s.signature.size() == 2048u);
    // apply takes only certificates of keys the kernel verifies.
    write_text(w.dir / "signatures.json", signatures_text);
    const Result a = run({binary(), "apply", "--repo=" + w.repo, "--cert=" + w.cert,
                          "--signatures=" + (w.dir / "signatures.json"), "main", "applied"});
    BOOST_TEST(a.exit_code == 1);
    BOOST_TEST(a.err.find("RSA-16384") != std::string::npos, a.err);
}

// A file whose xattrs fit ext4's block before and not with the new
// signature is refused, naming it, unless allow_large_xattrs.
BOOST_AUTO_TEST_CASE(ext4_room_refuses_what_new_signatures_push_over)
{
    World &w = world();
    // 36 + 20 + 2,000 fits; with security.ima (20 + 2,060) it does not.
    const std::string ref = w.commit_big("big", 2000);
    try {
        (void)sign_commit(w.request(ref, "big-signed"), w.backend);
        BOOST_ERROR("signed although ext4 could not hold it");
    } catch (const Error &e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("/big") != std::string::npos, m);
        BOOST_TEST(m.find("security.ima 2057 bytes") != std::string::npos, m);
        BOOST_TEST(m.find("take 4136 bytes of the 4096-byte block") != std::string::npos, m);
        BOOST_TEST(m.find("--allow-large-xattrs") != std::string::npos, m);
    }
    BOOST_TEST(!ref_exists(w.repo, "big-signed"));
    SignRequest allowed = w.request(ref, "big-signed");
    allowed.allow_large_xattrs = true;
    (void)sign_commit(allowed, w.backend);
    const auto files = read_commit_files(w.repo, "big-signed");
    BOOST_TEST(files.at("/big").ima->size() == 9u + 2048u);
    require_fsck(w.repo);
}

// Today's keys meet it too, in every command that writes signatures: a file
// whose user xattr leaves less room than an RSA-2048 signature takes.
BOOST_AUTO_TEST_CASE(cli_refuses_without_the_option_and_signs_with_it)
{
    World &w = world();
    const KeyPair k = make_key(w.dir.path(), "rsa2048", "rsa:2048");
    // 36 + 20 + 3,800 fits; with security.ima (20 + 268) it does not.
    const std::string ref = w.commit_big("edge", 3800);
    const std::vector<std::string> key = {"--key=" + k.key_pem, "--cert=" + k.cert_pem};
    const auto sign = [&](const std::string &command, const std::vector<std::string> &extra) {
        std::vector<std::string> argv = {binary(), command, "--repo=" + w.repo};
        argv.insert(argv.end(), extra.begin(), extra.end());
        if (command == "sign") {
            argv.insert(argv.end(), key.begin(), key.end());
            argv.insert(argv.end(), {ref, "edge-signed"});
        } else {
            argv.insert(argv.end(),
                        {"--cert=" + k.cert_pem, ref, "edge-signed", "sha256", k.key_pem});
        }
        return run(argv);
    };
    for (const std::string command : {"sign", "ima-sign"}) {
        BOOST_TEST_CONTEXT(command)
        {
            const Result refused = sign(command, {});
            BOOST_TEST(refused.exit_code == 1);
            BOOST_TEST(line_count(refused.err) == 1u, refused.err);
            BOOST_TEST(refused.err.find("/big") != std::string::npos, refused.err);
            BOOST_TEST(refused.err.find("--allow-large-xattrs") != std::string::npos);
            BOOST_TEST(!ref_exists(w.repo, "edge-signed"));
            const Result allowed = sign(command, {"--allow-large-xattrs"});
            BOOST_TEST(allowed.exit_code == 0, allowed.err);
            (void)sh("ostree refs --repo=" + quote(w.repo) + " --delete edge-signed");
        }
    }
    // apply: the signing room's signatures, written the same way.
    const std::string manifest = w.dir / "edge.digests.json";
    const std::string signatures = w.dir / "edge.signatures.json";
    BOOST_TEST_REQUIRE(
        run({binary(), "digests", "--repo=" + w.repo, "-o", manifest, ref}).exit_code == 0);
    std::vector<std::string> room = {binary(), "sign-digests", "--yes", "-o", signatures};
    room.insert(room.end(), key.begin(), key.end());
    room.push_back(manifest);
    BOOST_TEST_REQUIRE(run(room).exit_code == 0);
    const std::vector<std::string> apply = {binary(), "apply", "--repo=" + w.repo,
                                            "--cert=" + k.cert_pem, "--signatures=" + signatures};
    std::vector<std::string> argv = apply;
    argv.insert(argv.end(), {ref, "edge-signed"});
    const Result refused = run(argv);
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.err.find("--allow-large-xattrs") != std::string::npos, refused.err);
    BOOST_TEST(!ref_exists(w.repo, "edge-signed"));
    argv = apply;
    argv.insert(argv.end(), {"--allow-large-xattrs", ref, "edge-signed"});
    const Result allowed = run(argv);
    BOOST_TEST(allowed.exit_code == 0, allowed.err);
}

BOOST_AUTO_TEST_SUITE_END()
