// parse_signature_file on any text: throws Error (one bounded line,
// whatever the input quotes) or gives a signature file
// whose canonical text parses again to the same canonical text.
#include "fuzz_check.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/signature_file.hpp"

#include <cstddef>
#include <cstdint>
#include <openssl/err.h>
#include <string>
#include <string_view>

using namespace ostree_ima;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    SignatureFile file;
    try {
        file = parse_signature_file(text, "fuzz input");
    } catch (const Error &e) {
        FUZZ_CHECK(std::string_view(e.what()).starts_with("fuzz input "));
        FUZZ_CHECK(is_bounded_line(e.what(), kMaxParseMessageBytes));
        ERR_clear_error();
        return 0;
    }
    const std::string canonical = serialize_signature_file(file);
    const SignatureFile again = parse_signature_file(canonical, "canonical text");
    FUZZ_CHECK(serialize_signature_file(again) == canonical);
    ERR_clear_error();
    return 0;
}
