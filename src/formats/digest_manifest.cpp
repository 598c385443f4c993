#include "ostree-ima/digest_manifest.hpp"

#include "formats/release_format.hpp"
#include "ima/file_digest.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "ostree-ima/error.hpp"
#include "util/quoted_input.hpp"
#include "util/text_encoding.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_set>

namespace ostree_ima {

std::string serialize_digest_manifest(const DigestManifest &manifest)
{
    nlohmann::ordered_json j;
    j["format"] = kDigestManifestFormat;
    j["version"] = manifest.selection.scheme->named_in_manifests() ? kDigestManifestSchemeVersion
                                                                   : kDigestManifestVersion;
    j["commit"] = manifest.commit;
    j["hash"] = manifest.algo->name;
    j["selection"] = selection_to_json(manifest.selection);
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (const auto &entry : manifest.entries) {
        nlohmann::ordered_json e;
        e["digest"] = to_hex(entry.digest);
        e["paths"] = entry.paths;
        entries.push_back(std::move(e));
    }
    j["digests"] = std::move(entries);
    return j.dump(2) + "\n";
}

namespace {
// A path as the commit walk writes it: '/' and names, none empty, "." or
// "..". Another spelling ("/usr/bin/../../etc/x") names what the commit does
// not hold, or hides what it does, from whoever reads the manifest.
bool is_plain_path(std::string_view path)
{
    std::size_t start = 1;
    for (;;) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const std::string_view name = path.substr(start, end - start);
        if (name.empty() || name == "." || name == "..")
            return false;
        if (end == path.size())
            return true;
        start = end + 1;
    }
}

std::vector<std::string> read_paths(JsonObjectReader &entry,
                                    std::unordered_set<std::string> &seen_paths)
{
    const nlohmann::json &list = entry.array("paths", kMaxDigests);
    if (list.empty())
        throw JsonFormatError(entry.where("paths") + " is empty");
    std::vector<std::string> paths;
    paths.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = entry.where("paths") + "[" + std::to_string(i) + "]";
        std::string path = json_string(list[i], where, kMaxPathBytes);
        if (path.empty() || path[0] != '/' || path.find('\0') != std::string::npos)
            throw JsonFormatError(where + " is not an absolute path in the commit");
        if (!is_plain_path(path))
            throw JsonFormatError(where + " " + quoted_input(path) +
                                  " has an empty, '.' or '..' component; a path in the commit "
                                  "names each directory once");
        if (!seen_paths.insert(path).second)
            throw JsonFormatError(where + " " + quoted_input(path) + " is listed twice");
        paths.push_back(std::move(path));
    }
    return paths;
}

DigestManifest parse_manifest_json(std::string_view text)
{
    const nlohmann::json doc = parse_json_document(text, kMaxDocumentBytes, kMaxDocumentDepth);
    JsonObjectReader r(doc, "");
    const std::uint64_t version = read_format_header(
        r, kDigestManifestFormat, kDigestManifestVersion, kDigestManifestSchemeVersion);
    DigestManifest m;
    m.commit = read_commit_checksum(r, "commit");
    m.algo = &read_hash_algo(r, "hash");
    m.selection = selection_from_json(r.object("selection"), "selection",
                                      version == kDigestManifestSchemeVersion);
    const nlohmann::json &digests = r.array("digests", kMaxDigests);
    r.finish();

    std::unordered_set<std::string> seen_digests;
    std::unordered_set<std::string> seen_paths;
    m.entries.reserve(digests.size());
    for (std::size_t i = 0; i < digests.size(); ++i) {
        const std::string where = "digests[" + std::to_string(i) + "]";
        JsonObjectReader e(digests[i], where);
        DigestEntry entry;
        entry.digest = parse_digest_hex(e.field("digest"), *m.algo, e.where("digest"));
        if (!seen_digests.insert(to_hex(entry.digest)).second)
            throw JsonFormatError(e.where("digest") + " " + to_hex(entry.digest) +
                                  " is listed twice");
        entry.paths = read_paths(e, seen_paths);
        e.finish();
        m.entries.push_back(std::move(entry));
    }
    return m;
}
} // namespace

DigestManifest parse_digest_manifest(std::string_view text, const std::string &origin)
{
    try {
        return parse_manifest_json(text);
    } catch (const JsonFormatError &e) {
        throw Error(origin + " is not a valid digest manifest: " + e.what() +
                    "; make it again with 'ostree-ima digests'");
    }
}

std::string sha256_hex(std::string_view bytes)
{
    FileDigest digest(hash_algo_by_name("sha256"));
    digest.update({reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size()});
    return to_hex(digest.finish());
}

} // namespace ostree_ima
