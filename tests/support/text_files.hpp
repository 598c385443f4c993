// Small text helpers every suite needs: command output without its trailing
// newline, whole files read and written as bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace test_support {

// s without trailing newlines and spaces (command output).
std::string trimmed(std::string s);

// The whole file as bytes; "" when it cannot be read.
std::string read_text(const std::string &path);

// Replaces the file's content with `data` (bytes as they are); fails the
// test when it cannot be written.
void write_text(const std::string &path, const std::string &data);

std::size_t line_count(const std::string &s);

// Bytes from hex text ("0a1b..."; a trailing odd digit is ignored).
std::vector<std::uint8_t> hex_bytes(const std::string &hex);

} // namespace test_support
