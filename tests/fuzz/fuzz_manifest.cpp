// parse_digest_manifest on any text: throws Error (one bounded line,
// whatever the input quotes) or gives a manifest whose
// canonical text parses again to the same canonical text.
#include "fuzz_check.hpp"
#include "ostree-ima/digest_manifest.hpp"
#include "ostree-ima/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace ostree_ima;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    DigestManifest manifest;
    try {
        manifest = parse_digest_manifest(text, "fuzz input");
    } catch (const Error &e) {
        FUZZ_CHECK(std::string_view(e.what()).starts_with("fuzz input "));
        FUZZ_CHECK(is_bounded_line(e.what(), kMaxParseMessageBytes));
        return 0;
    }
    // What we write must be what we read (an exception here is a crash too).
    const std::string canonical = serialize_digest_manifest(manifest);
    const DigestManifest again = parse_digest_manifest(canonical, "canonical text");
    FUZZ_CHECK(serialize_digest_manifest(again) == canonical);
    return 0;
}
