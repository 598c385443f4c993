// Strict reading of untrusted JSON documents (digest manifests, signature
// files): bounded size and nesting, no duplicate keys, and objects read field
// by field with explicit types, refusing missing and unknown fields.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

// A problem in a document, located ("digests[3].paths[0]: must be a
// string"); the format's parser turns it into an Error naming the file.
class JsonFormatError : public std::runtime_error {
  public:
    explicit JsonFormatError(const std::string &message) : std::runtime_error(message) {}
};

// Parses text, refusing more than max_bytes, nesting deeper than max_depth,
// duplicate keys in an object, and anything that is not JSON in UTF-8.
nlohmann::json parse_json_document(std::string_view text, std::size_t max_bytes, int max_depth);

class JsonObjectReader {
  public:
    // Throws JsonFormatError when value is not an object.
    JsonObjectReader(const nlohmann::json &value, std::string where);

    [[nodiscard]] std::string string(const char *name, std::size_t max_length);
    // A string, or nullopt for null.
    [[nodiscard]] std::optional<std::string> string_or_null(const char *name,
                                                            std::size_t max_length);
    [[nodiscard]] bool boolean(const char *name);
    [[nodiscard]] std::uint64_t unsigned_integer(const char *name);
    [[nodiscard]] const nlohmann::json &array(const char *name, std::size_t max_items);
    [[nodiscard]] const nlohmann::json &object(const char *name);
    // Any type: the caller checks it.
    [[nodiscard]] const nlohmann::json &field(const char *name);
    // Whether an optional field is there (then read it with the calls above).
    [[nodiscard]] bool has(const char *name) const { return value_.contains(name); }

    // Throws when the object has a field that no call above asked for.
    void finish() const;

    // Location of a field, for messages: "manifest.commit".
    [[nodiscard]] std::string where(const std::string &name) const;

  private:
    const nlohmann::json &value_;
    std::string where_;
    std::vector<std::string> read_;
};

// An array item that must be a string of at most max_length bytes.
std::string json_string(const nlohmann::json &value, const std::string &where,
                        std::size_t max_length);

} // namespace ostree_ima
