// parse_key_id (--keyid) on any text: returns or throws UsageError, and what
// it returns prints back to an equivalent key id.
#include "fuzz_check.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/ima_xattr.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

using namespace ostree_ima;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    KeyId id{};
    try {
        id = parse_key_id(text);
    } catch (const UsageError &e) {
        FUZZ_CHECK(std::string(e.what()).find("--keyid") != std::string::npos);
        return 0;
    }
    const std::string hex = key_id_hex(id);
    FUZZ_CHECK(hex.size() == 8);
    FUZZ_CHECK(parse_key_id(hex) == id);
    // Only 8 hex digits, with an optional 0x, are accepted.
    const std::string digits = text.size() == 10 ? text.substr(2) : text;
    FUZZ_CHECK(digits.size() == 8);
    for (std::size_t i = 0; i < 8; ++i)
        FUZZ_CHECK(std::tolower(static_cast<unsigned char>(digits[i])) == hex[i]);
    return 0;
}
