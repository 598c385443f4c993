#include "formats/keylime_policy.hpp"

#include "formats/python_json.hpp"
#include "ima/file_digest.hpp"
#include "ostree-ima/error.hpp"
#include "util/quoted_input.hpp"
#include "util/text_encoding.hpp"

#include <openssl/x509.h>

namespace ostree_ima {

namespace {
using Json = nlohmann::ordered_json;

std::vector<std::uint8_t> public_key_der(const Certificate &cert)
{
    const int len = i2d_PUBKEY(cert.public_key(), nullptr);
    if (len <= 0)
        throw Error("certificate " + cert.origin() + ": cannot encode its public key");
    std::vector<std::uint8_t> out(static_cast<std::size_t>(len));
    unsigned char *end = out.data();
    if (i2d_PUBKEY(cert.public_key(), &end) != len)
        throw Error("certificate " + cert.origin() + ": cannot encode its public key");
    return out;
}

std::uint32_t key_id_number(const KeyId &id)
{
    return (std::uint32_t{id[0]} << 24) | (std::uint32_t{id[1]} << 16) |
           (std::uint32_t{id[2]} << 8) | std::uint32_t{id[3]};
}
} // namespace

std::string keylime_verification_keys(const std::vector<const Certificate *> &certs)
{
    Json pubkeys = Json::array();
    Json keyids = Json::array();
    for (const Certificate *cert : certs) {
        pubkeys.push_back(to_base64(public_key_der(*cert)));
        keyids.push_back(key_id_number(cert->ima_key_id()));
    }
    Json keyring;
    keyring["pubkeys"] = std::move(pubkeys);
    keyring["keyids"] = std::move(keyids);
    return python_json_dumps(keyring);
}

std::string keylime_policy_text(const KeylimePolicy &policy)
{
    Json doc;
    doc["meta"] = {{"version", kKeylimePolicyVersion}, {"generator", kKeylimePolicyGenerator}};
    doc["release"] = policy.release;
    Json digests = Json::object();
    // ordered_json finds a key by a linear search: appended directly (the
    // map's keys are sorted and unique already), 20,000 paths cost
    // milliseconds instead of seconds.
    auto &entries = static_cast<std::vector<std::pair<const std::string, Json>> &>(
        digests.get_ref<Json::object_t &>());
    entries.reserve(policy.digests.size());
    for (const auto &[path, values] : policy.digests) {
        // JSON holds UTF-8 text only, and the kernel logs a path's bytes.
        try {
            (void)Json(path).dump();
        } catch (const nlohmann::json::type_error &) {
            throw Error("path " + quoted_input(path, 200) +
                        " is not UTF-8: a Keylime policy (JSON) cannot name it; rename it, "
                        "or leave it out with --exclude GLOB and Keylime will report it "
                        "when the kernel measures it");
        }
        entries.emplace_back(path, Json(std::vector<std::string>(values.begin(), values.end())));
    }
    doc["digests"] = std::move(digests);
    doc["excludes"] = policy.excludes;
    // A KEY_CHECK measurement (template ima-buf) logs the certificate as it
    // was added to the keyring (the DER payload of `keyctl padd`), under the
    // keyring's name, hashed with ima_hash. Listing it teaches Keylime the
    // key (_validate_ima_buf); without --trust-signatures that would let any
    // signed file pass at any path, so the keyring is ignored instead.
    Json keyrings = Json::object();
    Json ignored = Json::array();
    if (policy.trusted.empty()) {
        ignored.push_back(kImaKeyringName);
    } else {
        std::set<std::string> cert_digests;
        for (const Certificate *cert : policy.trusted) {
            FileDigest digest(*policy.ima_hash);
            digest.update(cert->der());
            cert_digests.insert(to_hex(digest.finish()));
        }
        keyrings[kImaKeyringName] =
            Json(std::vector<std::string>(cert_digests.begin(), cert_digests.end()));
    }
    doc["keyrings"] = std::move(keyrings);
    // The template hash of the ASCII measurement list is SHA-1 whatever
    // ima_hash is; dm_policy: no device-mapper measurements are checked.
    doc["ima"] = {
        {"ignored_keyrings", std::move(ignored)}, {"log_hash_alg", "sha1"}, {"dm_policy", nullptr}};
    doc["ima-buf"] = Json::object();
    doc["verification-keys"] =
        policy.trusted.empty() ? std::string() : keylime_verification_keys(policy.trusted);
    return python_json_dumps(doc);
}

} // namespace ostree_ima
