#include "pkcs11_uri_text.hpp"

#include "util/quoted_input.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <vector>

namespace ostree_ima::pkcs11 {

namespace {

constexpr std::string_view kScheme = "pkcs11:";
// p11-kit removes these anywhere in a URI before parsing it (P11_URL_WHITESPACE).
constexpr std::string_view kUriWhitespace = " \n\r\v";

// The names p11-kit reads in the path (pin-source, pinfile and pin-value
// are accepted there for compatibility) and in the query.
constexpr std::array<std::string_view, 18> kPathNames = {"id",
                                                         "object",
                                                         "type",
                                                         "objecttype",
                                                         "object-type",
                                                         "model",
                                                         "manufacturer",
                                                         "serial",
                                                         "token",
                                                         "slot-description",
                                                         "slot-manufacturer",
                                                         "slot-id",
                                                         "library-description",
                                                         "library-manufacturer",
                                                         "library-version",
                                                         "pin-source",
                                                         "pinfile",
                                                         "pin-value"};
constexpr std::array<std::string_view, 4> kQueryNames = {"pin-source", "pin-value", "module-name",
                                                         "module-path"};
constexpr std::array<std::string_view, 7> kTypeValues = {
    "cert", "public", "private", "secretkey", "secret-key", "data", ""};

template <std::size_t N>
bool contains(const std::array<std::string_view, N> &set, std::string_view s)
{
    return std::find(set.begin(), set.end(), s) != set.end();
}

// A copy of part of the URI, which may be (or hold) a PIN: wiped when it
// goes away, as SecretString is. Never copied or moved, so no copy stays.
struct Wiped {
    std::string text;
    Wiped() = default;
    Wiped(const Wiped &) = delete;
    Wiped &operator=(const Wiped &) = delete;
    ~Wiped() { OPENSSL_cleanse(text.data(), text.size()); }
};

struct Attribute {
    bool in_query = false;
    Wiped raw_name;        // as written (blanks removed): what p11-kit compares
    Wiped name;            // percent-decoded
    bool name_ok = false;  // whether the name decodes
    Wiped value;           // percent-decoded
    bool value_ok = false; // whether the value decodes
    Wiped raw_value;
};

struct ParsedUri {
    std::vector<std::unique_ptr<Attribute>> attributes;
    bool complete = true; // false: a part that is not "name=value" ended the parse
};

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    const int lower = std::tolower(static_cast<unsigned char>(c));
    if (lower >= 'a' && lower <= 'f')
        return lower - 'a' + 10;
    return -1;
}

// Decodes into `out` (reserved first: no reallocation leaves a copy behind);
// false when a '%' is not followed by two hex digits.
bool percent_decode(std::string_view text, std::string &out)
{
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size())
            return false;
        const int hi = hex_digit(text[i + 1]);
        const int lo = hex_digit(text[i + 2]);
        if (hi < 0 || lo < 0)
            return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return true;
}

std::vector<std::string_view> split(std::string_view text, char separator)
{
    std::vector<std::string_view> parts;
    for (;;) {
        const auto pos = text.find(separator);
        parts.push_back(text.substr(0, pos));
        if (pos == std::string_view::npos)
            return parts;
        text.remove_prefix(pos + 1);
    }
}

// Adds the "name=value" parts of one section; false when a part is not one
// (the parse stops there, as it would in p11-kit or at a syntax error).
bool add_section(std::string_view section, char separator, bool in_query, ParsedUri &out)
{
    if (section.empty())
        return true;
    const auto parts = split(section, separator);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string_view part = parts[i];
        if (part.empty() && i + 1 == parts.size())
            return true; // a trailing separator, which p11-kit accepts
        const auto eq = part.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return false;
        auto a = std::make_unique<Attribute>();
        a->in_query = in_query;
        a->raw_name.text.assign(part.substr(0, eq));
        a->name_ok = percent_decode(part.substr(0, eq), a->name.text);
        a->raw_value.text.assign(part.substr(eq + 1));
        a->value_ok = percent_decode(part.substr(eq + 1), a->value.text);
        out.attributes.push_back(std::move(a));
    }
    return true;
}

ParsedUri parse(std::string_view text)
{
    ParsedUri out;
    // p11-kit reads a C string: nothing after a NUL exists for it.
    const auto nul = text.find('\0');
    if (nul != std::string_view::npos) {
        out.complete = false;
        text = text.substr(0, nul);
    }
    Wiped stripped;
    stripped.text.reserve(text.size());
    for (const char c : text)
        if (kUriWhitespace.find(c) == std::string_view::npos)
            stripped.text.push_back(c);
    if (!is_pkcs11_uri(stripped.text)) {
        out.complete = false;
        return out;
    }
    const std::string_view rest = std::string_view(stripped.text).substr(kScheme.size());
    const auto question = rest.find('?');
    const bool path_ok = add_section(rest.substr(0, question), ';', false, out);
    if (!path_ok) {
        out.complete = false;
        return out;
    }
    if (question != std::string_view::npos &&
        !add_section(rest.substr(question + 1), '&', true, out))
        out.complete = false;
    return out;
}

