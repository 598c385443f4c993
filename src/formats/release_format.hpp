// What the two release-signing formats (digest manifest, signature file)
// share: limits, the format/version header, commit and hash fields, and the
// "selection" object.
#pragma once

#include "formats/strict_json.hpp"
#include "ostree-ima/digest_manifest.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace ostree_ima {

nlohmann::ordered_json selection_to_json(const DigestSelection &selection);
// Throws JsonFormatError (strict_json.hpp) locating the problem.
// `names_scheme`: the file's version is the one that names its scheme (4),
// whose selection must say signature_format (a scheme other than v2: today
// "verity"); older ones must not.
DigestSelection selection_from_json(const nlohmann::json &value, const std::string &where,
                                    bool names_scheme);

// Limits shared by both formats.
inline constexpr std::size_t kMaxDocumentBytes = kMaxSigningFileBytes;
inline constexpr int kMaxDocumentDepth = 8;
inline constexpr std::size_t kMaxDigests = 4'000'000;
inline constexpr std::size_t kMaxPathBytes = 4096;
inline constexpr std::size_t kMaxGlobs = 1000;

// Reads "format" and "version" first, so that another kind of file or a
// newer version is named as such rather than as a list of odd fields.
// Accepts versions `oldest` to `newest`; returns the one found.
std::uint64_t read_format_header(JsonObjectReader &reader, std::string_view format,
                                 std::uint64_t oldest, std::uint64_t newest);

// An IMA key id: 8 lowercase hex digits (`where` names the field).
KeyId read_key_id(const std::string &hex, const std::string &where);

// A commit checksum: 64 lowercase hex digits.
std::string read_commit_checksum(JsonObjectReader &reader, const char *name);

// A hash algorithm name this build supports.
const HashAlgo &read_hash_algo(JsonObjectReader &reader, const char *name);

// A digest of exactly the algorithm's size, in lowercase hex.
std::vector<std::uint8_t> parse_digest_hex(const nlohmann::json &value, const HashAlgo &algo,
                                           const std::string &where);

} // namespace ostree_ima
