// Unit tests of pkcs11/ without a token: DigestInfo, the ECDSA conversion,
// PKCS#11 URIs (parts, PIN redaction, display), CKR texts and the session
// pool (self-contained: the package build runs them).
#include <boost/test/unit_test.hpp>

#include "ckr_text.hpp"
#include "fixtures.hpp"
#include "ima/algorithms/digest_info.hpp"
#include "ima/algorithms/ecdsa_sig_value.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "pkcs11_session_pool.hpp"
#include "pkcs11_uri.hpp"
#include "pkcs11_uri_text.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <sys/stat.h>

BOOST_AUTO_TEST_SUITE(pkcs11)

// PKCS#11 backend pieces that need no token: DigestInfo encodings checked
// against OpenSSL's ASN.1 encoder, ECDSA r||s -> DER, URI parsing and
// formatting, CK_RV texts, pool sizing, IMA key ids.
using namespace ostree_ima;
using namespace ostree_ima::pkcs11;
using Bytes = std::vector<std::uint8_t>;

namespace {

// DigestInfo built by OpenSSL's encoder from the OID's dotted text.
Bytes openssl_digest_info(const char *oid, const Bytes &digest)
{
    X509_SIG *sig = X509_SIG_new();
    X509_ALGOR *algor = nullptr;
    ASN1_OCTET_STRING *octets = nullptr;
    X509_SIG_getm(sig, &algor, &octets);
    X509_ALGOR_set0(algor, OBJ_txt2obj(oid, 1), V_ASN1_NULL, nullptr);
    ASN1_OCTET_STRING_set(octets, digest.data(), static_cast<int>(digest.size()));
    unsigned char *der = nullptr;
    const int size = i2d_X509_SIG(sig, &der);
    Bytes out(der, der + size);
    OPENSSL_free(der);
    X509_SIG_free(sig);
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(digest_info_matches_openssl_encoding)
{
    const std::pair<const char *, const char *> oids[] = {
        {"sha1", "1.3.14.3.2.26"},
        {"sha224", "2.16.840.1.101.3.4.2.4"},
        {"sha256", "2.16.840.1.101.3.4.2.1"},
        {"sha384", "2.16.840.1.101.3.4.2.2"},
        {"sha512", "2.16.840.1.101.3.4.2.3"},
        {"sm3", "1.2.156.10197.1.401"},
        {"streebog256", "1.2.643.7.1.1.2.2"},
        {"streebog512", "1.2.643.7.1.1.2.3"},
    };
    for (const auto &[name, oid] : oids) {
        const HashAlgo *algo = nullptr;
        for (const auto &candidate : all_hash_algos())
            if (candidate.name == name)
                algo = &candidate;
        BOOST_REQUIRE_MESSAGE(algo != nullptr, name);
        Bytes digest(algo->digest_size);
        for (std::size_t i = 0; i < digest.size(); ++i)
            digest[i] = static_cast<std::uint8_t>(i * 7 + 1);
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST(rsa_digest_info(*algo, digest) == openssl_digest_info(oid, digest),
                       boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(digest_info_rejects_wrong_size)
{
    const HashAlgo sha256{"sha256", "SHA256", 4, 32};
    BOOST_CHECK_THROW(rsa_digest_info(sha256, Bytes(20)), Error);
    const HashAlgo unknown{"md5", "MD5", 1, 16};
    BOOST_CHECK_THROW(rsa_digest_info(unknown, Bytes(16)), Error);
}

BOOST_AUTO_TEST_CASE(ecdsa_raw_to_der_round_trip)
{
    Bytes raw(64);
    raw[0] = 0x80; // r with the top bit set: DER needs a leading zero
    raw[31] = 1;
    raw[32] = 0; // s with leading zeros: DER drops them
    raw[33] = 0;
    raw[63] = 5;
    const Bytes der = ecdsa_raw_to_der(raw, 32);
    const unsigned char *in = der.data();
    ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size()));
    BOOST_REQUIRE(sig != nullptr);
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig, &r, &s);
    Bytes back(64);
    BN_bn2binpad(r, back.data(), 32);
    BN_bn2binpad(s, back.data() + 32, 32);
    ECDSA_SIG_free(sig);
    BOOST_TEST(back == raw, boost::test_tools::per_element());

    // A module that already returns DER is accepted; garbage is not.
    BOOST_TEST(ecdsa_raw_to_der(der, 32) == der, boost::test_tools::per_element());
    BOOST_CHECK_THROW(ecdsa_raw_to_der(Bytes(63, 1), 32), Error);
    BOOST_CHECK_THROW(ecdsa_raw_to_der(Bytes(64, 0), 32), Error);
}

BOOST_AUTO_TEST_CASE(uri_parts_and_pin_redaction)
{
    const Pkcs11Uri uri("pkcs11:token=My%20Token;object=key;id=%01%02;type=private;"
                        "pin-value=secret?module-path=/usr/lib/softhsm/libsofthsm2.so");
    BOOST_TEST(uri.display().find("secret") == std::string::npos);
    BOOST_TEST(uri.display().find("object=key") != std::string::npos);
    BOOST_TEST(uri.has_pin_value());
    BOOST_TEST(uri.pin_value().str() == "secret");
    BOOST_TEST(*uri.module_path() == "/usr/lib/softhsm/libsofthsm2.so");
    BOOST_TEST(!uri.module_name());
    BOOST_TEST(*uri.object_label() == "key");
    BOOST_TEST(*uri.object_id() == (Bytes{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(*uri.object_class() == CKO_PRIVATE_KEY);
    BOOST_TEST(!uri.slot_id());
    BOOST_TEST(uri.matches_object(CKO_PRIVATE_KEY, "key", Bytes{1, 2}));
    BOOST_TEST(!uri.matches_object(CKO_PRIVATE_KEY, "key", Bytes{1, 3}));
    BOOST_TEST(!uri.matches_object(CKO_CERTIFICATE, "key", Bytes{1, 2}));

    const Pkcs11Uri query_pin("pkcs11:object=k?pin-value=1234&module-name=softhsm2");
    BOOST_TEST(query_pin.display() == "pkcs11:object=k?module-name=softhsm2");
    BOOST_TEST(*query_pin.module_name() == "softhsm2");

    const Pkcs11Uri slot("pkcs11:slot-id=7");
    BOOST_TEST(*slot.slot_id() == 7UL);
}

BOOST_AUTO_TEST_CASE(uri_errors_name_the_problem)
{
    const auto message = [](const std::string &text) -> std::string {
        try {
            const Pkcs11Uri uri(text);
        } catch (const Error &error) {
            return error.what();
        }
        return "";
    };
    BOOST_TEST(message("pkcs11:objekt=x;pin-value=1234").find("unknown attribute 'objekt'") !=
               std::string::npos);
    BOOST_TEST(message("pkcs11:objekt=x;pin-value=1234").find("1234") == std::string::npos);
    BOOST_TEST(message("pkcs11:object=x?pin-file=/p").find("unknown query attribute 'pin-file'") !=
               std::string::npos);
    BOOST_TEST(message("pkcs11:type=secret").find("unknown object type 'secret'") !=
               std::string::npos);
    BOOST_TEST(message("pkcs11:token").find("cannot parse") != std::string::npos);
    BOOST_TEST(message("/path/key.pem").find("not a PKCS#11 URI") != std::string::npos);
    BOOST_TEST(Pkcs11Uri::is_pkcs11_uri("PKCS11:object=x"));
    BOOST_TEST(!Pkcs11Uri::is_pkcs11_uri("pkcs1:object=x"));
}

// Issue #10: a PIN under a misspelled or percent-encoded name was printed
// back. The display is rebuilt from recognised attributes only.
BOOST_AUTO_TEST_CASE(uri_display_shows_only_recognised_attributes)
{
    const auto message = [](const std::string &text) -> std::string {
        try {
            const Pkcs11Uri uri(text);
        } catch (const Error &error) {
            return error.what();
        }
        return "(accepted)";
    };
    const std::string secret = "Zq7SecretPin4713";
    // Decoded to pin-value: dropped; p11-kit does not decode names, so the
    // URI is refused, naming no part of the value.
    for (const std::string name : {"pin%2Dvalue", "pin-valu%65", "%70in-value"}) {
        const std::string text = "pkcs11:token=t?" + name + "=" + secret;
        BOOST_TEST(uri_display(text) == "pkcs11:token=t", name);
        BOOST_TEST(message(text) == "PKCS#11 URI pkcs11:token=t is not understood: unknown query "
                                    "attribute (not plain lower-case letters: not shown)",
                   name);
    }
    // Unknown names: the display stops before them; the name is shown.
    for (const std::string name : {"pinvalue", "pin_value"}) {
        const std::string text = "pkcs11:token=t?" + name + "=" + secret;
        BOOST_TEST(uri_display(text) == "pkcs11:token=t (rest not shown)", name);
        BOOST_TEST(message(text) == "PKCS#11 URI pkcs11:token=t (rest not shown) is not "
                                    "understood: unknown query attribute '" +
                                        name + "'",
                   name);
    }
    // In the path, and what follows the unknown attribute is cut too.
    BOOST_TEST(uri_display("pkcs11:token=t;pinvalue=" + secret + ";object=k?module-name=m") ==
               "pkcs11:token=t (rest not shown)");
    // A PIN run into the name is not shown as a name.
    BOOST_TEST(message("pkcs11:token=t?pin-value" + secret + "=x").find(secret) ==
               std::string::npos);
    // p11-kit removes blanks before parsing: so do we.
    BOOST_TEST(uri_display("pkcs11:object=a; pin-value=" + secret) == "pkcs11:object=a");
    // Values are decoded and encoded again: a separator in a value stays
    // part of it; an undecodable value cuts.
    BOOST_TEST(uri_display("pkcs11:object=a%3Bpin-value%3D1;token=My%20Token") ==
               "pkcs11:object=a%3Bpin-value%3D1;token=My%20Token");
    BOOST_TEST(uri_display("pkcs11:object=a%zz;token=t") == "pkcs11: (rest not shown)");
    // A long value is cut (messages), or kept whole (the audit log).
    const std::string label(100, 'L');
    BOOST_TEST(uri_display("pkcs11:object=" + label) ==
               "pkcs11:object=" + std::string(64, 'L') + "...");
    BOOST_TEST(uri_display("pkcs11:object=" + label, kUnboundedUriDisplay) ==
               "pkcs11:object=" + label);
    // A NUL ends what p11-kit would read: the rest is not shown.
    BOOST_TEST(uri_display(std::string("pkcs11:object=a\0;pin-value=1", 29)) ==
               "pkcs11:object=a (rest not shown)");
}

BOOST_AUTO_TEST_CASE(uri_scheme_in_any_case)
{
    const Pkcs11Uri upper("PKCS11:token=t;object=k?module-name=softhsm2");
    BOOST_TEST(*upper.object_label() == "k");
    BOOST_TEST(*upper.module_name() == "softhsm2");
    BOOST_TEST(upper.display() == "pkcs11:token=t;object=k?module-name=softhsm2");
    BOOST_TEST(*Pkcs11Uri("Pkcs11:object=k").object_label() == "k");
    BOOST_TEST(is_pkcs11_uri("pKcS11:"));
    BOOST_TEST(!is_pkcs11_uri("pkcs11"));
}

BOOST_AUTO_TEST_CASE(pin_source_forms)
{
    test_support::TempDir dir;
    const std::string path = dir / "pin";
    {
        std::ofstream out(path);
        out << "4321\n";
    }
    ::chmod(path.c_str(), 0600);
    BOOST_TEST(read_pin_source(path).str() == "4321");
    BOOST_TEST(read_pin_source("file:" + path).str() == "4321");
    BOOST_TEST(read_pin_source("file://" + path).str() == "4321");
    BOOST_CHECK_THROW(read_pin_source("|/bin/echo 1234"), Error);
    BOOST_CHECK_THROW(read_pin_source("env:PIN"), Error);
}

BOOST_AUTO_TEST_CASE(formatted_uri_round_trips_and_has_no_pin)
{
    CK_TOKEN_INFO token{};
    std::memset(token.label, ' ', sizeof token.label);
    std::memcpy(token.label, "tok;en", 6);
    std::memset(token.manufacturerID, ' ', sizeof token.manufacturerID);
    std::memset(token.model, 0, sizeof token.model); // tpm2-pkcs11 pads with NULs
    std::memcpy(token.model, "SW   TPM", 8);
    std::memset(token.serialNumber, ' ', sizeof token.serialNumber);
    std::memcpy(token.serialNumber, "42", 2);
    const Bytes id{0x00, 0xff};
    const std::string text =
        format_object_uri(token, CKO_PRIVATE_KEY, "a key", id, {"/x/mod.so", ""});
    BOOST_TEST(text.find("pin") == std::string::npos);
    const Pkcs11Uri back(text);
    BOOST_TEST(back.matches_token(token));
    BOOST_TEST(back.matches_object(CKO_PRIVATE_KEY, "a key", id));
    BOOST_TEST(*back.module_path() == "/x/mod.so");
}

BOOST_AUTO_TEST_CASE(ckr_texts)
{
    BOOST_TEST(ckr_text(CKR_PIN_INCORRECT) == "CKR_PIN_INCORRECT: wrong PIN");
    BOOST_TEST(ckr_text(CKR_DEVICE_REMOVED) == "CKR_DEVICE_REMOVED: device removed");
    BOOST_TEST(ckr_text(CKR_KEY_FUNCTION_NOT_PERMITTED) ==
               "CKR_KEY_FUNCTION_NOT_PERMITTED: key not allowed to sign");
    BOOST_TEST(ckr_name(CKR_VENDOR_DEFINED | 5).find("VENDOR") != std::string::npos);
    BOOST_TEST(ckr_name(0x7777) == "CKR_0x7777");
}

BOOST_AUTO_TEST_CASE(pool_capacity)
{
    CK_TOKEN_INFO token{};
    token.ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
    // A token that does not say: one session per CPU worker, or --sessions.
    BOOST_TEST(SessionPool::capacity_for(8, 0, token) == 8U);
    BOOST_TEST(SessionPool::capacity_for(0, 0, token) == 1U);
    BOOST_TEST(SessionPool::capacity_for(500, 0, token) == SessionPool::max_capacity);
    BOOST_TEST(SessionPool::capacity_for(2, 32, token) == 32U);
    BOOST_TEST(SessionPool::capacity_for(2, 500, token) == SessionPool::max_capacity);
    token.ulMaxSessionCount = CK_UNAVAILABLE_INFORMATION;
    BOOST_TEST(SessionPool::capacity_for(8, 0, token) == 8U);
    // A token that says: as many as it allows (one is the login session),
    // whatever --jobs; --sessions above that is cut to it.
    token.ulMaxSessionCount = 33;
    BOOST_TEST(SessionPool::capacity_for(2, 0, token) == 32U);
    BOOST_TEST(SessionPool::capacity_for(2, 100, token) == 32U);
    BOOST_TEST(SessionPool::capacity_for(2, 4, token) == 4U);
    token.ulMaxSessionCount = 4;
    BOOST_TEST(SessionPool::capacity_for(8, 0, token) == 3U);
    token.ulMaxSessionCount = 2; // a TPM: one session signs
    BOOST_TEST(SessionPool::capacity_for(8, 0, token) == 1U);
    token.ulMaxSessionCount = 1;
    BOOST_TEST(SessionPool::capacity_for(8, 0, token) == 1U);
}

BOOST_AUTO_TEST_SUITE_END() // pkcs11
