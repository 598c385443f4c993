#include "util/quoted_input.hpp"

#include <cstdint>

namespace ostree_ima {

namespace {

// The length of the valid UTF-8 sequence at the start of text, or 0.
std::size_t utf8_length(std::string_view text)
{
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    const std::uint8_t lead = byte(0);
    std::size_t length = 0;
    std::uint32_t min = 0;
    std::uint32_t code = 0;
    if (lead < 0x80)
        return 1;
    if ((lead & 0xe0) == 0xc0) {
        length = 2;
        min = 0x80;
        code = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
        length = 3;
        min = 0x800;
        code = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
        length = 4;
        min = 0x10000;
        code = lead & 0x07;
    } else {
        return 0;
    }
    if (text.size() < length)
        return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xc0) != 0x80)
            return 0;
        code = (code << 6) | (byte(i) & 0x3f);
    }
    // Overlong forms, surrogates and code points past Unicode are not UTF-8.
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return 0;
    // C1 controls (U+0080..U+009F) act like escape sequences on terminals.
    if (code >= 0x80 && code <= 0x9f)
        return 0;
    return length;
}

void append_escaped(std::string &out, std::uint8_t byte)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\x";
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xf]);
}

} // namespace

std::string printable_input(std::string_view text, std::size_t max_chars)
{
    std::string out;
    std::size_t chars = 0;
    std::size_t i = 0;
    while (i < text.size() && chars < max_chars) {
        const auto byte = static_cast<std::uint8_t>(text[i]);
        const std::size_t length = utf8_length(text.substr(i));
        if (length == 0 || byte < 0x20 || byte == 0x7f) {
            append_escaped(out, byte);
            i += 1;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
        ++chars;
    }
    if (i < text.size())
        out += "...";
    return out;
}

std::string quoted_input(std::string_view text, std::size_t max_chars)
{
    // Appended piecewise: g++ 12 at -O3 warns falsely (-Wrestrict) on
    // "'" + std::string(...).
    std::string out(1, '\'');
    out += printable_input(text, max_chars);
    out.push_back('\'');
    return out;
}

} // namespace ostree_ima
