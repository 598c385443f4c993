#include "pkcs11_strings.hpp"

namespace ostree_ima::pkcs11 {

std::string fixed_field(const unsigned char *field, std::size_t size)
{
    std::size_t end = 0;
    // Some modules NUL-terminate instead of padding: stop at the first NUL.
    while (end < size && field[end] != '\0') {
        ++end;
    }
    while (end > 0 && field[end - 1] == ' ') {
        --end;
    }
    return std::string(reinterpret_cast<const char *>(field), end);
}

std::string to_hex(std::span<const std::uint8_t> bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const auto byte : bytes) {
        out.push_back(digits[byte >> 4]);
        out.push_back(digits[byte & 0x0f]);
    }
    return out;
}

} // namespace ostree_ima::pkcs11
