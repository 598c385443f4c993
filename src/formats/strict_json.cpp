#include "formats/strict_json.hpp"

#include "util/quoted_input.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>

namespace ostree_ima {

namespace {
// Bounds nesting before nlohmann builds (and later destroys) the tree, so a
// hostile "[[[[..." cannot exhaust the stack.
void check_depth(std::string_view text, int max_depth)
{
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                throw JsonFormatError("nested deeper than " + std::to_string(max_depth) +
                                      " levels");
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
}

// nlohmann quotes the token it stopped at ("last read: '...'", "number
// overflow parsing '...'"): in a hostile file that can be the rest of the
// file, 250 MB of digits on one line. Only the start of it is shown.
std::string bounded_parser_message(const std::string &message)
{
    constexpr std::size_t kMaxText = 200;
    const auto open = message.find('\'');
    if (open == std::string::npos)
        return printable_input(message, kMaxText);
    const auto close = message.rfind('\'');
    std::string out = printable_input(std::string_view(message).substr(0, open), kMaxText);
    if (close == open) {
        out += quoted_input(std::string_view(message).substr(open + 1));
        return out;
    }
    out += quoted_input(std::string_view(message).substr(open + 1, close - open - 1));
    out += printable_input(std::string_view(message).substr(close + 1), kMaxText);
    return out;
}

// The first key that appears twice in one object (nlohmann would silently
// keep the last of two equal keys, which would let a file say two things),
// and the first syntax error, which wins over it as it did before.
class DuplicateKeyFinder final : public nlohmann::json::json_sax_t {
  public:
    [[nodiscard]] const std::optional<std::string> &duplicate() const { return duplicate_; }
    [[nodiscard]] const std::optional<std::string> &error() const { return error_; }

    bool null() override { return true; }
    bool boolean(bool /*value*/) override { return true; }
    bool number_integer(number_integer_t /*value*/) override { return true; }
    bool number_unsigned(number_unsigned_t /*value*/) override { return true; }
    bool number_float(number_float_t /*value*/, const string_t & /*text*/) override { return true; }
    bool string(string_t & /*value*/) override { return true; }
    bool binary(binary_t & /*value*/) override { return true; }
    bool start_object(std::size_t /*size*/) override
    {
        open_objects_.emplace_back();
        return true;
    }
    bool key(string_t &name) override
    {
        if (!duplicate_ && !open_objects_.empty() && !open_objects_.back().insert(name).second)
            duplicate_ = name;
        return true;
    }
    bool end_object() override
    {
        if (!open_objects_.empty())
            open_objects_.pop_back();
        return true;
    }
    bool start_array(std::size_t /*size*/) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t /*position*/, const std::string & /*last_token*/,
                     const nlohmann::json::exception &e) override
    {
        error_ = e.what();
        return false;
    }

  private:
    std::vector<std::set<std::string>> open_objects_;
    std::optional<std::string> duplicate_;
    std::optional<std::string> error_;
};
} // namespace

nlohmann::json parse_json_document(std::string_view text, std::size_t max_bytes, int max_depth)
{
    if (text.size() > max_bytes)
        throw JsonFormatError("larger than " + std::to_string(max_bytes) + " bytes");
    if (text.empty())
        throw JsonFormatError("empty");
    check_depth(text, max_depth);
    // Two linear passes: the keys first, then the tree. (nlohmann's parser
    // callback, the obvious place for the key check, rescans the enclosing
    // array at every object's end: 40,000 digests took 1 s, 89 s under
    // ASan, and grow with the square of their number.)
    DuplicateKeyFinder keys;
    nlohmann::json::sax_parse(text.begin(), text.end(), &keys);
    if (keys.error())
        throw JsonFormatError("not valid JSON: " + bounded_parser_message(*keys.error()));
    if (keys.duplicate())
        throw JsonFormatError("key " + quoted_input(*keys.duplicate()) +
                              " appears twice in one object");
    try {
        return nlohmann::json::parse(text.begin(), text.end(), nullptr, true, false);
    } catch (const nlohmann::json::exception &e) {
        throw JsonFormatError("not valid JSON: " + bounded_parser_message(e.what()));
    }
}

JsonObjectReader::JsonObjectReader(const nlohmann::json &value, std::string where)
    : value_(value), where_(std::move(where))
{
    if (!value_.is_object())
        throw JsonFormatError((where_.empty() ? std::string("the document") : where_) +
                              " must be an object, not " + value_.type_name());
}

std::string JsonObjectReader::where(const std::string &name) const
{
    return where_.empty() ? name : where_ + "." + name;
}

const nlohmann::json &JsonObjectReader::field(const char *name)
{
    const auto it = value_.find(name);
    if (it == value_.end())
        throw JsonFormatError("field '" + where(name) + "' is missing");
    read_.emplace_back(name);
    return *it;
}

std::string JsonObjectReader::string(const char *name, std::size_t max_length)
{
    return json_string(field(name), where(name), max_length);
}

std::optional<std::string> JsonObjectReader::string_or_null(const char *name,
                                                            std::size_t max_length)
{
    const nlohmann::json &v = field(name);
    if (v.is_null())
        return std::nullopt;
    return json_string(v, where(name), max_length);
}

bool JsonObjectReader::boolean(const char *name)
{
    const nlohmann::json &v = field(name);
    if (!v.is_boolean())
        throw JsonFormatError(where(name) + " must be true or false, not " + v.type_name());
    return v.get<bool>();
}

std::uint64_t JsonObjectReader::unsigned_integer(const char *name)
{
    const nlohmann::json &v = field(name);
    // JSON's -0 is the integer 0 (the parser makes it a signed 0): refusing
    // it would say "not 0" about 0.
    if (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() == 0)
        return 0;
    if (!v.is_number_unsigned())
        throw JsonFormatError(
            where(name) + " must be a non-negative integer, not " +
            (v.is_number() ? printable_input(v.dump()) : std::string(v.type_name())));
    return v.get<std::uint64_t>();
}

const nlohmann::json &JsonObjectReader::array(const char *name, std::size_t max_items)
{
    const nlohmann::json &v = field(name);
    if (!v.is_array())
        throw JsonFormatError(where(name) + " must be an array, not " + v.type_name());
    if (v.size() > max_items)
        throw JsonFormatError(where(name) + " has " + std::to_string(v.size()) +
                              " items, more than the limit of " + std::to_string(max_items));
    return v;
}

const nlohmann::json &JsonObjectReader::object(const char *name)
{
    const nlohmann::json &v = field(name);
    if (!v.is_object())
        throw JsonFormatError(where(name) + " must be an object, not " + v.type_name());
    return v;
}

void JsonObjectReader::finish() const
{
    for (auto it = value_.begin(); it != value_.end(); ++it) {
        if (std::find(read_.begin(), read_.end(), it.key()) == read_.end())
            throw JsonFormatError("unknown field " + quoted_input(where(it.key())));
    }
}

std::string json_string(const nlohmann::json &value, const std::string &where,
                        std::size_t max_length)
{
    if (!value.is_string())
        throw JsonFormatError(where + " must be a string, not " + value.type_name());
    const auto &s = value.get_ref<const std::string &>();
    if (s.size() > max_length)
        throw JsonFormatError(where + " is longer than " + std::to_string(max_length) + " bytes");
    return s;
}

} // namespace ostree_ima
