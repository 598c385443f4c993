#include "ostree-ima/signature_file.hpp"

#include "formats/release_format.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "ima/signature_size.hpp"
#include "ostree-ima/certificate.hpp"
#include "ostree-ima/error.hpp"
#include "util/quoted_input.hpp"
#include "util/text_encoding.hpp"

#include <unordered_set>

namespace ostree_ima {

namespace {
constexpr std::size_t kMaxCertificateBytes = 64 * 1024;

std::vector<std::uint8_t> read_base64(const nlohmann::json &value, const std::string &where,
                                      std::size_t max_bytes)
{
    const std::string text = json_string(value, where, (max_bytes + 2) / 3 * 4);
    auto bytes = from_base64(text);
    if (!bytes)
        throw JsonFormatError(where + " is not canonical base64");
    if (bytes->empty())
        throw JsonFormatError(where + " is empty");
    // The text's bound lets up to two bytes more through (base64 counts in
    // threes): the bytes decide.
    if (bytes->size() > max_bytes)
        throw JsonFormatError(where + " holds " + std::to_string(bytes->size()) +
                              " bytes, more than " + std::to_string(max_bytes));
    return *bytes;
}

ManifestIdentity read_identity(const nlohmann::json &value, bool names_scheme)
{
    JsonObjectReader r(value, "manifest");
    ManifestIdentity id;
    id.commit = read_commit_checksum(r, "commit");
    id.algo = &read_hash_algo(r, "hash");
    id.manifest_sha256 = r.string("sha256", 64);
    if (id.manifest_sha256.size() != 64 || !from_hex(id.manifest_sha256))
        throw JsonFormatError("manifest.sha256 is not a SHA-256 (64 lowercase hex digits)");
    id.selection = selection_from_json(r.object("selection"), "manifest.selection", names_scheme);
    r.finish();
    return id;
}

SignatureFile parse_json(std::string_view text)
{
    const nlohmann::json doc = parse_json_document(text, kMaxDocumentBytes, kMaxDocumentDepth);
    JsonObjectReader r(doc, "");
    const std::uint64_t version = read_format_header(r, kSignatureFileFormat, kSignatureFileVersion,
                                                     kSignatureFileSchemeVersion);
    SignatureFile f;
    f.manifest = read_identity(r.object("manifest"), version == kSignatureFileSchemeVersion);
    f.key_id = read_key_id(r.string("key_id", 8), "key_id");
    if (!r.field("certificate").is_null()) {
        f.certificate_der =
            read_base64(r.field("certificate"), "certificate", kMaxCertificateBytes);
        try {
            (void)Certificate::from_bytes(f.certificate_der, "in the file");
        } catch (const Error &e) {
            throw JsonFormatError("certificate: " + std::string(e.what()));
        }
    }
    const nlohmann::json &list = r.array("signatures", kMaxDigests);
    r.finish();

    std::unordered_set<std::string> seen;
    f.signatures.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        JsonObjectReader e(list[i], "signatures[" + std::to_string(i) + "]");
        DigestSignature s;
        s.digest = parse_digest_hex(e.field("digest"), *f.manifest.algo, e.where("digest"));
        if (!seen.insert(to_hex(s.digest)).second)
            throw JsonFormatError(e.where("digest") + " " + to_hex(s.digest) + " is listed twice");
        s.signature = read_base64(e.field("signature"), e.where("signature"), kMaxSignatureBytes);
        e.finish();
        f.signatures.push_back(std::move(s));
    }
    return f;
}
} // namespace

std::string serialize_signature_file(const SignatureFile &file)
{
    nlohmann::ordered_json j;
    j["format"] = kSignatureFileFormat;
    j["version"] = file.manifest.selection.scheme->named_in_manifests()
                       ? kSignatureFileSchemeVersion
                       : kSignatureFileVersion;
    nlohmann::ordered_json id;
    id["commit"] = file.manifest.commit;
    id["hash"] = file.manifest.algo->name;
    id["sha256"] = file.manifest.manifest_sha256;
    id["selection"] = selection_to_json(file.manifest.selection);
    j["manifest"] = std::move(id);
    j["key_id"] = key_id_hex(file.key_id);
    j["certificate"] = file.certificate_der.empty()
                           ? nlohmann::ordered_json(nullptr)
                           : nlohmann::ordered_json(to_base64(file.certificate_der));
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto &s : file.signatures) {
        nlohmann::ordered_json e;
        e["digest"] = to_hex(s.digest);
        e["signature"] = to_base64(s.signature);
        list.push_back(std::move(e));
    }
    j["signatures"] = std::move(list);
    return j.dump(2) + "\n";
}

SignatureFile parse_signature_file(std::string_view text, const std::string &origin)
{
    try {
        return parse_json(text);
    } catch (const JsonFormatError &e) {
        throw Error(origin + " is not a valid signatures file: " + e.what() +
                    "; use the file 'ostree-ima sign-digests' wrote");
    }
}

} // namespace ostree_ima
