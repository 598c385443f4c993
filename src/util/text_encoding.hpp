// Hex and base64 for the release-signing files: canonical on output, strict
// on input (so that one value has exactly one spelling).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

std::string to_hex(std::span<const std::uint8_t> bytes);
// Lowercase hex only; nullopt on anything else (odd length, other characters).
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);

// RFC 4648 base64 with padding, no line breaks.
std::string to_base64(std::span<const std::uint8_t> bytes);
// Exactly what to_base64 produces; nullopt otherwise.
std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text);

} // namespace ostree_ima
