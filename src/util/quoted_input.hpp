// Input shown in a message: what a user, a file or a device gave us, quoted
// so that it can neither flood a log (a 250 MB number in a file would be a
// 250 MB line) nor break the one-line message or drive a terminal (newlines,
// escape sequences, NUL).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ostree_ima {

// Enough to recognise a value, short enough for one line.
inline constexpr std::size_t kQuotedInputChars = 40;

// The first max_chars characters of text, then "..." if there were more.
// Control characters (C0, DEL, C1), NUL and bytes that are not UTF-8 are
// written \xNN; other UTF-8 is kept.
std::string printable_input(std::string_view text, std::size_t max_chars = kQuotedInputChars);

// printable_input in single quotes: 'text'.
std::string quoted_input(std::string_view text, std::size_t max_chars = kQuotedInputChars);

} // namespace ostree_ima
