#include "formats/release_format.hpp"

#include "ima/schemes/signature_scheme.hpp"
#include "ostree-ima/error.hpp"
#include "util/quoted_input.hpp"
#include "util/text_encoding.hpp"

namespace ostree_ima {

nlohmann::ordered_json selection_to_json(const DigestSelection &selection)
{
    nlohmann::ordered_json j;
    j["include"] = selection.selector.include_globs();
    j["exclude"] = selection.selector.exclude_globs();
    j["executables_only"] = selection.selector.executables_only();
    j["overwrite"] = selection.overwrite;
    j["signer_key_id"] = selection.signer_key_id
                             ? nlohmann::ordered_json(key_id_hex(*selection.signer_key_id))
                             : nlohmann::ordered_json(nullptr);
    j["reuse"] = selection.reuse;
    // Only in version 4: v2 selections keep version 3's bytes.
    if (selection.scheme->named_in_manifests())
        j["signature_format"] = selection.scheme->name();
    return j;
}

namespace {
// The schemes a version-4 file may name: "'verity'", or "'a' or 'b'".
std::string named_schemes()
{
    std::string out;
    for (const SignatureScheme *scheme : signature_schemes()) {
        if (!scheme->named_in_manifests())
            continue;
        if (!out.empty())
            out += " or ";
        out += "'" + std::string(scheme->name()) + "'";
    }
    return out;
}
} // namespace

DigestSelection selection_from_json(const nlohmann::json &value, const std::string &where,
                                    bool names_scheme)
{
    JsonObjectReader r(value, where);
    auto globs = [&](const char *name) {
        std::vector<std::string> out;
        const nlohmann::json &list = r.array(name, kMaxGlobs);
        for (std::size_t i = 0; i < list.size(); ++i)
            out.push_back(
                json_string(list[i], r.where(name) + "[" + std::to_string(i) + "]", kMaxPathBytes));
        return out;
    };
    const auto include = globs("include");
    const auto exclude = globs("exclude");
    const bool executables_only = r.boolean("executables_only");
    DigestSelection selection;
    selection.overwrite = r.boolean("overwrite");
    if (const auto id = r.string_or_null("signer_key_id", 8))
        selection.signer_key_id = read_key_id(*id, r.where("signer_key_id"));
    const nlohmann::json &reuse = r.array("reuse", kMaxGlobs);
    for (std::size_t i = 0; i < reuse.size(); ++i) {
        const std::string where_i = r.where("reuse") + "[" + std::to_string(i) + "]";
        std::string commit = json_string(reuse[i], where_i, 64);
        const auto bytes = from_hex(commit);
        if (commit.size() != 64 || !bytes)
            throw JsonFormatError(where_i + " " + quoted_input(commit) +
                                  " is not a commit checksum (64 lowercase hex digits)");
        selection.reuse.push_back(std::move(commit));
    }
    if (!selection.reuse.empty() && !selection.signer_key_id)
        throw JsonFormatError(r.where("reuse") + " needs signer_key_id: signatures are reused "
                                                 "only when the signing key is known");
    if (names_scheme) {
        const std::string name = r.string("signature_format", 16);
        const SignatureScheme *scheme = find_signature_scheme(name);
        if (scheme == nullptr || !scheme->named_in_manifests())
            throw JsonFormatError(r.where("signature_format") + " " + quoted_input(name) +
                                  " is not " + named_schemes());
        selection.scheme = scheme;
    }
    r.finish();
    try {
        selection.selector = PathSelector(include, exclude, executables_only);
    } catch (const Error &e) {
        throw JsonFormatError(where + ": " + e.what());
    }
    return selection;
}

KeyId read_key_id(const std::string &hex, const std::string &where)
{
    const auto bytes = from_hex(hex);
    KeyId id{};
    if (!bytes || bytes->size() != id.size())
        throw JsonFormatError(where + " " + quoted_input(hex) + " is not 8 lowercase hex digits");
    std::copy(bytes->begin(), bytes->end(), id.begin());
    return id;
}

std::uint64_t read_format_header(JsonObjectReader &reader, std::string_view format,
                                 std::uint64_t oldest, std::uint64_t newest)
{
    const std::string found = reader.string("format", 64);
    if (found != format)
        throw JsonFormatError("its format is " + quoted_input(found) + ", not '" +
                              std::string(format) + "'");
    const std::uint64_t found_version = reader.unsigned_integer("version");
    if (found_version < oldest || found_version > newest)
        throw JsonFormatError("it is version " + std::to_string(found_version) +
                              ", this ostree-ima reads versions " + std::to_string(oldest) +
                              " to " + std::to_string(newest) +
                              " (use the ostree-ima that wrote it)");
    return found_version;
}

std::string read_commit_checksum(JsonObjectReader &reader, const char *name)
{
    std::string commit = reader.string(name, 64);
    const auto bytes = from_hex(commit);
    if (commit.size() != 64 || !bytes)
        throw JsonFormatError(reader.where(name) + " " + quoted_input(commit) +
                              " is not a commit checksum (64 lowercase hex digits)");
    return commit;
}

const HashAlgo &read_hash_algo(JsonObjectReader &reader, const char *name)
{
    const std::string hash = reader.string(name, 32);
    try {
        return hash_algo_by_name(hash);
    } catch (const Error &e) {
        throw JsonFormatError(reader.where(name) + ": " + e.what());
    }
}

std::vector<std::uint8_t> parse_digest_hex(const nlohmann::json &value, const HashAlgo &algo,
                                           const std::string &where)
{
    const std::string text = json_string(value, where, 2 * 64);
    auto digest = from_hex(text);
    if (!digest)
        throw JsonFormatError(where + " " + quoted_input(text) + " is not lowercase hex");
    if (digest->size() != algo.digest_size)
        throw JsonFormatError(where + " has " + std::to_string(digest->size()) + " bytes, but a " +
                              std::string(algo.name) + " digest has " +
                              std::to_string(algo.digest_size));
    return *digest;
}

} // namespace ostree_ima