bool recognised(const Attribute &a)
{
    if (!a.name_ok)
        return false;
    return a.in_query ? contains(kQueryNames, a.name.text) : contains(kPathNames, a.name.text);
}

// Letters, digits and a few marks that cannot be read as a separator (';',
// '&', '?', '=') or a quote stay as they are; every other byte is %XX.
std::string percent_encode(std::string_view value)
{
    static constexpr std::string_view kVerbatim = "-._~/:@!$()*+,";
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || kVerbatim.find(c) != std::string_view::npos) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0xf]);
        }
    }
    return out;
}

// An unknown name or object type for a message: only a plain word that
// cannot be (or hide) a PIN. A word that mentions "pin" is shown only as
// long as a misspelled "pin-source" ("pin_value", "pin-file"), so that a
// PIN run into the name ("pin-valueSECRET=") is not.
std::string shown_word(std::string_view raw)
{
    constexpr std::size_t kMaxWord = 32;
    constexpr std::size_t kMaxPinWord = 10;
    const bool plain =
        !raw.empty() && raw.size() <= kMaxWord &&
        raw.find_first_not_of("abcdefghijklmnopqrstuvwxyz-_.") == std::string_view::npos;
    if (!plain)
        return "(not plain lower-case letters: not shown)";
    if (raw.find("pin") != std::string_view::npos && raw.size() > kMaxPinWord)
        return "(it mentions 'pin': not shown; a PIN goes in pin-source=file:PATH)";
    return quoted_input(raw);
}

} // namespace

bool is_pkcs11_uri(std::string_view text)
{
    if (text.size() < kScheme.size())
        return false;
    for (std::size_t i = 0; i < kScheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != kScheme[i])
            return false;
    return true;
}

SecretString with_lowercase_scheme(std::string_view text)
{
    std::string copy(text);
    if (is_pkcs11_uri(copy))
        std::copy(kScheme.begin(), kScheme.end(), copy.begin());
    return SecretString(std::move(copy));
}

std::string uri_display(std::string_view text, const UriDisplayLimits &limits)
{
    const ParsedUri uri = parse(text);
    std::string path;
    std::string query;
    bool cut = !uri.complete;
    for (const auto &attribute : uri.attributes) {
        const Attribute &a = *attribute;
        if (!recognised(a) || !a.value_ok) {
            cut = true;
            break;
        }
        if (a.name.text == "pin-value")
            continue;
        const std::string_view value = a.value.text;
        std::string shown = percent_encode(value.substr(0, limits.value_chars));
        if (value.size() > limits.value_chars)
            shown += "...";
        std::string &section = a.in_query ? query : path;
        section += section.empty() ? "" : (a.in_query ? "&" : ";");
        section += a.name.text + "=" + shown;
    }
    std::string out = std::string(kScheme) + path;
    if (!query.empty())
        out += "?" + query;
    if (out.size() > limits.total_chars) {
        out.resize(limits.total_chars);
        out += "...";
    }
    if (cut)
        out += " (rest not shown)";
    return out;
}

std::string describe_unrecognized(std::string_view text)
{
    const ParsedUri uri = parse(text);
    std::vector<std::string> problems;
    for (const auto &attribute : uri.attributes) {
        const std::string_view name = attribute->raw_name.text;
        const std::string_view value = attribute->raw_value.text;
        if (attribute->in_query && !contains(kQueryNames, name)) {
            problems.push_back("unknown query attribute " + shown_word(name));
        } else if (!attribute->in_query && !contains(kPathNames, name)) {
            problems.push_back("unknown attribute " + shown_word(name));
        } else if (!attribute->in_query &&
                   (name == "type" || name == "objecttype" || name == "object-type") &&
                   !contains(kTypeValues, value)) {
            problems.push_back("unknown object type " + shown_word(value) +
                               " (use private, public or cert)");
        }
    }
    // A few are enough to act on; a URI of a thousand typos stays one line.
    constexpr std::size_t kMaxProblems = 3;
    std::string joined;
    for (std::size_t i = 0; i < problems.size() && i < kMaxProblems; ++i)
        joined += (joined.empty() ? "" : ", ") + problems[i];
    if (problems.size() > kMaxProblems)
        joined += " and " + std::to_string(problems.size() - kMaxProblems) + " more";
    return joined;
}

} // namespace ostree_ima::pkcs11
